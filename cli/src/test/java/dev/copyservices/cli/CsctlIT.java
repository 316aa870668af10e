package dev.copyservices.cli;

import static dev.copyservices.cli.CsctlProcess.assertAgentError;
import static dev.copyservices.cli.CsctlProcess.assertHint;
import static dev.copyservices.cli.CsctlProcess.assertSucceeded;
import static dev.copyservices.cli.CsctlProcess.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.util.JsonFormat;
import dev.copyservices.api.agent.v1.Array;
import dev.copyservices.api.agent.v1.CopyOptions;
import dev.copyservices.api.agent.v1.CreateVolumeRequest;
import dev.copyservices.api.agent.v1.ErrorDetail;
import dev.copyservices.api.agent.v1.Event;
import dev.copyservices.api.agent.v1.EventServiceGrpc;
import dev.copyservices.api.agent.v1.FlashCopyGroup;
import dev.copyservices.api.agent.v1.FlashCopyGroupServiceGrpc;
import dev.copyservices.api.agent.v1.FlashCopyRelationshipServiceGrpc;
import dev.copyservices.api.agent.v1.GetVolumeRequest;
import dev.copyservices.api.agent.v1.GroupPair;
import dev.copyservices.api.agent.v1.GroupRef;
import dev.copyservices.api.agent.v1.GroupState;
import dev.copyservices.api.agent.v1.ListRelationshipsRequest;
import dev.copyservices.api.agent.v1.ListVolumesResponse;
import dev.copyservices.api.agent.v1.PairState;
import dev.copyservices.api.agent.v1.Relationship;
import dev.copyservices.api.agent.v1.RelationshipRef;
import dev.copyservices.api.agent.v1.RelationshipState;
import dev.copyservices.api.agent.v1.Volume;
import dev.copyservices.api.agent.v1.VolumeServiceGrpc;
import dev.copyservices.api.agent.v1.WatchEventsRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import dev.copyservices.agent.it.AgentProcess;
import dev.copyservices.cli.CsctlProcess.Run;
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
    /** How long a background copy of the test's small volumes may take, at most. */
    private static final Duration COPY = Duration.ofSeconds(120);

    @TempDir
    static Path tmp;

    private static AgentProcess agent;
    private static String agentAddress;
    private static int nbdPort;
    private static ManagedChannel channel;
    private static CsctlProcess process;

    @BeforeAll
    static void startAgent() throws Exception {
        agent = AgentProcess.start(Files.createDirectories(tmp.resolve("pool")));
        agentAddress = agent.controlAddress();
        nbdPort = agent.nbdPort();
        channel = agent.channel();
        process = new CsctlProcess(agent, tmp);
    }

    @AfterAll
    static void stopAgent() throws InterruptedException {
        if (agent != null) {
            agent.close();
        }
    }

    private static Run csctl(String... args) throws Exception {
        return process.csctl(args);
    }

    private static Run csctlRaw(List<String> args) throws Exception {
        return process.raw(args);
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
        pb.environment().put(Csctl.INSECURE_DEV_ENV, "1"); // the test agent runs with --insecure-dev
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

    // ---------------------------------------------------------------------------------------------
    // FlashCopy Copy mode: relationships and groups, with the data checked through NBD by qemu-io.

    /** How csctl prints a point in time. */
    private static final String TIME = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ";
    /** 64 MiB volumes in 64 KiB regions. */
    private static final long REGIONS_64MIB = 1024;

    @Test
    void copyModeWithoutBackgroundCopyKeepsThePointInTimeAndWithdrawNeedsForceWhileIncomplete() throws Exception {
        createVolumes("64MiB", "cm-src", "cm-tgt");
        qemuIo("cm-src", "write -P 0xa1 0 4M", "write -P 0xa2 32M 1M");
        qemuIo("cm-tgt", "write -P 0xee 0 8M"); // what the target held before: replaced by the establish

        Run establish = csctl("flashcopy", "establish", "cm-src", "cm-tgt");
        assertSucceeded(establish);
        assertEquals("", establish.err(), establish.transcript());
        assertTrue(establish.out().matches("relationship \"cm-src\" -> \"cm-tgt\" established at " + TIME
                + ": NoBackgroundCopy, options none\n"), establish.transcript());
        String established = relationship("cm-tgt").getId();
        // asked again, the agent returns the same relationship: csctl says that no new point in time was taken
        Run again = csctl("flashcopy", "establish", "cm-src", "cm-tgt");
        assertSucceeded(again);
        assertTrue(again.out().matches("relationship \"cm-src\" -> \"cm-tgt\" already established at " + TIME
                + ": NoBackgroundCopy, options none\n"), again.transcript());
        assertEquals(List.of("warning: no new point in time was taken: \"cm-tgt\" keeps the image of \"cm-src\" as of "
                + again.out().substring(again.out().indexOf(" at ") + 4, again.out().indexOf("Z: ") + 1)
                + "; withdraw the relationship ('csctl flashcopy withdraw cm-tgt') and establish again for a new one"),
                again.err().lines().toList(), again.transcript());
        assertEquals(established, relationship("cm-tgt").getId());

        // the target shows the source's image at once, its own old content included nowhere
        qemuIo("cm-tgt", "read -P 0xa1 0 4M", "read -P 0 4M 28M", "read -P 0xa2 32M 1M", "read -P 0 33M 31M");
        // the source is overwritten, the target written: the target keeps the point in time elsewhere
        qemuIo("cm-src", "write -P 0xb1 0 1M", "write -P 0xb2 32M 64k");
        qemuIo("cm-tgt", "write -P 0xc1 40M 64k");
        qemuIo("cm-tgt", "read -P 0xa1 0 4M", "read -P 0xa2 32M 1M", "read -P 0xc1 40M 64k");
        qemuIo("cm-src", "read -P 0xb1 0 1M", "read -P 0xa1 1M 3M", "read -P 0xb2 32M 64k");

        Run list = csctl("flashcopy", "relationships", "--volume", "cm-src");
        assertSucceeded(list);
        List<String> rows = list.out().lines().toList();
        assertEquals(2, rows.size(), list.transcript());
        assertTrue(rows.get(0).matches("SOURCE +TARGET +STATE +COPIED +OPTIONS +POINT-IN-TIME +GROUP"),
                list.transcript());
        assertTrue(rows.get(1).matches("cm-src +cm-tgt +NoBackgroundCopy +\\d+(\\.\\d)?% +- +" + TIME + " +-"),
                list.transcript());

        Run show = csctl("flashcopy", "relationship", "cm-tgt");
        assertSucceeded(show);
        assertLine(show, "State: +NoBackgroundCopy");
        assertLine(show, "Options: +none");
        assertLine(show, "Flash count: +1");
        assertLine(show, " +Count: +" + REGIONS_64MIB);
        assertLine(show, " +Changed on source: +not tracked");

        // a source with one relationship names it too; the JSON is the agent's Relationship message
        Run json = csctl("-o", "json", "flashcopy", "relationship", "cm-src");
        assertSucceeded(json);
        Relationship r = parse(json, Relationship.newBuilder()).build();
        assertEquals("cm-src", r.getSource());
        assertEquals("cm-tgt", r.getTarget());
        assertEquals(RelationshipState.RELATIONSHIP_NO_BACKGROUND_COPY, r.getState());
        assertEquals(CopyOptions.getDefaultInstance(), r.getOptions());
        assertEquals(REGIONS_64MIB, r.getRegions());
        assertEquals(65536, r.getRegionBytes());
        // copied before the source writes (16 + 1 regions) and the target write (1): nothing else without a
        // background copy
        assertEquals(18, r.getCopiedRegions(), json.transcript());

        // withdrawing would lose the uncopied regions: refused, with what to do instead, and nothing changes
        Run refused = csctl("flashcopy", "withdraw", "cm-tgt");
        assertAgentError(refused);
        assertHint(refused);
        assertTrue(refused.errLines("error: ").get(0).contains("not every region is copied"), refused.transcript());
        assertTrue(refused.errLines("hint: ").get(0).contains("--force"), refused.transcript());
        assertTrue(refused.errLines("hint: ").get(0).contains("csctl flashcopy background-copy cm-tgt"),
                refused.transcript());
        assertEquals(r.getId(), relationship("cm-tgt").getId());

        // a volume in a relationship is neither deleted nor (as a source) resized
        Run delete = csctl("volume", "delete", "cm-src");
        assertAgentError(delete);
        assertHint(delete);
        assertTrue(delete.errLines("hint: ").get(0).contains("csctl flashcopy withdraw cm-tgt"), delete.transcript());
        Run resize = csctl("volume", "resize", "cm-src", "--size", "128MiB");
        assertAgentError(resize);
        assertHint(resize);
        assertEquals(64L << 20, volume("cm-src").getSizeBytes());

        Run forced = csctl("flashcopy", "withdraw", "cm-tgt", "--force");
        assertEquals(0, forced.exit(), forced.transcript());
        assertEquals("relationship \"cm-src\" -> \"cm-tgt\" withdrawn: \"cm-tgt\" is an incomplete copy\n", forced.out(),
                forced.transcript());
        assertEquals(List.of("warning: \"cm-tgt\" is an incomplete copy: 18 of 1024 regions were copied before the"
                + " withdraw, so it is not a usable image of \"cm-src\"; establish a relationship onto it again for a"
                + " complete copy"), forced.err().lines().toList(), forced.transcript());
        Run none = csctl("flashcopy", "relationships", "--volume", "cm-tgt");
        assertSucceeded(none);
        assertEquals("", none.out(), none.transcript());
        assertTrue(none.err().contains("no FlashCopy relationships of volume \"cm-tgt\""), none.transcript());

        Run incomplete = csctl("volume", "show", "cm-tgt");
        assertSucceeded(incomplete);
        assertLine(incomplete, "Incomplete copy: +a forced withdraw of the FlashCopy relationship from 'cm-src' .*"
                + " left 1006 of 1024 regions .*");
        // what it means: the copied regions hold the point in time, the others what the target held before
        qemuIo("cm-tgt", "read -P 0xa1 0 1M", "read -P 0xee 1M 3M", "read -P 0xa2 32M 64k", "read -P 0 8M 24M",
                "read -P 0xc1 40M 64k");

        // a new flash onto it makes it whole again and clears the note
        assertSucceeded(csctl("flashcopy", "establish", "cm-src", "cm-tgt"));
        assertEquals("", volume("cm-tgt").getIncompleteCopy());
        qemuIo("cm-tgt", "read -P 0xb1 0 1M", "read -P 0xa1 1M 3M", "read -P 0 4M 28M", "read -P 0xb2 32M 64k");
        assertSucceeded(csctl("flashcopy", "withdraw", "cm-src", "--force"));
        assertSucceeded(csctl("volume", "delete", "cm-src"));
        assertSucceeded(csctl("volume", "delete", "cm-tgt"));
    }

    @Test
    void copyModeBackgroundCopyPersistentIncrementalReflashAndReverse() throws Exception {
        createVolumes("64MiB", "cp-src", "cp-tgt");
        qemuIo("cp-src", "write -P 0x11 0 8M");

        long before = lastEvent();
        Run establish = csctl("flashcopy", "establish", "cp-src", "cp-tgt", "--background-copy", "--persistent",
                "--incremental");
        assertSucceeded(establish);
        assertTrue(establish.out().matches("relationship \"cp-src\" -> \"cp-tgt\" established at " + TIME
                + ": (Copying|Copied), options background copy, persistent, incremental\n"), establish.transcript());
        // overwritten while the copy may still run: the target keeps the point in time, now and after the copy
        qemuIo("cp-src", "write -P 0x22 0 1M");
        qemuIo("cp-tgt", "read -P 0x11 0 8M", "read -P 0 8M 56M");
        awaitEvents(before, "BACKGROUND_COPY_COMPLETED", "cp-tgt");
        qemuIo("cp-tgt", "read -P 0x11 0 8M", "read -P 0 8M 56M");

        Run copied = csctl("flashcopy", "relationship", "cp-tgt");
        assertSucceeded(copied);
        assertLine(copied, "State: +Copied");
        assertLine(copied, "Options: +background copy, persistent, incremental");
        assertLine(copied, " +Copied: +1024 regions \\(100%\\)");
        assertLine(copied, " +Changed on source: +16 regions");
        assertLine(copied, " +Changed on target: +0 regions");

        qemuIo("cp-tgt", "write -P 0x33 16M 128k");
        Relationship changed = relationship("cp-tgt");
        assertTrue(changed.getChangesTracked());
        assertEquals(16, changed.getSourceChangedRegions());
        assertEquals(2, changed.getTargetChangedRegions());

        // incremental: only the regions changed on either side are copied again
        before = lastEvent();
        Run reflash = csctl("flashcopy", "reflash", "cp-tgt");
        assertSucceeded(reflash);
        assertTrue(reflash.out().matches("relationship \"cp-src\" -> \"cp-tgt\" re-flashed at " + TIME
                + ": 18 of 1024 regions to copy\n"), reflash.transcript());
        qemuIo("cp-tgt", "read -P 0x22 0 1M", "read -P 0x11 1M 7M", "read -P 0 16M 128k");
        awaitEvents(before, "BACKGROUND_COPY_COMPLETED", "cp-tgt");
        Run json = csctl("-o", "json", "flashcopy", "relationship", "cp-tgt");
        assertSucceeded(json);
        Relationship reflashed = parse(json, Relationship.newBuilder()).build();
        assertEquals(2, reflashed.getFlashCount());
        assertEquals(18, reflashed.getRegionsToCopyAtFlash());
        assertEquals(RelationshipState.RELATIONSHIP_COPIED, reflashed.getState());
        assertEquals(0, reflashed.getSourceChangedRegions());

        // reverse overwrites the source: without --yes and with stdin closed it asks, hears no, changes nothing
        Run unconfirmed = csctl("flashcopy", "reverse", "cp-tgt");
        assertEquals(2, unconfirmed.exit(), unconfirmed.transcript());
        assertEquals("", unconfirmed.out(), unconfirmed.transcript());
        assertTrue(unconfirmed.err().startsWith("Reverse \"cp-src\" -> \"cp-tgt\": the content of \"cp-src\" is"
                + " overwritten with the image on \"cp-tgt\". Continue? [y/N] \n"), unconfirmed.transcript());
        assertTrue(unconfirmed.errLines("error: ").get(0).contains("not confirmed: nothing was changed"),
                unconfirmed.transcript());
        assertEquals("cp-src", relationship("cp-tgt").getSource());
        assertEquals(2, relationship("cp-tgt").getFlashCount());

        qemuIo("cp-src", "write -P 0x55 4M 64k");
        qemuIo("cp-tgt", "write -P 0x44 2M 64k");
        before = lastEvent();
        Run reverse = csctl("flashcopy", "reverse", "cp-tgt", "--yes");
        assertSucceeded(reverse);
        assertEquals("", reverse.err(), reverse.transcript());
        assertTrue(reverse.out().matches("relationship \"cp-tgt\" -> \"cp-src\" reversed at " + TIME
                + ": \"cp-src\" now holds the image of \"cp-tgt\"\n"), reverse.transcript());
        // the old source shows the target's image: its own later write is undone, the target's write is in it
        qemuIo("cp-src", "read -P 0x22 0 1M", "read -P 0x11 1M 1M", "read -P 0x44 2M 64k", "read -P 0x11 4M 64k",
                "read -P 0 16M 128k");
        Run reversed = csctl("flashcopy", "relationships", "--volume", "cp-src");
        assertSucceeded(reversed);
        assertTrue(reversed.out().lines().anyMatch(l -> l.matches("cp-tgt +cp-src +(Copying|Copied) +\\S+% +"
                + "bg,persistent,incremental +" + TIME + " +-")), reversed.transcript());
        awaitEvents(before, "BACKGROUND_COPY_COMPLETED", "cp-src");
        assertEquals(3, relationship("cp-src").getFlashCount());

        Run withdraw = csctl("flashcopy", "withdraw", "cp-src");
        assertSucceeded(withdraw);
        assertEquals("", withdraw.err(), withdraw.transcript());
        assertEquals("relationship \"cp-tgt\" -> \"cp-src\" withdrawn: \"cp-src\" is a complete copy\n", withdraw.out(),
                withdraw.transcript());
        assertEquals("", volume("cp-src").getIncompleteCopy());
        qemuIo("cp-src", "read -P 0x22 0 1M", "read -P 0x44 2M 64k", "read -P 0x11 4M 64k");
        assertSucceeded(csctl("volume", "delete", "cp-src"));
        assertSucceeded(csctl("volume", "delete", "cp-tgt"));
    }

    @Test
    void copyModeWithBackgroundCopyAloneEndsByItselfWithACompleteTarget() throws Exception {
        createVolumes("64MiB", "cb-src", "cb-tgt");
        qemuIo("cb-src", "write -P 0x61 0 2M", "write -P 0x62 60M 4M");
        long before = lastEvent();
        Run establish = csctl("-o", "json", "flashcopy", "establish", "cb-src", "cb-tgt", "--background-copy");
        assertSucceeded(establish);
        Relationship r = parse(establish, Relationship.newBuilder()).build();
        assertEquals(CopyOptions.newBuilder().setBackgroundCopy(true).build(), r.getOptions());
        assertEquals(1, r.getFlashCount());
        qemuIo("cb-src", "write -P 0x63 0 2M");
        List<Event> events = awaitEvents(before, "FLASHCOPY_RELATIONSHIP_ENDED", "cb-tgt");
        assertTrue(events.stream().anyMatch(e -> e.getReason().equals("FLASHCOPY_ESTABLISHED")
                && e.getObjectName().equals("cb-tgt")), events.toString());

        Run none = csctl("flashcopy", "relationships", "--volume", "cb-src");
        assertSucceeded(none);
        assertEquals("", none.out(), none.transcript());
        Run gone = csctl("flashcopy", "relationship", "cb-tgt");
        assertAgentError(gone);
        assertHint(gone);
        qemuIo("cb-tgt", "read -P 0x61 0 2M", "read -P 0 2M 58M", "read -P 0x62 60M 4M");
        Run show = csctl("volume", "show", "cb-tgt");
        assertSucceeded(show);
        assertFalse(show.out().contains("Incomplete copy"), show.transcript());
        assertSucceeded(csctl("volume", "delete", "cb-src"));
        assertSucceeded(csctl("volume", "delete", "cb-tgt"));
    }

    @Test
    void flashCopyGroupCreateAddFlashTerminateDiscoverAndDelete() throws Exception {
        createVolumes("32MiB", "ga", "ga-c", "gb", "gb-c", "gx");
        qemuIo("ga", "write -P 0xa1 0 1M");
        qemuIo("gb", "write -P 0xb1 0 1M");

        Run create = csctl("flashcopy-group", "create", "it-nightly", "--persistent");
        assertSucceeded(create);
        assertEquals("FlashCopy group \"it-nightly\" created: options persistent\n", create.out(), create.transcript());
        Run empty = csctl("flashcopy-group", "flash", "it-nightly");
        assertAgentError(empty);
        assertHint(empty);
        assertTrue(empty.errLines("hint: ").get(0).contains("csctl flashcopy-group add it-nightly"), empty.transcript());

        Run add = csctl("flashcopy-group", "add", "it-nightly", "ga", "ga-c");
        assertSucceeded(add);
        assertEquals("FlashCopy group \"it-nightly\" now has 1 pair: added \"ga\" -> \"ga-c\"\n", add.out(),
                add.transcript());
        assertSucceeded(csctl("flashcopy-group", "add", "it-nightly", "gb", "gb-c"));

        // a target belongs to one pair: another group cannot take it
        assertSucceeded(csctl("flashcopy-group", "create", "it-other"));
        Run taken = csctl("flashcopy-group", "add", "it-other", "gx", "ga-c");
        assertAgentError(taken);
        assertHint(taken);
        assertTrue(taken.errLines("error: ").get(0).contains("it-nightly"), taken.transcript());
        assertEquals(0, group("it-other").getPairsCount());

        Run defined = csctl("flashcopy-group", "show", "it-nightly");
        assertSucceeded(defined);
        assertLine(defined, "State: +Defined");
        assertLine(defined, "Last flash: +never");
        assertLine(defined, "Pairs: +2");
        assertLine(defined, "ga +ga-c +Defined +- +- +-");
        assertLine(defined, "gb +gb-c +Defined +- +- +-");

        Run flash = csctl("flashcopy-group", "flash", "it-nightly");
        assertSucceeded(flash);
        assertTrue(flash.out().matches("FlashCopy group \"it-nightly\" flashed at " + TIME
                + ": TargetAvailable, 2 pairs\n"), flash.transcript());
        qemuIo("ga", "write -P 0xa2 0 1M");
        qemuIo("gb", "write -P 0xb2 0 1M");
        qemuIo("ga-c", "read -P 0xa1 0 1M", "read -P 0 1M 31M");
        qemuIo("gb-c", "read -P 0xb1 0 1M", "read -P 0 1M 31M");

        Run json = csctl("-o", "json", "flashcopy-group", "show", "it-nightly");
        assertSucceeded(json);
        assertEquals("", json.err(), "a consistent group warns of nothing: " + json.transcript());
        FlashCopyGroup flashed = parse(json, FlashCopyGroup.newBuilder()).build();
        assertEquals(GroupState.GROUP_TARGET_AVAILABLE, flashed.getState());
        assertTrue(flashed.getConsistent(), json.transcript());
        assertEquals(2, flashed.getPairsCount());
        for (GroupPair p : flashed.getPairsList()) {
            assertEquals(PairState.PAIR_TARGET_AVAILABLE, p.getState(), json.transcript());
            assertEquals(flashed.getLastFlash(), p.getFlashTime(), "one point in time for every pair");
            assertEquals("it-nightly", p.getRelationship().getGroup());
            assertEquals(CopyOptions.newBuilder().setPersistent(true).build(), p.getRelationship().getOptions());
        }
        Run members = csctl("flashcopy", "relationships", "--group", "it-nightly");
        assertSucceeded(members);
        assertLine(members, "ga +ga-c +NoBackgroundCopy +\\S+% +persistent +" + TIME + " +it-nightly");
        assertLine(members, "gb +gb-c +NoBackgroundCopy +\\S+% +persistent +" + TIME + " +it-nightly");

        // no background copy yet: terminating would leave incomplete targets, so it is refused as a whole
        Run refused = csctl("flashcopy-group", "terminate", "it-nightly");
        assertAgentError(refused);
        assertHint(refused);
        assertEquals(GroupState.GROUP_TARGET_AVAILABLE, group("it-nightly").getState());
        assertEquals(2, relationships("", "it-nightly").size());

        long before = lastEvent();
        Run background = csctl("flashcopy-group", "background-copy", "it-nightly");
        assertSucceeded(background);
        assertTrue(background.out().startsWith("FlashCopy group \"it-nightly\" copying in the background: "),
                background.transcript());
        awaitEvents(before, "BACKGROUND_COPY_COMPLETED", "ga-c", "gb-c");
        Run terminate = csctl("flashcopy-group", "terminate", "it-nightly");
        assertSucceeded(terminate);
        assertEquals("FlashCopy group \"it-nightly\" terminated: Defined, 2 pairs\n", terminate.out(),
                terminate.transcript());
        assertEquals("", terminate.err(), terminate.transcript());
        assertTrue(relationships("", "it-nightly").isEmpty());
        qemuIo("ga-c", "read -P 0xa1 0 1M", "read -P 0 1M 31M");
        qemuIo("gb-c", "read -P 0xb1 0 1M");

        // discover adopts a relationship that exists outside the group; it is not proven consistent
        assertSucceeded(csctl("flashcopy", "establish", "ga", "ga-c", "--persistent"));
        Run discover = csctl("flashcopy-group", "discover", "it-nightly");
        assertEquals(0, discover.exit(), discover.transcript());
        assertEquals("FlashCopy group \"it-nightly\" discovered: 1 of 2 pairs TargetAvailable, Defined\n",
                discover.out(), discover.transcript());
        assertEquals(1, discover.errLines("warning: ").size(), discover.transcript());
        Run discovered = csctl("flashcopy-group", "show", "it-nightly");
        assertEquals(0, discovered.exit(), discovered.transcript());
        assertLine(discovered, "Consistent: +no");
        assertLine(discovered, "ga +ga-c +TargetAvailable +no \\(discovered\\) +- +\\S+%");
        assertLine(discovered, "gb +gb-c +Defined +- +- +-");
        assertEquals(1, discovered.errLines("warning: ").size(), discovered.transcript());

        // the group flash gives both pairs one point in time again
        assertSucceeded(csctl("flashcopy-group", "flash", "it-nightly"));
        FlashCopyGroup reflashed = group("it-nightly");
        assertTrue(reflashed.getConsistent(), reflashed.toString());
        assertTrue(reflashed.getPairsList().stream().noneMatch(GroupPair::getDiscovered), reflashed.toString());
        qemuIo("ga-c", "read -P 0xa2 0 1M");
        qemuIo("gb-c", "read -P 0xb2 0 1M");

        // a pair's volume is not deleted from under the group
        Run inGroup = csctl("volume", "delete", "ga-c");
        assertAgentError(inGroup);
        assertHint(inGroup);

        // one pair re-flashed on its own: the agent allows it, csctl warns that the group lost its point in time
        Run alone = csctl("flashcopy", "reflash", "gb-c");
        assertSucceeded(alone);
        assertEquals(List.of("warning: \"gb-c\" was re-flashed on its own, so FlashCopy group \"it-nightly\" no longer"
                + " holds one point in time; flash the whole group instead ('csctl flashcopy-group flash it-nightly')"),
                alone.err().lines().toList(), alone.transcript());
        Run split = csctl("flashcopy-group", "show", "it-nightly");
        assertLine(split, "Consistent: +no");
        assertEquals(List.of("warning: not every pair holds the group's point in time: \"gb\" -> \"gb-c\" (re-flashed on"
                + " its own); flash the group to give every pair one point in time ('csctl flashcopy-group flash"
                + " it-nightly')"), split.err().lines().toList(), split.transcript());

        // one pair withdrawn on its own: its target is incomplete, and the pair is Defined again
        Run withdrawn = csctl("flashcopy", "withdraw", "ga-c", "--force");
        assertEquals(0, withdrawn.exit(), withdrawn.transcript());
        List<String> warnings = withdrawn.errLines("warning: ");
        assertEquals(2, warnings.size(), withdrawn.transcript());
        assertTrue(warnings.get(0).startsWith("warning: \"ga-c\" is an incomplete copy"), withdrawn.transcript());
        assertTrue(warnings.get(1).startsWith("warning: \"ga\" -> \"ga-c\" was a pair of FlashCopy group"
                + " \"it-nightly\": the pair is Defined until the group is flashed again"), withdrawn.transcript());
        assertEquals(PairState.PAIR_DEFINED, group("it-nightly").getPairs(0).getState());

        Run forced = csctl("flashcopy-group", "terminate", "it-nightly", "--force");
        assertEquals(0, forced.exit(), forced.transcript());
        assertEquals("FlashCopy group \"it-nightly\" terminated: Defined, 2 pairs\n", forced.out(), forced.transcript());
        // no background copy since the re-flash: the target is left incomplete, and csctl says so
        assertEquals(List.of("warning: \"gb-c\" is an incomplete copy: the terminate ended its relationship before every"
                + " region was copied, so it is not a usable image of \"gb\"; flash the group again for a complete copy"
                + " ('csctl volume show gb-c' says what is missing)"), forced.err().lines().toList(), forced.transcript());
        assertLine(csctl("volume", "show", "gb-c"), "Incomplete copy: +a forced withdraw .*");

        assertSucceeded(csctl("flashcopy-group", "delete", "it-other"));
        Run delete = csctl("flashcopy-group", "delete", "it-nightly");
        assertSucceeded(delete);
        assertEquals("FlashCopy group \"it-nightly\" deleted\n", delete.out(), delete.transcript());
        Run gone = csctl("flashcopy-group", "show", "it-nightly");
        assertAgentError(gone);
        assertHint(gone);
    }

    @Test
    void copyModeWrongInputsAreRefusedWithAHintAndChangeNothing() throws Exception {
        createVolumes("64MiB", "w-src", "w-tgt", "w-tgt2", "w-src2");
        createVolumes("32MiB", "w-small");

        Map<String, Run> refused = refusedWithHints(
                List.of("flashcopy", "establish", "w-nosuch", "w-tgt"),
                List.of("flashcopy", "establish", "w-src", "w-nosuch"),
                List.of("flashcopy", "establish", "w-src", "w-small"),
                List.of("flashcopy", "establish", "w-src", "w-src"),
                List.of("flashcopy", "establish", "w-src", "w-tgt", "--incremental"),
                List.of("flashcopy", "withdraw", "w-small"),
                List.of("flashcopy", "reflash", "w-tgt"),
                List.of("flashcopy-group", "show", "w-nosuch"),
                List.of("flashcopy-group", "add", "w-nosuch", "w-src", "w-tgt"),
                List.of("flashcopy-group", "flash", "w-nosuch"));
        Run small = refused.get("flashcopy establish w-src w-small");
        assertTrue(small.errLines("error: ").get(0).contains("smaller"), small.transcript());
        assertTrue(small.errLines("hint: ").get(0).contains("csctl volume resize w-small"), small.transcript());
        Run incremental = refused.get("flashcopy establish w-src w-tgt --incremental");
        assertTrue(incremental.errLines("hint: ").get(0).contains("--persistent"), incremental.transcript());
        assertTrue(relationships("w-src", "").isEmpty(), "nothing was established");
        assertTrue(relationships("w-small", "").isEmpty(), "nothing was established");

        // a relationship that is not persistent is neither re-flashed nor reversed, nor re-established as one
        assertSucceeded(csctl("flashcopy", "establish", "w-src", "w-tgt"));
        refused = refusedWithHints(
                List.of("flashcopy", "reflash", "w-tgt"),
                List.of("flashcopy", "reverse", "w-tgt", "--yes"),
                List.of("flashcopy", "establish", "w-src", "w-tgt", "--persistent"),
                List.of("flashcopy", "establish", "w-src2", "w-tgt"));
        for (String notPersistent : List.of("flashcopy reflash w-tgt", "flashcopy reverse w-tgt --yes")) {
            Run run = refused.get(notPersistent);
            assertTrue(run.errLines("hint: ").get(0).contains("--persistent"), run.transcript());
        }

        // a persistent target takes no flash from anyone else
        assertSucceeded(csctl("flashcopy", "establish", "w-src", "w-tgt2", "--persistent"));
        Run persistentTarget = csctl("flashcopy", "establish", "w-src2", "w-tgt2");
        assertAgentError(persistentTarget);
        assertTrue(persistentTarget.errLines("hint: ").get(0).contains("csctl flashcopy reflash w-tgt2"),
                persistentTarget.transcript());

        // a source with two targets does not name a relationship; the hint names both targets
        Run ambiguous = csctl("flashcopy", "relationship", "w-src");
        assertAgentError(ambiguous);
        assertHint(ambiguous);
        assertTrue(ambiguous.errLines("hint: ").get(0).contains("w-tgt, w-tgt2"), ambiguous.transcript());
        Run ambiguousWithdraw = csctl("flashcopy", "withdraw", "w-src", "--force");
        assertAgentError(ambiguousWithdraw);

        // a Copy-mode target is no base for a Snapshot-mode FlashCopy
        Run snapshot = csctl("flashcopy", "create", "w-tgt2");
        assertAgentError(snapshot);
        assertHint(snapshot);
        Run noSnapshots = csctl("flashcopy", "list", "--base", "w-tgt2");
        assertEquals("", noSnapshots.out(), noSnapshots.transcript());

        Run left = csctl("flashcopy", "relationships", "--volume", "w-src");
        assertSucceeded(left);
        assertEquals(3, left.out().lines().count(), left.transcript());
        assertLine(left, "w-src +w-tgt +NoBackgroundCopy +\\S+% +- +" + TIME + " +-");
        assertLine(left, "w-src +w-tgt2 +NoBackgroundCopy +\\S+% +persistent +" + TIME + " +-");
        assertTrue(relationships("w-src2", "").isEmpty());
    }

    /** Runs each command; every one must be an agent error with a hint. By the command line, space-separated. */
    @SafeVarargs
    private static Map<String, Run> refusedWithHints(List<String>... commands) throws Exception {
        Map<String, Run> runs = new HashMap<>();
        for (List<String> command : commands) {
            Run run = csctl(command.toArray(String[]::new));
            assertAgentError(run);
            assertHint(run);
            runs.put(String.join(" ", command), run);
        }
        return runs;
    }

    private static void createVolumes(String size, String... names) throws Exception {
        for (String name : names) {
            assertSucceeded(csctl("volume", "create", name, "--size", size));
        }
    }

    private static void assertLine(Run run, String regex) {
        assertTrue(run.out().lines().anyMatch(l -> l.matches(regex)), "no line matches /" + regex + "/\n"
                + run.transcript());
    }

    private static void qemuIo(String volume, String... commands) throws Exception {
        process.qemuIo(volume, commands);
    }

    /** The sequence of the newest event the agent holds: follow from after it to see what comes next. */
    private static long lastEvent() {
        long last = 0;
        Iterator<Event> events = EventServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .watchEvents(WatchEventsRequest.getDefaultInstance());
        while (events.hasNext()) {
            last = Math.max(last, events.next().getSequence());
        }
        return last;
    }

    /**
     * Follows {@code csctl -o json events --follow --after AFTER} until an event with {@code reason} came for
     * every one of {@code objects}, and returns the events read. Fails on a relationship failure, or when
     * csctl ends or the deadline passes first (a watchdog ends csctl then, which ends the stream).
     */
    private static List<Event> awaitEvents(long after, String reason, String... objects) throws Exception {
        List<String> command = List.of(AgentProcess.root().resolve("bin/csctl").toString(), "--agent", agentAddress,
                "-o", "json", "events", "--follow", "--after", Long.toString(after));
        Path err = Files.createTempFile(tmp, "follow", ".err");
        ProcessBuilder pb = AgentProcess.sameJdk(new ProcessBuilder(command));
        pb.environment().remove(Csctl.AGENT_ENV);
        pb.environment().put(Csctl.INSECURE_DEV_ENV, "1"); // the test agent runs with --insecure-dev
        pb.redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        Process follow = pb.start();
        CompletableFuture<Void> watchdog = CompletableFuture.runAsync(follow::destroyForcibly,
                CompletableFuture.delayedExecutor(COPY.toSeconds(), TimeUnit.SECONDS));
        Set<String> missing = new HashSet<>(List.of(objects));
        List<Event> seen = new ArrayList<>();
        try (BufferedReader lines = follow.inputReader(StandardCharsets.UTF_8)) {
            String line;
            while (!missing.isEmpty() && (line = lines.readLine()) != null) {
                Event.Builder event = Event.newBuilder();
                JsonFormat.parser().merge(line, event);
                seen.add(event.build());
                if (event.getReason().equals("FLASHCOPY_RELATIONSHIP_FAILED")) {
                    fail("a relationship failed while waiting for " + reason + ": " + event.getMessage());
                }
                if (event.getReason().equals(reason)) {
                    missing.remove(event.getObjectName());
                }
            }
        } finally {
            watchdog.cancel(false);
            follow.destroyForcibly();
            follow.waitFor();
        }
        assertTrue(missing.isEmpty(), "no " + reason + " for " + missing + " within " + COPY.toSeconds() + " s after"
                + " event " + after + "; csctl events printed " + seen + "\nand on stderr:\n" + Files.readString(err));
        return seen;
    }

    private static Volume volume(String name) {
        return VolumeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .getVolume(GetVolumeRequest.newBuilder().setName(name).build());
    }

    private static Relationship relationship(String name) {
        return FlashCopyRelationshipServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .getRelationship(RelationshipRef.newBuilder().setName(name).build());
    }

    private static List<Relationship> relationships(String volume, String group) {
        return FlashCopyRelationshipServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .listRelationships(ListRelationshipsRequest.newBuilder().setVolume(volume).setGroup(group).build())
                .getRelationshipsList();
    }

    private static FlashCopyGroup group(String name) {
        return FlashCopyGroupServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .getGroup(GroupRef.newBuilder().setName(name).build());
    }
}
