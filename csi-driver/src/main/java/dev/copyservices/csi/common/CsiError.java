package dev.copyservices.csi.common;

/**
 * A request the driver refuses or cannot finish, with the CSI specification's status code for it.
 * The driver's logic throws these without knowing about gRPC; the service classes turn them into
 * gRPC statuses. The message says what went wrong and what to do.
 */
public final class CsiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The gRPC codes the CSI specification assigns meanings to. */
    public enum Code {
        INVALID_ARGUMENT,
        NOT_FOUND,
        ALREADY_EXISTS,
        FAILED_PRECONDITION,
        OUT_OF_RANGE,
        RESOURCE_EXHAUSTED,
        ABORTED,
        UNAVAILABLE,
        INTERNAL
    }

    private final Code code;

    public CsiError(Code code, String message) {
        super(message);
        this.code = code;
    }

    public CsiError(Code code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public Code code() {
        return code;
    }

    public static CsiError invalid(String message) {
        return new CsiError(Code.INVALID_ARGUMENT, message);
    }

    public static CsiError notFound(String message) {
        return new CsiError(Code.NOT_FOUND, message);
    }

    public static CsiError precondition(String message) {
        return new CsiError(Code.FAILED_PRECONDITION, message);
    }

    public static CsiError internal(String message, Throwable cause) {
        return new CsiError(Code.INTERNAL, message, cause);
    }
}
