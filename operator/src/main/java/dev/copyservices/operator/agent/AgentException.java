package dev.copyservices.operator.agent;

/**
 * A failed call to an agent, in the project's one error model: a stable reason (CamelCase, usable as
 * a condition reason), what went wrong, and what to do about it.
 */
public class AgentException extends Exception {
    private final String reason;
    private final String correction;
    private final boolean notFound;

    public AgentException(String reason, String message, String correction, Throwable cause) {
        this(reason, message, correction, cause, false);
    }

    AgentException(String reason, String message, String correction, Throwable cause, boolean notFound) {
        super(message, cause);
        this.reason = reason;
        this.correction = correction;
        this.notFound = notFound;
    }

    /** The agent has no object of that name (gRPC NOT_FOUND): for idempotent create and delete. */
    public boolean notFound() {
        return notFound;
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
