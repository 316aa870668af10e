package dev.copyservices.csi.agent;

/**
 * An agent refused or failed a call. {@code category} is the agent's gRPC code name (NOT_FOUND,
 * FAILED_PRECONDITION, ...), {@code reason} its ErrorDetail reason (VOLUME_NOT_FOUND, ...) when it
 * sent one, so the driver can decide without string matching on messages.
 */
public final class AgentException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String category;
    private final String reason;
    private final String correction;

    public AgentException(String category, String reason, String message, String correction, Throwable cause) {
        super(message, cause);
        this.category = category;
        this.reason = reason;
        this.correction = correction;
    }

    public String category() {
        return category;
    }

    public String reason() {
        return reason;
    }

    public String correction() {
        return correction;
    }

    public boolean notFound() {
        return "NOT_FOUND".equals(category);
    }

    /** The agent's message and its hint, for a CSI error message. */
    public String describe() {
        return getMessage() + (correction == null || correction.isEmpty() ? "" : " (" + correction + ")");
    }
}
