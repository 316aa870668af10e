package dev.copyservices.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.util.JsonFormat;
import dev.copyservices.api.agent.v1.Array;
import dev.copyservices.api.agent.v1.CreateVolumeRequest;
import dev.copyservices.api.agent.v1.ErrorDetail;
import dev.copyservices.api.agent.v1.Event;
import dev.copyservices.api.agent.v1.ListVolumesResponse;
import dev.copyservices.api.agent.v1.Volume;
import dev.copyservices.api.agent.v1.VolumeServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import dev.copyservices.agent.it.AgentProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * csctl against the real agent: both run as the processes a user starts, through the bin/ launchers.
 * One agent serves the whole class; every test uses its own volume names, so the tests do not depend on
 * each other's order.
 */
class CsctlIT {

    private static final Duration COMMAND = Duration.ofSeconds(60);

    @TempDir
    static Path tmp;

    private static AgentProcess agent;
    private static String agentAddress;
    private static int nbdPort;
    private static ManagedChannel channel;

    record Run(List<String> command, int exit, String out, String err) {
        /** For assertion messages: what ran and everything it printed. */
        String transcript() {
            return "$ " + String.join(" ", command) + "\n[exit " + exit + "]\n--- stdout\n" + out + "--- stderr\n" + err;
        }

        List<String> errLines(String prefix) {
            return err.lines().filter(l -> l.startsWith(prefix)).toList();
        }
    }

    @BeforeAll
    static void startAgent() throws Exception {
        agent = AgentProcess.start(Files.createDirectories(tmp.resolve("pool")));
        agentAddress = agent.controlAddress();
        nbdPort = agent.nbdPort();
        channel = agent.channel();
    }

    @AfterAll
    static void stopAgent() throws InterruptedException {
        if (agent != null) {
            agent.close();
        }
    }

    /** Runs {@code bin/csctl --agent <the test agent> args...}. */
    private static Run csctl(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("--agent", agentAddress));
        all.addAll(Arrays.asList(args));
        return csctlRaw(all);
    }

    private static Run csctlRaw(List<String> args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(AgentProcess.root().resolve("bin/csctl").toString());
        command.addAll(args);
        Path out = Files.createTempFile(tmp, "csctl", ".out");
        Path err = Files.createTempFile(tmp, "csctl", ".err");
        ProcessBuilder pb = AgentProcess.sameJdk(new ProcessBuilder(command));
        pb.environment().remove(Csctl.AGENT_ENV);
        pb.redirectOutput(out.toFile());
        pb.redirectError(err.toFile());
        pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        Process p = pb.start();
        if (!p.waitFor(COMMAND.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("csctl did not finish within " + COMMAND.toSeconds() + " s: " + command);
        }
        return new Run(command, p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static void assertSucceeded(Run run) {
        assertEquals(0, run.exit(), run.transcript());
        assertTrue(run.errLines("error:").isEmpty(), run.transcript());
    }

    /** An agent-reported failure: exit 1, nothing on stdout, an error line with a message. */
    private static void assertAgentError(Run run) {
        assertEquals(1, run.exit(), run.transcript());
        assertEquals("", run.out(), run.transcript());
        List<String> errors = run.errLines("error: ");
        assertEquals(1, errors.size(), run.transcript());
        assertFalse(errors.get(0).substring("error: ".length()).isBlank(), run.transcript());
    }

    private static void assertHint(Run run) {
        List<String> hints = run.errLines("hint: ");
        assertEquals(1, hints.size(), run.transcript());
        assertFalse(hints.get(0).substring("hint: ".length()).isBlank(), run.transcript());
    }

    @Test
    void createListShowResizeSetDelete() throws Exception {
        String name = "it vol 1";

        Run create = csctl("volume", "create", name, "--size", "1GiB", "--attribute", "suite=it");
        assertSucceeded(create);
        assertEquals("volume \"it vol 1\" created: 1 GiB\n", create.out(), create.transcript());

        Run again = csctl("volume", "create", name, "--size", "1GiB", "--attribute", "suite=it");
        assertSucceeded(again);

        Run list = csctl("volume", "list");
        assertSucceeded(list);
        List<String> lines = list.out().lines().toList();
        assertTrue(lines.get(0).matches("NAME +KIND +SIZE +ALLOCATED +ACCESS +CONNECTIONS"), list.transcript());
        assertTrue(lines.stream().anyMatch(l -> l.matches("it vol 1 +standard +1 GiB +\\S.* +read-write +0")), list.transcript());

        Run selected = csctl("volume", "list", "--attribute", "suite=it");
        assertSucceeded(selected);
        assertTrue(selected.out().contains("it vol 1"), selected.transcript());

        Run show = csctl("volume", "show", name);
        assertSucceeded(show);
        assertTrue(show.out().lines().anyMatch(l -> l.matches("Name: +it vol 1")), show.transcript());
        assertTrue(show.out().lines().anyMatch(l -> l.matches("Size: +1 GiB \\(1073741824 bytes\\)")), show.transcript());
        assertTrue(show.out().lines().anyMatch(l -> l.matches("Access: +read-write")), show.transcript());
        assertTrue(show.out().lines().anyMatch(l -> l.matches("Kind: +standard")), show.transcript());
        assertTrue(show.out().lines().anyMatch(l -> l.matches("Attributes: +suite=it")), show.transcript());
        assertTrue(show.out().lines().anyMatch(l -> l.matches("Created: +\\d{4}-\\d\\d-\\d\\dT.*Z")), show.transcript());

        Run resize = csctl("volume", "resize", name, "--size", "2GiB");
        assertSucceeded(resize);
        assertEquals("volume \"it vol 1\" resized: 2 GiB\n", resize.out(), resize.transcript());
        Run resized = csctl("volume", "show", name);
        assertTrue(resized.out().lines().anyMatch(l -> l.matches("Size: +2 GiB \\(2147483648 bytes\\)")),
                resized.transcript());

        Run set = csctl("volume", "set", name, "--read-only", "true", "--attribute", "owner=it");
        assertSucceeded(set);
        assertTrue(set.out().startsWith("volume \"it vol 1\" updated: read-only"), set.transcript());
        Run changed = csctl("volume", "show", name);
        assertTrue(changed.out().lines().anyMatch(l -> l.matches("Access: +read-only")), changed.transcript());
        assertTrue(changed.out().contains("owner=it"), changed.transcript());

        Run delete = csctl("volume", "delete", name);
        assertSucceeded(delete);
        assertEquals("volume \"it vol 1\" deleted\n", delete.out(), delete.transcript());
        assertAgentError(csctl("volume", "show", name));
    }

    @Test
    void jsonOutputIsProtobufJson() throws Exception {
        Run create = csctl("-o", "json", "volume", "create", "it-json", "--size", "64MiB");
        assertSucceeded(create);
        Volume created = parse(create, Volume.newBuilder()).build();
        assertEquals("it-json", created.getName());
        assertEquals(64L << 20, created.getSizeBytes());
        assertFalse(created.getId().isEmpty(), create.transcript());

        Run list = csctl("volume", "list", "-o", "json");
        assertSucceeded(list);
        ListVolumesResponse volumes = parse(list, ListVolumesResponse.newBuilder()).build();
        assertTrue(volumes.getVolumesList().stream().anyMatch(v -> v.getId().equals(created.getId())), list.transcript());

        Run show = csctl("-o", "json", "volume", "show", "it-json");
        assertSucceeded(show);
        Volume shown = parse(show, Volume.newBuilder()).build();
        assertEquals(created.getId(), shown.getId());
        assertEquals(created.getSizeBytes(), shown.getSizeBytes());
        assertTrue(show.out().contains("\"sizeBytes\""), "lowerCamelCase field names: " + show.transcript());

        Run array = csctl("-o", "json", "array", "show");
        assertSucceeded(array);
        Array parsed = parse(array, Array.newBuilder()).build();
        assertEquals("it-array", parsed.getName());
        assertTrue(parsed.getNbdEndpoint().endsWith(":" + nbdPort), array.transcript());
        assertTrue(parsed.getCounts().getVolumes() >= 1, array.transcript());
        assertTrue(array.out().contains("\"nbdEndpoint\""), array.transcript());
    }

    @Test
    void arrayShowPrintsIdentityCapacityAndLimits() throws Exception {
        Run show = csctl("array", "show");
        assertSucceeded(show);
        assertTrue(show.out().lines().anyMatch(l -> l.matches("Name: +it-array")), show.transcript());
        assertTrue(show.out().lines().anyMatch(l -> l.matches("NBD endpoint: +.*:" + nbdPort)), show.transcript());
        assertTrue(show.out().lines().anyMatch(l -> l.matches(" +Pool: +.* total, .* free")), show.transcript());
        assertTrue(show.out().lines().anyMatch(l -> l.matches(" +Volumes: +\\d+ / \\d+")), show.transcript());
    }

    @Test
    void duplicateNameWithAnotherSizeIsRefused() throws Exception {
        assertSucceeded(csctl("volume", "create", "it-dup", "--size", "1GiB"));

        Run other = csctl("volume", "create", "it-dup", "--size", "2GiB");
        assertAgentError(other);
        assertTrue(other.errLines("error: ").get(0).contains("it-dup"), other.transcript());

        // the status behind that message, straight from the agent
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () ->
                VolumeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .createVolume(CreateVolumeRequest.newBuilder().setName("it-dup").setSizeBytes(2L << 30).build()));
        assertEquals(Status.Code.ALREADY_EXISTS, e.getStatus().getCode());
        com.google.rpc.Status rich = StatusProto.fromThrowable(e);
        assertNotNull(rich, "the agent sends google.rpc.Status details");
        assertTrue(rich.getDetailsList().stream().anyMatch(a -> a.is(ErrorDetail.class)), rich.toString());

        Run unchanged = csctl("volume", "show", "it-dup");
        assertTrue(unchanged.out().lines().anyMatch(l -> l.matches("Size: +1 GiB .*")), unchanged.transcript());
    }

    @Test
    void missingVolumeIsAnAgentErrorWithAHint() throws Exception {
        Run show = csctl("volume", "show", "it-missing");
        assertAgentError(show);
        assertHint(show);
        assertNotEquals(-1, show.err().indexOf("error: "), show.transcript());
        assertTrue(show.err().indexOf("error: ") < show.err().indexOf("hint: "), show.transcript());
    }

    @Test
    void badSizeIsAUsageErrorAndSendsNothing() throws Exception {
        Run bad = csctl("volume", "create", "it-badsize", "--size", "1GB");
        assertEquals(2, bad.exit(), bad.transcript());
        assertEquals("", bad.out(), bad.transcript());
        assertTrue(bad.err().contains("'1GB' uses the ambiguous unit 'GB'"), bad.transcript());
        assertHint(bad);
        assertAgentError(csctl("volume", "show", "it-badsize"));
    }

    @Test
    void unreachableAgentExitsWithThree() throws Exception {
        String nowhere = "127.0.0.1:" + AgentProcess.freePort();
        Run run = csctlRaw(List.of("--agent", nowhere, "--timeout", "10", "volume", "list"));
        assertEquals(3, run.exit(), run.transcript());
        assertEquals("", run.out(), run.transcript());
        List<String> errors = run.errLines("error: ");
        assertEquals(1, errors.size(), run.transcript());
        assertTrue(errors.get(0).contains(nowhere), run.transcript());
        assertTrue(run.errLines("hint: ").stream().anyMatch(h -> h.contains("--agent")), run.transcript());
    }

    @Test
    void eventsListTheAgentsStartAndFollowShowsNewEventsAsTheyHappen() throws Exception {
        Run events = csctl("events");
        assertSucceeded(events);
        String started = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ  INFO      AGENT_STARTED  Array/it-array"
                + "  agent .* started with \\d+ volume\\(s\\)";
        assertTrue(events.out().lines().anyMatch(l -> l.matches(started)), events.transcript());

        Run json = csctl("-o", "json", "events");
        assertSucceeded(json);
        List<Event> parsed = new ArrayList<>();
        for (String line : json.out().lines().toList()) {
            Event.Builder event = Event.newBuilder();
            JsonFormat.parser().merge(line, event);
            parsed.add(event.build());
        }
        assertEquals("AGENT_STARTED", parsed.get(0).getReason(), json.transcript());
        long last = parsed.get(parsed.size() - 1).getSequence();

        // follow from the newest event, as a user would, and see a new one arrive; whether the volume is
        // created before or after csctl subscribes, its event comes after 'last', so no wait is needed
        Path out = Files.createTempFile(tmp, "follow", ".out");
        List<String> command = List.of(AgentProcess.root().resolve("bin/csctl").toString(), "--agent", agentAddress,
                "events", "--follow", "--after", Long.toString(last));
        ProcessBuilder pb = AgentProcess.sameJdk(new ProcessBuilder(command));
        pb.redirectOutput(out.toFile()).redirectErrorStream(true);
        Process follow = pb.start();
        try {
            VolumeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS).createVolume(
                    CreateVolumeRequest.newBuilder().setName("it-events").setSizeBytes(1 << 20).build());
            long deadline = System.nanoTime() + COMMAND.toNanos();
            while (!Files.readString(out).contains("VOLUME_CREATED  Volume/it-events")) {
                assertTrue(follow.isAlive(), "csctl events --follow ended:\n" + Files.readString(out));
                assertTrue(System.nanoTime() < deadline, "no VOLUME_CREATED line:\n" + Files.readString(out));
                LockSupport.parkNanos(10_000_000);
            }
        } finally {
            follow.destroyForcibly();
            follow.waitFor();
        }
    }

    @Test
    void flashCopyWorkflowThroughTheLauncher() throws Exception {
        assertSucceeded(csctl("volume", "create", "fcbase", "--size", "64MiB"));
        assertSucceeded(csctl("flashcopy", "create", "fcbase", "--warning-threshold", "60"));
        Run show = csctl("-o", "json", "flashcopy", "show", "fcbase-1");
        assertSucceeded(show);
        dev.copyservices.api.agent.v1.FlashCopy fc = parse(show, dev.copyservices.api.agent.v1.FlashCopy.newBuilder())
                .build();
        assertEquals("fcbase-R1", fc.getRepository().getName());
        assertEquals(60, fc.getRepository().getWarningThresholdPercent());
        assertEquals(dev.copyservices.api.agent.v1.FlashCopyState.OPTIMAL, fc.getState());
        Run list = csctl("flashcopy", "list", "--base", "fcbase");
        assertSucceeded(list);
        assertTrue(list.out().contains("fcbase-1") && list.out().contains("Optimal"), list.transcript());
        assertSucceeded(csctl("flashcopy", "set", "fcbase-1", "--full-policy", "FailBaseWrites"));
        assertSucceeded(csctl("flashcopy", "repository", "grow", "fcbase-R1", "--by", "8MiB"));
        Run grown = csctl("-o", "json", "flashcopy", "show", "fcbase-1");
        assertEquals(fc.getRepository().getCapacityBytes() + 8 * 1024 * 1024, parse(grown,
                dev.copyservices.api.agent.v1.FlashCopy.newBuilder()).getRepository().getCapacityBytes());
        assertSucceeded(csctl("flashcopy", "disable", "fcbase-1"));
        assertSucceeded(csctl("flashcopy", "recreate", "fcbase-1"));
        Run ofFlashCopy = csctl("flashcopy", "create", "fcbase-1");
        assertAgentError(ofFlashCopy);
        assertHint(ofFlashCopy);
        Run badThreshold = csctl("flashcopy", "create", "fcbase", "--warning-threshold", "0");
        assertEquals(2, badThreshold.exit(), badThreshold.transcript());
        assertSucceeded(csctl("volume", "delete", "fcbase"));
        Run gone = csctl("flashcopy", "show", "fcbase-1");
        assertAgentError(gone);
    }

    private static <B extends com.google.protobuf.Message.Builder> B parse(Run run, B builder) {
        try {
            JsonFormat.parser().merge(run.out(), builder);
            return builder;
        } catch (IOException e) {
            throw new AssertionError("not protobuf JSON: " + e.getMessage() + "\n" + run.transcript(), e);
        }
    }
}
