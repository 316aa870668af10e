package dev.copyservices.agent.grpc;

import dev.copyservices.agent.error.EngineException;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;

/** Runs one unary call: the answer, or the error turned into a status. No exception escapes. */
final class Unary {
    private Unary() {
    }

    static <T> void answer(StreamObserver<T> observer, Supplier<T> call) {
        T result;
        try {
            result = call.get();
        } catch (EngineException e) {
            observer.onError(Errors.toStatus(e));
            return;
        } catch (StatusRuntimeException e) {
            observer.onError(e);
            return;
        } catch (RuntimeException e) {
            observer.onError(Errors.unexpected(e));
            return;
        }
        observer.onNext(result);
        observer.onCompleted();
    }
}
