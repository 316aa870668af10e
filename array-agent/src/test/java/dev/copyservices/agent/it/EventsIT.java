package dev.copyservices.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.api.agent.v1.CreateVolumeRequest;
import dev.copyservices.api.agent.v1.ErrorDetail;
import dev.copyservices.api.agent.v1.Event;
import dev.copyservices.api.agent.v1.EventServiceGrpc;
import dev.copyservices.api.agent.v1.Severity;
import dev.copyservices.api.agent.v1.VolumeServiceGrpc;
import dev.copyservices.api.agent.v1.WatchEventsRequest;
import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The event stream of a real agent process, across kill -9 and a clean stop. */
class EventsIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path pool;

    /** A following reader over the agent's gRPC channel. */
    private static final class Follower implements StreamObserver<Event> {
        final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        final CompletableFuture<Throwable> ended = new CompletableFuture<>();
        final Context.CancellableContext context = Context.current().withCancellation();

        Follower(Channel channel, long after) {
            context.run(() -> EventServiceGrpc.newStub(channel).watchEvents(
                    WatchEventsRequest.newBuilder().setFollow(true).setAfterSequence(after).build(), this));
        }

        Event next() throws InterruptedException {
            Event e = events.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(e, "no event within " + WAIT);
            return e;
        }

        Throwable end() throws Exception {
            return ended.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
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
    }

    private static List<Event> retained(Channel channel, long after) {
        List<Event> events = new ArrayList<>();
        EventServiceGrpc.newBlockingStub(channel).withDeadlineAfter(WAIT.toMillis(), TimeUnit.MILLISECONDS)
                .watchEvents(WatchEventsRequest.newBuilder().setAfterSequence(after).build())
                .forEachRemaining(events::add);
        return events;
    }

    @Test
    void followSeesAgentStartedAndNumberingContinuesAfterKill9() throws Exception {
        AgentProcess agent = AgentProcess.start(pool);
        try {
            Follower follower = new Follower(agent.channel(), 0);
            Event started = follower.next();
            assertEquals(1, started.getSequence());
            assertEquals("AGENT_STARTED", started.getReason());
            assertEquals(Severity.INFO, started.getSeverity());
            assertEquals("Array", started.getObjectKind());
            assertEquals("it-array", started.getObjectName());
            assertTrue(started.getMessage().contains("0 volume(s)"), started.getMessage());

            VolumeServiceGrpc.newBlockingStub(agent.channel()).withDeadlineAfter(WAIT.toMillis(), TimeUnit.MILLISECONDS)
                    .createVolume(CreateVolumeRequest.newBuilder().setName("ev1").setSizeBytes(1 << 20).build());
            Event created = follower.next();
            assertEquals(2, created.getSequence());
            assertEquals("VOLUME_CREATED", created.getReason());
            assertEquals("Volume", created.getObjectKind());
            assertEquals("ev1", created.getObjectName());

            agent.kill9();
            assertNotNull(follower.end(), "the stream ends with an error when the agent dies");
            agent.launch();

            List<Event> after = retained(agent.channel(), 0);
            assertEquals(List.of(1L, 2L, 3L), after.stream().map(Event::getSequence).toList(), after.toString());
            assertEquals(created, after.get(1), "events published before kill -9 come back unchanged");
            assertEquals("AGENT_STARTED", after.get(2).getReason());
            assertTrue(after.get(2).getMessage().contains("1 volume(s)"), after.get(2).getMessage());

            Follower resumed = new Follower(agent.channel(), 2);
            assertEquals(after.get(2), resumed.next(), "following after 2 starts at the restart");
            resumed.context.cancel(null);
            assertTrue(Files.size(pool.resolve("events.log")) > 0);
        } finally {
            agent.close();
        }
    }

    @Test
    void cleanStopEndsFollowersWithAgentStoppingAndWhereToResume() throws Exception {
        AgentProcess agent = AgentProcess.start(pool);
        try {
            Follower follower = new Follower(agent.channel(), 0);
            assertEquals("AGENT_STARTED", follower.next().getReason());

            agent.process().destroy(); // SIGTERM: the agent's shutdown hook closes it cleanly
            Throwable end = follower.end();
            assertEquals(Status.Code.UNAVAILABLE, Status.fromThrowable(end).getCode(), String.valueOf(end));
            com.google.rpc.Status status = StatusProto.fromThrowable(end);
            assertNotNull(status, "no details in " + end);
            ErrorDetail detail = status.getDetails(0).unpack(ErrorDetail.class);
            assertEquals("AGENT_STOPPING", detail.getReason());
            assertTrue(detail.getCorrection().contains("--after 1"), detail.getCorrection());
            assertTrue(agent.process().waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "agent did not stop");
        } finally {
            agent.close();
        }
    }
}
