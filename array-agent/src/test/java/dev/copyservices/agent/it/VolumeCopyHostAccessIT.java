package dev.copyservices.agent.it;

import static dev.copyservices.agent.it.VolumeCopies.awaitCompleted;
import static dev.copyservices.agent.it.VolumeCopies.copies;
import static dev.copyservices.agent.it.VolumeCopies.createVolume;
import static dev.copyservices.agent.it.VolumeCopies.get;
import static dev.copyservices.agent.it.VolumeCopies.ref;
import static dev.copyservices.agent.it.VolumeCopies.volume;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.api.agent.v1.CopyPriority;
import dev.copyservices.api.agent.v1.CopyState;
import dev.copyservices.api.agent.v1.RemoveCopiesRequest;
import dev.copyservices.api.agent.v1.UpdateCopiesRequest;
import dev.copyservices.api.agent.v1.VolumeCopy;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What NBD hosts (qemu-io) may do with a pair's volumes, state by state: while Pending or InProgress
 * the source only reads and the target refuses reads and writes with EPERM; a stop gives the source its
 * writes back; once Completed the target only reads until target_read_only is turned off; removing the
 * pair lifts every restriction. Volume.access_restriction says why while a restriction holds and is
 * empty otherwise.
 *
 * <p>The InProgress pair copies a 2 TiB thin volume at Lowest: it holds its slot (the agent runs one
 * copy at a time) for minutes, far longer than the checks, so the second pair stays Pending while it
 * is checked. Each block of checks ends by asserting that the state it checked still holds, which,
 * states moving only forward, proves it held throughout.
 */
class VolumeCopyHostAccessIT {
    private static final long MIB = 1 << 20;
    private static final long HUGE = 2L << 40;
    private static final String EPERM = "Operation not permitted";

    @TempDir
    Path pool;
    private AgentProcess agent;

    @BeforeEach
    void start() throws Exception {
        agent = AgentProcess.start(pool, "--max-copies-in-progress", "1");
    }

    @AfterEach
    void stop() throws Exception {
        agent.close();
    }

    @Test
    void whilePendingOrInProgressTheSourceOnlyReadsAndTheTargetRefusesAllHostIoUntilTheCopyIsStopped()
            throws Exception {
        createVolume(agent, "a-src", HUGE);
        createVolume(agent, "a-tgt", HUGE);
        Tools.qemuIoOk(agent.nbdUri("a-src"), List.of("write -P 0x11 0 1M"));
        createVolume(agent, "b-src", 64 * MIB);
        createVolume(agent, "b-tgt", 64 * MIB);
        Tools.qemuIoOk(agent.nbdUri("b-src"), List.of("write -P 0x22 0 64M"));
        Tools.qemuIoOk(agent.nbdUri("b-tgt"), List.of("write -P 0x33 0 64M"));

        VolumeCopy a = VolumeCopies.create(agent, "a-src", "a-tgt", CopyPriority.COPY_PRIORITY_LOWEST);
        assertEquals(CopyState.COPY_IN_PROGRESS, a.getState(), a.toString());
        VolumeCopy b = VolumeCopies.create(agent, "b-src", "b-tgt", CopyPriority.COPY_PRIORITY_HIGHEST);
        assertEquals(CopyState.COPY_PENDING, b.getState(), "one copy at a time: " + b);
        assertEquals(1, b.getQueuePosition());

        assertActiveRestrictions("a-src", "a-tgt", 0x11, "InProgress");
        assertEquals(CopyState.COPY_IN_PROGRESS, get(agent, "a-tgt").getState(), "test flaw: the 2 TiB copy left"
                + " InProgress during the checks, so they did not all run while it was InProgress");
        assertActiveRestrictions("b-src", "b-tgt", 0x22, "Pending");
        assertEquals(CopyState.COPY_PENDING, get(agent, "b-tgt").getState(), "test flaw: the second pair started"
                + " during the checks, so they did not all run while it was Pending");

        // a stop gives the source its writes back; the target holds a partial copy and stays read-only
        assertEquals(CopyState.COPY_STOPPED, copies(agent).stopCopy(ref("b-tgt")).getState());
        assertWritable("b-src", "Pending pair, stopped");
        Tools.qemuIoOk(agent.nbdUri("b-tgt"), List.of("read 0 64M"));
        assertRefused("b-tgt", "write -P 0x55 0 64K", "stopped pair's target (target_read_only)");
        VolumeCopy stopped = copies(agent).stopCopy(ref("a-tgt"));
        assertEquals(CopyState.COPY_STOPPED, stopped.getState());
        assertTrue(stopped.getBytesCopied() < stopped.getBytesTotal(), stopped.toString());
        assertWritable("a-src", "InProgress pair, stopped");
        assertEquals("", volume(agent, "a-src").getAccessRestriction());
        assertEquals("", volume(agent, "b-src").getAccessRestriction());
        Tools.qemuIoOk(agent.nbdUri("a-tgt"), List.of("read -P 0x11 0 1M"));
        assertRefused("a-tgt", "write -P 0x55 0 64K", "stopped pair's target (target_read_only)");
        assertRestricted("a-tgt", "stopped pair's target");

        copies(agent).removeCopies(RemoveCopiesRequest.newBuilder().addTargets("a-tgt").addTargets("b-tgt").build());
        for (String name : List.of("a-src", "a-tgt", "b-src", "b-tgt")) {
            assertEquals("", volume(agent, name).getAccessRestriction(), name + " after RemoveCopies");
        }
        assertWritable("a-tgt", "target after RemoveCopies");
        assertWritable("b-tgt", "target after RemoveCopies");
    }

    @Test
    void aCompletedCopysTargetOnlyReadsUntilTargetReadOnlyIsTurnedOffAndRemovingThePairLiftsIt() throws Exception {
        createVolume(agent, "src", 64 * MIB);
        createVolume(agent, "tgt", 64 * MIB);
        Tools.qemuIoOk(agent.nbdUri("src"), List.of("write -P 0x66 0 64M"));
        VolumeCopies.create(agent, "src", "tgt", CopyPriority.COPY_PRIORITY_HIGHEST);
        VolumeCopy completed = awaitCompleted(agent, "tgt", "completed pair");
        assertTrue(completed.getTargetReadOnly(), completed.toString());

        Tools.qemuIoOk(agent.nbdUri("tgt"), List.of("read -P 0x66 0 64M"));
        assertRefused("tgt", "write -P 0x77 0 64K", "Completed pair's target");
        assertRefused("tgt", "write -z 0 64K", "Completed pair's target");
        assertRestricted("tgt", "Completed pair's target");
        assertWritable("src", "Completed pair's source");
        assertEquals("", volume(agent, "src").getAccessRestriction());

        VolumeCopy writable = copies(agent).updateCopies(UpdateCopiesRequest.newBuilder().addTargets("tgt")
                .setTargetReadOnly(false).build()).getCopies(0);
        assertEquals(false, writable.getTargetReadOnly());
        assertWritable("tgt", "target with target_read_only off");
        assertEquals("", volume(agent, "tgt").getAccessRestriction());

        copies(agent).updateCopies(UpdateCopiesRequest.newBuilder().addTargets("tgt").setTargetReadOnly(true).build());
        assertRefused("tgt", "write -P 0x77 0 64K", "target with target_read_only on again");
        assertRestricted("tgt", "target with target_read_only on again");

        copies(agent).removeCopies(RemoveCopiesRequest.newBuilder().addTargets("tgt").build());
        assertEquals("", volume(agent, "tgt").getAccessRestriction());
        assertWritable("tgt", "target after RemoveCopies");
        Tools.qemuIoOk(agent.nbdUri("tgt"), List.of("read -P 0x66 64K 1M")); // the copy stays on the target
    }

    /**
     * Source: reads work, writes (and zeroing) get EPERM. Target: reads and writes get EPERM. Both say
     * why, naming the pair's state.
     */
    private void assertActiveRestrictions(String source, String target, int sourcePattern, String state)
            throws Exception {
        String context = state + " pair";
        Tools.qemuIoOk(agent.nbdUri(source), List.of("read -P " + sourcePattern + " 0 1M"));
        assertRefused(source, "write -P 0x44 0 64K", context + " source");
        assertRefused(source, "write -z 1M 64K", context + " source");
        assertRefused(target, "read 0 64K", context + " target");
        assertRefused(target, "write -P 0x44 0 64K", context + " target");
        assertRestricted(source, context + " source");
        assertRestricted(target, context + " target");
        for (String volume : List.of(source, target)) {
            String why = volume(agent, volume).getAccessRestriction();
            assertTrue(why.contains("(" + state + ")"), context + ": access_restriction of " + volume + " does not"
                    + " name the pair's state " + state + ": '" + why + "'");
        }
        // the refused writes left no trace
        Tools.qemuIoOk(agent.nbdUri(source), List.of("read -P " + sourcePattern + " 0 1M"));
    }

    private void assertRefused(String volume, String command, String context) throws Exception {
        Tools.Result result = Tools.qemuIo(agent.nbdUri(volume), List.of(command));
        assertTrue(result.output().contains(EPERM), context + ": '" + command + "' on " + volume + " was not refused"
                + " with EPERM:\n" + result.output());
    }

    private void assertRestricted(String volume, String context) {
        String why = volume(agent, volume).getAccessRestriction();
        assertTrue(why.contains("VolumeCopy"), context + ": access_restriction of " + volume + " does not say why: '"
                + why + "'");
    }

    /** A write succeeds and reads back. */
    private void assertWritable(String volume, String context) throws Exception {
        try {
            Tools.qemuIoOk(agent.nbdUri(volume), List.of("write -P 0x5a 2M 64K", "read -P 0x5a 2M 64K"));
        } catch (AssertionError e) {
            throw new AssertionError(context + ": " + volume + " is not writable: " + e.getMessage(), e);
        }
    }
}
