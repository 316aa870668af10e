package dev.copyservices.agent.grpc;

import com.google.protobuf.Any;
import dev.copyservices.agent.error.EngineException;
import dev.copyservices.api.agent.v1.ErrorDetail;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The one place where engine errors become gRPC statuses with an {@link ErrorDetail}. */
final class Errors {
    private static final Logger LOG = Logger.getLogger(Errors.class.getName());

    private Errors() {
    }

    static StatusRuntimeException toStatus(EngineException e) {
        return status(code(e), e.reason().name(), e.getMessage(), e.correction());
    }

    /** A bug or an unexpected failure: logged with its stack, reported without it. */
    static StatusRuntimeException unexpected(RuntimeException e) {
        LOG.log(Level.SEVERE, "unexpected failure in a control call", e);
        return status(io.grpc.Status.Code.INTERNAL, "INTERNAL", "the agent failed unexpectedly: " + e,
                "look at the agent's log for the cause and report it; the request may be retried");
    }

    static StatusRuntimeException invalid(String reason, String message, String correction) {
        return status(io.grpc.Status.Code.INVALID_ARGUMENT, reason, message, correction);
    }

    /** A caller whose certificate does not allow the call (reason PERMISSION_DENIED). */
    static StatusRuntimeException permissionDenied(String message, String correction) {
        return status(io.grpc.Status.Code.PERMISSION_DENIED, "PERMISSION_DENIED", message, correction);
    }

    private static StatusRuntimeException status(io.grpc.Status.Code code, String reason, String message,
            String correction) {
        ErrorDetail detail = ErrorDetail.newBuilder().setReason(reason).setMessage(message).setCorrection(correction)
                .build();
        com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
                .setCode(code.value())
                .setMessage(message)
                .addDetails(Any.pack(detail))
                .build();
        return StatusProto.toStatusRuntimeException(status);
    }

    private static io.grpc.Status.Code code(EngineException e) {
        return switch (e.reason().category()) {
            case INVALID_ARGUMENT -> io.grpc.Status.Code.INVALID_ARGUMENT;
            case NOT_FOUND -> io.grpc.Status.Code.NOT_FOUND;
            case ALREADY_EXISTS -> io.grpc.Status.Code.ALREADY_EXISTS;
            case FAILED_PRECONDITION -> io.grpc.Status.Code.FAILED_PRECONDITION;
            case RESOURCE_EXHAUSTED -> io.grpc.Status.Code.RESOURCE_EXHAUSTED;
            case UNAVAILABLE -> io.grpc.Status.Code.UNAVAILABLE;
            case INTERNAL -> io.grpc.Status.Code.INTERNAL;
        };
    }
}
