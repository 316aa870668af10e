package dev.copyservices.cli;

import static dev.copyservices.cli.CsctlProcess.assertAgentError;
import static dev.copyservices.cli.CsctlProcess.assertHint;
import static dev.copyservices.cli.CsctlProcess.assertSucceeded;
import static dev.copyservices.cli.CsctlProcess.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.it.AgentEvents;
import dev.copyservices.agent.it.AgentProcess;
import dev.copyservices.api.agent.v1.CopyState;
import dev.copyservices.api.agent.v1.VolumeCopy;
import dev.copyservices.cli.CsctlProcess.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * VolumeCopy through csctl against the real agent, the data checked through NBD by qemu-io: the restore
 * flow of docs/volumecopy.md, command for command.
 */
class VolumeCopyCsctlIT {
    @TempDir
    static Path tmp;

    private static AgentProcess agent;
    private static CsctlProcess process;

    @BeforeAll
    static void startAgent() throws Exception {
        agent = AgentProcess.start(Files.createDirectories(tmp.resolve("pool")));
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

    /** Runs a command that starts a copy and returns once the copy onto {@code target} completed. */
    private static Run copyAndWait(String target, String... args) throws Exception {
        long after = AgentEvents.lastSequence(agent);
        Run run = csctl(args);
        assertSucceeded(run);
        AgentEvents.await(agent, after, "VOLUMECOPY_COMPLETED", Set.of(target), String.join(" ", args));
        return run;
    }

    private static VolumeCopy show(String target) throws Exception {
        Run run = csctl("-o", "json", "volumecopy", "show", target);
        assertSucceeded(run);
        return parse(run, VolumeCopy.newBuilder()).build();
    }

    @Test
    void restoreFlowFromTheDocsPutsTheNightlyImageBackOntoTheBase() throws Exception {
        assertSucceeded(csctl("volume", "create", "db", "--size", "64MiB"));
        process.qemuIo("db", "write -P 0x11 0 64M");
        assertSucceeded(csctl("flashcopy", "create", "db", "--name", "db-nightly"));
        process.qemuIo("db", "write -P 0x66 0 4M"); // the damage (within the repository's 20%)

        assertSucceeded(csctl("volume", "create", "db-restore", "--size", "64MiB"));
        Run first = copyAndWait("db-restore", "volumecopy", "create", "--source", "db-nightly", "--target",
                "db-restore", "--priority", "highest", "--yes");
        assertTrue(first.errLines("warning:").isEmpty(), "a FlashCopy source needs no warning\n" + first.transcript());
        VolumeCopy restored = show("db-restore");
        assertEquals(CopyState.COPY_COMPLETED, restored.getState());
        assertTrue(restored.getTargetReadOnly());
        process.qemuIo("db-restore", "read -P 0x11 0 64M");

        Run refused = csctl("volumecopy", "create", "--source", "db-restore", "--target", "db", "--yes");
        assertAgentError(refused);
        assertHint(refused);
        assertTrue(refused.err().contains("db-nightly") && refused.err().contains("csctl flashcopy disable"),
                refused.transcript());
        assertSucceeded(csctl("flashcopy", "disable", "db-nightly"));
        Run back = copyAndWait("db", "volumecopy", "create", "--source", "db-restore", "--target", "db",
                "--priority", "highest", "--yes");
        assertTrue(back.err().contains("warning: the source 'db-restore' is not a FlashCopy"), back.transcript());
        assertSucceeded(csctl("volumecopy", "remove", "db", "db-restore"));
        process.qemuIo("db", "read -P 0x11 0 64M", "write -P 0x22 0 4k");
        Run flashCopy = csctl("-o", "json", "flashcopy", "show", "db-nightly");
        assertSucceeded(flashCopy);
        assertTrue(flashCopy.out().contains("\"FAILED\""), "the copy failed the base's FlashCopy\n"
                + flashCopy.transcript());
    }

    @Test
    void hostsGetEpermWhileACopyRunsAndTheTargetStaysReadOnlyUntilTurnedOff() throws Exception {
        assertSucceeded(csctl("volume", "create", "app", "--size", "64MiB"));
        process.qemuIo("app", "write -P 0x33 0 64M");
        assertSucceeded(csctl("volume", "create", "app-copy", "--size", "64MiB"));
        copyAndWait("app-copy", "volumecopy", "create", "--source", "app", "--target", "app-copy", "--yes");
        String refusedWrite = process.qemuIoOutput("app-copy", "write -P 0x44 0 4k");
        assertTrue(refusedWrite.contains("Operation not permitted"), refusedWrite);
        process.qemuIo("app-copy", "read -P 0x33 0 64M");
        Run show = csctl("volumecopy", "show", "app-copy");
        assertSucceeded(show);
        assertTrue(show.out().contains("Completed"), show.transcript());
        assertSucceeded(csctl("volumecopy", "set", "app-copy", "--target-read-only", "false"));
        process.qemuIo("app-copy", "write -P 0x44 0 4k", "read -P 0x44 0 4k");
        Run badValue = csctl("volumecopy", "set", "app-copy", "--target-read-only", "yes");
        assertEquals(2, badValue.exit(), badValue.transcript());
        Run stopCompleted = csctl("volumecopy", "stop", "app-copy", "--yes");
        assertAgentError(stopCompleted);
        assertHint(stopCompleted);
    }

    @Test
    void createWithWaitReturnsOnlyOnceTheTargetHoldsTheWholeCopy() throws Exception {
        assertSucceeded(csctl("volume", "create", "big", "--size", "64MiB"));
        process.qemuIo("big", "write -P 0x5a 0 64M");
        assertSucceeded(csctl("volume", "create", "big-copy", "--size", "64MiB"));
        Run waited = csctl("volumecopy", "create", "--source", "big", "--target", "big-copy", "--yes", "--wait",
                "--interval", "0.05");
        assertSucceeded(waited);
        List<String> lines = waited.out().lines().toList();
        assertEquals("VolumeCopy \"big\" -> \"big-copy\": Completed", lines.get(lines.size() - 1), waited.transcript());
        // no polling here: the command itself waited, so the copy is complete when it returns
        assertEquals(CopyState.COPY_COMPLETED, show("big-copy").getState());
        process.qemuIo("big-copy", "read -P 0x5a 0 64M");

        // the same in JSON: one object, the pair as it completed
        assertSucceeded(csctl("volumecopy", "set", "big-copy", "--target-read-only", "false"));
        Run json = csctl("-o", "json", "volumecopy", "recopy", "big-copy", "--yes", "--wait", "--interval", "0.05");
        assertSucceeded(json);
        assertEquals(CopyState.COPY_COMPLETED, parse(json, VolumeCopy.newBuilder()).build().getState(),
                json.transcript());
    }
}
