package dev.copyservices.operator.agent;

/**
 * A failed call to an agent, in the project's one error model: a stable reason (CamelCase, usable as
 * a condition reason), what went wrong, and what to do about it.
 */
public class AgentException extends Exception {
    private final String reason;
    private final String correction;

    public AgentException(String reason, String message, String correction, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.correction = correction;
    }

    public AgentException(String reason, String message, String correction) {
        this(reason, message, correction, null);
    }

    public String reason() {
        return reason;
    }

    public String correction() {
        return correction;
    }

    /** The message and the correction in one sentence pair, for a condition or an Event. */
    public String describe() {
        return correction == null || correction.isBlank() ? getMessage() : getMessage() + ". To fix: " + correction;
    }
}
