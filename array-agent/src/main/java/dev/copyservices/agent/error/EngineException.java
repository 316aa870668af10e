package dev.copyservices.agent.error;

/**
 * The one error type engines throw: a stable reason, what happened, and what the user can do about
 * it. Engines know nothing of gRPC; the API layer turns this into a status with details.
 */
public class EngineException extends RuntimeException {
    private final Reason reason;
    private final String correction;

    public EngineException(Reason reason, String message, String correction) {
        super(message);
        this.reason = reason;
        this.correction = correction;
    }

    public EngineException(Reason reason, String message, String correction, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.correction = correction;
    }

    public Reason reason() {
        return reason;
    }

    /** What to do; never empty. */
    public String correction() {
        return correction;
    }
}
