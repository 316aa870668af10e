package dev.copyservices.agent.grpc;

import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.events.EventLog;
import dev.copyservices.agent.events.Subscription;
import dev.copyservices.api.agent.v1.Event;
import dev.copyservices.api.agent.v1.EventServiceGrpc;
import dev.copyservices.api.agent.v1.WatchEventsRequest;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CancellationException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** Events over gRPC: the retained events, then with follow the live ones. No rules live here. */
final class EventGrpcService extends EventServiceGrpc.EventServiceImplBase {
    private final EventLog events;

    EventGrpcService(EventLog events) {
        this.events = events;
    }

    @Override
    public void watchEvents(WatchEventsRequest request, StreamObserver<Event> observer) {
        ServerCallStreamObserver<Event> call = (ServerCallStreamObserver<Event>) observer;
        if (!request.getFollow()) {
            // at most the retained events (a few hundred KiB): the transport may buffer them without flow control
            try {
                events.since(request.getAfterSequence()).forEach(call::onNext);
            } catch (RuntimeException e) {
                call.onError(Errors.unexpected(e));
                return;
            }
            call.onCompleted();
            return;
        }
        new Follower(call).start(request.getAfterSequence());
    }

    /**
     * One following client. Events are sent from the subscription's own thread, which waits while the
     * client's transport is not ready: a client that stops reading fills the subscription's bounded
     * queue, and the event log then ends the stream with EVENT_READER_TOO_SLOW.
     */
    private final class Follower {
        private final ServerCallStreamObserver<Event> call;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition ready = lock.newCondition();
        private volatile boolean cancelled;
        private volatile Subscription subscription;

        Follower(ServerCallStreamObserver<Event> call) {
            this.call = call;
        }

        void start(long afterSequence) {
            call.setOnReadyHandler(this::wake);
            call.setOnCancelHandler(() -> {
                cancelled = true;
                Subscription s = subscription;
                if (s != null) {
                    s.cancel();
                }
                wake();
            });
            try {
                subscription = events.subscribe(afterSequence, this::send, this::end);
            } catch (EngineException refused) {
                call.onError(Errors.toStatus(refused)); // past the follower limit: the client is told, nothing else changes
                return;
            }
            if (cancelled) { // the client left while we subscribed
                subscription.cancel();
            }
        }

        private void send(Event event) {
            lock.lock();
            try {
                while (!call.isReady() && !cancelled) {
                    ready.await();
                }
            } catch (InterruptedException e) {
                // the subscription ended while this client was not reading
                throw new CancellationException("event stream ended");
            } finally {
                lock.unlock();
            }
            if (!cancelled) {
                call.onNext(event);
            }
        }

        private void end(EngineException why) {
            if (!cancelled) {
                call.onError(Errors.toStatus(why));
            }
        }

        private void wake() {
            lock.lock();
            try {
                ready.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }
}
