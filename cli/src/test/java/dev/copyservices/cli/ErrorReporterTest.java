package dev.copyservices.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.StringValue;
import io.grpc.Status;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How failures read on stderr and which exit code they get. */
class ErrorReporterTest {

    private static final ErrorReporter.Connection AT_7400 =
            new ErrorReporter.Connection(new AgentAddress("127.0.0.1", 7400), Duration.ofSeconds(30), false);

    private final FakeAgent agent = new FakeAgent();

    @AfterEach
    void stop() {
        agent.close();
    }

    @Test
    void errorDetailGivesMessageAndHint() {
        ErrorReporter.Report r = ErrorReporter.failure(FakeAgent.error(Status.Code.FAILED_PRECONDITION,
                "VOLUME_IN_USE", "volume \"db1\" has 2 NBD connections", "disconnect the clients or use --force"),
                AT_7400);
        assertEquals(new ErrorReporter.Report(1, "volume \"db1\" has 2 NBD connections",
                "disconnect the clients or use --force"), r);
    }

    @Test
    void errorDetailWithoutCorrectionHasNoHintLine() {
        StringWriter err = new StringWriter();
        int exit = new ErrorReporter(new PrintWriter(err)).print(ErrorReporter.failure(
                FakeAgent.error(Status.Code.INTERNAL, "IO", "pool write failed", ""), AT_7400));
        assertEquals(1, exit);
        assertEquals("error: pool write failed\n", err.toString());
    }

    @Test
    void errorDetailIsFoundAmongOtherDetails() {
        var e = io.grpc.protobuf.StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
                .setCode(Status.Code.NOT_FOUND.value()).setMessage("nope")
                .addDetails(Any.pack(StringValue.of("unrelated")))
                .addDetails(Any.pack(dev.copyservices.api.agent.v1.ErrorDetail.newBuilder()
                        .setMessage("volume \"x\" does not exist").setCorrection("check the name").build()))
                .build());
        assertEquals(new ErrorReporter.Report(1, "volume \"x\" does not exist", "check the name"),
                ErrorReporter.failure(e, AT_7400));
    }

    @Test
    void withoutErrorDetailTheStatusCodeAndDescriptionAreShown() {
        ErrorReporter.Report r = ErrorReporter.failure(
                Status.INVALID_ARGUMENT.withDescription("size must be a multiple of 512").asRuntimeException(), AT_7400);
        assertEquals(new ErrorReporter.Report(1, "INVALID_ARGUMENT: size must be a multiple of 512", null), r);
        assertEquals("INTERNAL", ErrorReporter.failure(Status.INTERNAL.asRuntimeException(), AT_7400).message());
        assertEquals("UNKNOWN: line one; line two", ErrorReporter.failure(
                Status.UNKNOWN.withDescription("line one\nline two\n").asRuntimeException(), AT_7400).message());
    }

    @Test
    void unavailableMeansUnreachableAndNamesTheAddress() {
        ErrorReporter.Report r = ErrorReporter.failure(Status.UNAVAILABLE.withDescription("io exception")
                .withCause(new ConnectException("finishConnect(..) failed with error(-111): Connection refused"))
                .asRuntimeException(), AT_7400);
        assertEquals(3, r.exitCode());
        assertEquals("cannot reach the agent at 127.0.0.1:7400: connection refused", r.message());
        assertTrue(r.hint().contains("--agent HOST:PORT"), r.hint());
        assertTrue(r.hint().contains("agent is running"), r.hint());
    }

    @Test
    void unavailableWithAnErrorDetailIsTheAgentSpeaking() {
        ErrorReporter.Report r = ErrorReporter.failure(FakeAgent.error(Status.Code.UNAVAILABLE, "SHUTTING_DOWN",
                "the agent is shutting down", "retry in a minute"), AT_7400);
        assertEquals(new ErrorReporter.Report(1, "the agent is shutting down", "retry in a minute"), r);
    }

    @Test
    void deadlineTellsASlowAgentFromAMissingOne() {
        var deadline = Status.DEADLINE_EXCEEDED.asRuntimeException();
        ErrorReporter.Report never = ErrorReporter.failure(deadline,
                new ErrorReporter.Connection(new AgentAddress("10.1.1.1", 7400), Duration.ofMillis(2500), false));
        assertEquals(3, never.exitCode());
        assertEquals("no answer from the agent at 10.1.1.1:7400 within 2.5 s", never.message());

        ErrorReporter.Report slow = ErrorReporter.failure(deadline,
                new ErrorReporter.Connection(new AgentAddress("10.1.1.1", 7400), Duration.ofSeconds(30), true));
        assertEquals(1, slow.exitCode());
        assertEquals("the agent at 10.1.1.1:7400 did not answer within 30 s", slow.message());
        assertTrue(slow.hint().contains("--timeout"), slow.hint());
    }

    @Test
    void unexpectedExceptionsAreReportedNotThrown() {
        ErrorReporter.Report r = ErrorReporter.failure(new IllegalStateException("oops"), AT_7400);
        assertEquals(1, r.exitCode());
        assertTrue(r.message().contains("oops"), r.message());
        assertTrue(r.hint().contains("bug"), r.hint());
    }

    @Test
    void unreachableAgentEndToEnd() {
        FakeAgent.Result r = agent.runAgainst("no-such-agent", "--agent", "127.0.0.1:7999", "volume", "list");
        assertEquals(3, r.exit());
        assertEquals("", r.out());
        String[] lines = r.err().split("\n");
        assertEquals(2, lines.length, r.err());
        assertTrue(lines[0].startsWith("error: cannot reach the agent at 127.0.0.1:7999: "), lines[0]);
        assertTrue(lines[1].startsWith("hint: check that the agent is running"), lines[1]);
    }

    @Test
    void silentAgentHitsTheDeadline() {
        agent.silent = true;
        long start = System.nanoTime();
        FakeAgent.Result r = agent.run("--timeout", "0.2", "array", "show");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(1, r.exit(), r.err());
        assertEquals("error: the agent at 127.0.0.1:7400 did not answer within 0.2 s", r.err().lines().findFirst()
                .orElseThrow());
        assertTrue(millis < 5_000, "took " + millis + " ms");
    }

    @Test
    void statusWithoutDetailEndToEnd() {
        agent.failure = Status.PERMISSION_DENIED.withDescription("read-only agent").asRuntimeException();
        FakeAgent.Result r = agent.run("volume", "list");
        assertEquals(1, r.exit());
        assertEquals("error: PERMISSION_DENIED: read-only agent\n", r.err());
    }

    @Test
    void usageReportPointsAtTheCommandsHelp() {
        FakeAgent.Result r = agent.run("volume", "delete");
        assertEquals(2, r.exit());
        String[] lines = r.err().split("\n");
        assertTrue(lines[0].startsWith("error: Missing required parameter"), lines[0]);
        assertEquals("hint: see 'csctl volume delete --help'", lines[1]);
    }
}
