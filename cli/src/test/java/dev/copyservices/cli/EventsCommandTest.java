package dev.copyservices.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import dev.copyservices.api.agent.v1.Event;
import dev.copyservices.api.agent.v1.Severity;
import dev.copyservices.api.agent.v1.WatchEventsRequest;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code csctl events}: what it asks for and how it prints events, once and following. */
class EventsCommandTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final FakeAgent agent = new FakeAgent();

    @AfterEach
    void stop() {
        agent.close();
    }

    private static Event event(long sequence, Severity severity, String reason, String kind, String name, String message,
            String correction) {
        return Event.newBuilder().setSequence(sequence)
                .setTime(Timestamp.newBuilder().setSeconds(1_700_000_000L + sequence).setNanos(750_000_000))
                .setSeverity(severity).setReason(reason).setObjectKind(kind).setObjectName(name).setMessage(message)
                .setCorrection(correction).build();
    }

    private void sample() {
        agent.events.add(event(1, Severity.INFO, "AGENT_STARTED", "Array", "lab", "agent 0.1.0 started with 2 volume(s)", ""));
        agent.events.add(event(2, Severity.WARNING, "REPOSITORY_THRESHOLD_EXCEEDED", "Repository", "db-R1",
                "repository 'db-R1' is 52% used, past its warning threshold of 50%", "grow the repository"));
        agent.events.add(event(3, Severity.CRITICAL, "FLASHCOPY_FAILED", "FlashCopy", "db 1", "the repository filled",
                "re-create or delete the FlashCopy"));
    }

    @Test
    void printsOneLinePerEventWithTheHintOnAnIndentedLineBelow() {
        sample();
        FakeAgent.Result r = agent.run("events");
        assertEquals(0, r.exit(), r.err());
        assertEquals(WatchEventsRequest.getDefaultInstance(), agent.last(WatchEventsRequest.class));
        assertEquals("""
                2023-11-14T22:13:21Z  INFO      AGENT_STARTED  Array/lab  agent 0.1.0 started with 2 volume(s)
                2023-11-14T22:13:22Z  WARNING   REPOSITORY_THRESHOLD_EXCEEDED  Repository/db-R1  repository 'db-R1' is 52% used, past its warning threshold of 50%
                  hint: grow the repository
                2023-11-14T22:13:23Z  CRITICAL  FLASHCOPY_FAILED  FlashCopy/db 1  the repository filled
                  hint: re-create or delete the FlashCopy
                """, r.out());
        assertEquals("", r.err());
    }

    @Test
    void afterSendsTheSequenceAndOnlyLaterEventsArePrinted() {
        sample();
        FakeAgent.Result r = agent.run("events", "--after", "2");
        assertEquals(0, r.exit(), r.err());
        assertEquals(2, agent.last(WatchEventsRequest.class).getAfterSequence());
        assertTrue(r.out().startsWith("2023-11-14T22:13:23Z  CRITICAL  FLASHCOPY_FAILED"), r.out());
        assertEquals(2, r.out().lines().count(), r.out());
    }

    @Test
    void noEventsSaysSoOnStderrOnly() {
        FakeAgent.Result r = agent.run("events", "--after", "7");
        assertEquals(0, r.exit());
        assertEquals("", r.out());
        assertEquals("no events after 7\n", r.err());
    }

    @Test
    void badSequenceIsAUsageErrorAndSendsNothing() {
        FakeAgent.Result r = agent.run("events", "--after", "-1");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("error: Invalid value for option '--after': '-1' is not an event sequence number"),
                r.err());
        assertTrue(agent.requests.isEmpty());
    }

    @Test
    void jsonPrintsOneProtobufJsonObjectPerLine() throws Exception {
        sample();
        FakeAgent.Result r = agent.run("events", "-o", "json");
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(3, lines.size(), r.out());
        for (int i = 0; i < lines.size(); i++) {
            Event.Builder parsed = Event.newBuilder();
            JsonFormat.parser().merge(lines.get(i), parsed);
            assertEquals(agent.events.get(i), parsed.build());
        }
        assertTrue(lines.get(0).startsWith("{\"sequence\":\"1\",\"time\":\"2023-11-14T22:13:21.750Z\""), lines.get(0));
        assertTrue(lines.get(0).contains("\"correction\":\"\""), "default values are printed too: " + lines.get(0));
    }

    @Test
    void followPrintsLiveEventsAsTheyComeAndExitsThreeWhenTheAgentGoesAway() throws Exception {
        sample();
        FakeAgent.Running csctl = agent.start("events", "--follow", "--after", "1");
        StreamObserver<Event> stream = agent.follower.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        awaitOutput(csctl.out(), "FLASHCOPY_FAILED");

        stream.onNext(event(4, Severity.INFO, "VOLUME_CREATED", "Volume", "web", "created volume 'web'", ""));
        awaitOutput(csctl.out(), "VOLUME_CREATED");
        stream.onError(Status.UNAVAILABLE.withDescription("connection reset").asRuntimeException());

        int exit = csctl.exit().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(3, exit, csctl.err().toString());
        assertEquals(WatchEventsRequest.newBuilder().setFollow(true).setAfterSequence(1).build(),
                agent.last(WatchEventsRequest.class));
        assertEquals(List.of("REPOSITORY_THRESHOLD_EXCEEDED", "hint:", "FLASHCOPY_FAILED", "hint:", "VOLUME_CREATED"),
                csctl.out().toString().lines().map(l -> l.strip().split(" +")[l.startsWith(" ") ? 0 : 2]).toList());
        assertEquals("error: lost the connection to the agent at 127.0.0.1:7400: connection reset\n"
                + "hint: check that the agent is running, then follow again from the last event shown: csctl events"
                + " --follow --after 4\n", csctl.err().toString());
    }

    @Test
    void followEndedByAStoppingAgentShowsItsWordsAndExitsThree() throws Exception {
        sample();
        agent.eventsEnd = FakeAgent.error(Status.Code.UNAVAILABLE, "AGENT_STOPPING", "the agent is stopping",
                "when it is back, watch again from where this stream stopped: csctl events --follow --after 3");
        FakeAgent.Result r = agent.run("events", "-f");
        assertEquals(3, r.exit(), r.err());
        assertEquals(3, r.out().lines().filter(l -> !l.startsWith(" ")).count(), r.out());
        assertEquals("error: the agent is stopping\nhint: when it is back, watch again from where this stream"
                + " stopped: csctl events --follow --after 3\n", r.err());
    }

    @Test
    void followAgainstNoAgentIsUnreachable() {
        FakeAgent.Result r = agent.runAgainst("nobody-listens-here", "events", "--follow");
        assertEquals(3, r.exit(), r.err());
        assertTrue(r.err().startsWith("error: cannot reach the agent at 127.0.0.1:7400"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void refusedStreamIsAnAgentErrorEvenWhenFollowing() {
        agent.failure = FakeAgent.error(Status.Code.INTERNAL, "INTERNAL", "the agent failed", "look at its log");
        FakeAgent.Result r = agent.run("events", "--follow");
        assertEquals(1, r.exit(), r.err());
        assertEquals("error: the agent failed\nhint: look at its log\n", r.err());
    }

    private static void awaitOutput(StringWriter out, String text) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!out.toString().contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("'" + text + "' not printed within " + WAIT + "; output so far:\n" + out);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }
}
