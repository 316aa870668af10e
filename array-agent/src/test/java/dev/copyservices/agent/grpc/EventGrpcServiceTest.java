package dev.copyservices.agent.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.events.EventLog;
import dev.copyservices.agent.events.EventSink.Severity;
import dev.copyservices.api.agent.v1.ErrorDetail;
import dev.copyservices.api.agent.v1.Event;
import dev.copyservices.api.agent.v1.EventServiceGrpc;
import dev.copyservices.api.agent.v1.WatchEventsRequest;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** WatchEvents over an in-process channel: replay, follow, cancel, and a client that stops reading. */
class EventGrpcServiceTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private EventLog log;
    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        log = EventLog.open(dir.resolve("events.log"), new EventLog.Options(100, 1 << 20, 5));
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).addService(new EventGrpcService(log)).build().start();
        channel = InProcessChannelBuilder.forName(name).build();
    }

    @AfterEach
    void stop() {
        channel.shutdownNow();
        server.shutdownNow();
        log.close();
    }

    private void publish(int n) {
        for (int i = 0; i < n; i++) {
            log.publish(Severity.WARNING, "REPOSITORY_THRESHOLD_EXCEEDED", "Repository", "db-R1", "over 50%", "grow it");
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + WAIT + ": " + what);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    /** A following client that reads only as many events as it asks for. */
    private static final class Client implements ClientResponseObserver<WatchEventsRequest, Event> {
        final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        final CompletableFuture<Throwable> ended = new CompletableFuture<>();
        volatile ClientCallStreamObserver<WatchEventsRequest> call;
        private final int initialRequest;

        Client(int initialRequest) {
            this.initialRequest = initialRequest;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<WatchEventsRequest> requestStream) {
            call = requestStream;
            requestStream.disableAutoRequestWithInitial(initialRequest);
        }

        @Override
        public void onNext(Event value) {
            events.add(value);
        }

        @Override
        public void onError(Throwable t) {
            ended.complete(t);
        }

        @Override
        public void onCompleted() {
            ended.complete(null);
        }

        long next() throws InterruptedException {
            Event e = events.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(e, "no event arrived");
            return e.getSequence();
        }
    }

    private Client follow(long after, int initialRequest) {
        Client client = new Client(initialRequest);
        EventServiceGrpc.newStub(channel).watchEvents(
                WatchEventsRequest.newBuilder().setFollow(true).setAfterSequence(after).build(), client);
        return client;
    }

    @Test
    void withoutFollowTheRetainedEventsAfterTheSequenceAreSentAndTheStreamEnds() {
        publish(4);
        Iterator<Event> stream = EventServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .watchEvents(WatchEventsRequest.newBuilder().setAfterSequence(1).build());
        List<Long> got = new ArrayList<>();
        stream.forEachRemaining(e -> got.add(e.getSequence()));
        assertEquals(List.of(2L, 3L, 4L), got);
        assertEquals(0, log.subscriberCount());
    }

    @Test
    void followSendsRetainedThenLiveEventsUntilTheClientCancels() throws Exception {
        publish(2);
        Client client = follow(1, Integer.MAX_VALUE);
        assertEquals(2, client.next());
        publish(1);
        assertEquals(3, client.next());
        assertEquals(1, log.subscriberCount());

        client.call.cancel("done", null);
        await("the cancelled client's subscription is gone", () -> log.subscriberCount() == 0);
    }

    @Test
    void clientThatStopsReadingIsEndedWithResourceExhaustedAndADetail() throws Exception {
        Client client = follow(0, 1);
        publish(1);
        assertEquals(1, client.next());
        // it asks for no more, so the server may not send and the subscription's queue (5) overflows
        publish(20);
        await("the slow client's subscription is dropped", () -> log.subscriberCount() == 0);
        client.call.request(Integer.MAX_VALUE);
        Throwable end = client.ended.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, Status.fromThrowable(end).getCode(), String.valueOf(end));
        ErrorDetail detail = detail(end);
        assertEquals("EVENT_READER_TOO_SLOW", detail.getReason());
        assertTrue(detail.getCorrection().contains("--after"), detail.getCorrection());
    }

    @Test
    void closingTheLogEndsFollowersWithUnavailableAndWhereToResume() throws Exception {
        Client client = follow(0, Integer.MAX_VALUE);
        publish(1);
        assertEquals(1, client.next());
        log.close();
        Throwable end = client.ended.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(Status.Code.UNAVAILABLE, Status.fromThrowable(end).getCode(), String.valueOf(end));
        ErrorDetail detail = detail(end);
        assertEquals("AGENT_STOPPING", detail.getReason());
        assertTrue(detail.getCorrection().contains("--after 1"), detail.getCorrection());
    }

    private static ErrorDetail detail(Throwable t) throws Exception {
        assertTrue(t instanceof StatusRuntimeException, String.valueOf(t));
        com.google.rpc.Status status = StatusProto.fromThrowable(t);
        assertNotNull(status, "no google.rpc.Status in " + t);
        return status.getDetails(0).unpack(ErrorDetail.class);
    }
}
