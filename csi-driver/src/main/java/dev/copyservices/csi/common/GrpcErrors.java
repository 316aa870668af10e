package dev.copyservices.csi.common;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The thin gRPC edge of every CSI service: run the logic, answer its result or its error's code. */
public final class GrpcErrors {
    private static final Logger LOG = Logger.getLogger(GrpcErrors.class.getName());

    private GrpcErrors() {
    }

    public static <T> void answer(String rpc, StreamObserver<T> observer, Supplier<T> logic) {
        T response;
        try {
            response = logic.get();
        } catch (CsiError e) {
            Level level = e.code() == CsiError.Code.INTERNAL ? Level.WARNING : Level.FINE;
            LOG.log(level, rpc + ": " + e.code() + ": " + e.getMessage(), e.getCause());
            observer.onError(toStatus(e));
            return;
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, rpc + " failed", e);
            observer.onError(Status.INTERNAL.withDescription(rpc + " failed: " + e).withCause(e).asRuntimeException());
            return;
        }
        observer.onNext(response);
        observer.onCompleted();
    }

    public static StatusRuntimeException toStatus(CsiError e) {
        Status status = switch (e.code()) {
            case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
            case NOT_FOUND -> Status.NOT_FOUND;
            case ALREADY_EXISTS -> Status.ALREADY_EXISTS;
            case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
            case OUT_OF_RANGE -> Status.OUT_OF_RANGE;
            case RESOURCE_EXHAUSTED -> Status.RESOURCE_EXHAUSTED;
            case ABORTED -> Status.ABORTED;
            case UNAVAILABLE -> Status.UNAVAILABLE;
            case INTERNAL -> Status.INTERNAL;
        };
        return status.withDescription(e.getMessage()).asRuntimeException();
    }
}
