package dev.copyservices.agent.it;

import static dev.copyservices.agent.it.VolumeCopies.awaitCompleted;
import static dev.copyservices.agent.it.VolumeCopies.copies;
import static dev.copyservices.agent.it.VolumeCopies.createVolume;
import static dev.copyservices.agent.it.VolumeCopies.get;
import static dev.copyservices.agent.it.VolumeCopies.ref;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.api.agent.v1.Array;
import dev.copyservices.api.agent.v1.ArrayServiceGrpc;
import dev.copyservices.api.agent.v1.CopyPriority;
import dev.copyservices.api.agent.v1.CopyState;
import dev.copyservices.api.agent.v1.GetArrayRequest;
import dev.copyservices.api.agent.v1.RecopyRequest;
import dev.copyservices.api.agent.v1.RemoveCopiesRequest;
import dev.copyservices.api.agent.v1.UpdateCopiesRequest;
import dev.copyservices.api.agent.v1.VolumeCopy;
import io.grpc.Status;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent restarted with --disable-feature volumecopy while pairs exist: new pairs are refused
 * (FAILED_PRECONDITION, FEATURE_DISABLED), the array reports volumecopy out of compliance, and the
 * existing pairs keep working: recopy, update (priority and target_read_only), stop and remove. Once
 * they are removed the array is in compliance again.
 *
 * <p>The second agent runs one copy at a time and resumes a 2 TiB thin copy at Lowest, which holds that
 * slot for minutes: the recopied pair is Pending until the test stops the big one.
 */
class VolumeCopyComplianceIT {
    private static final long MIB = 1 << 20;
    private static final long HUGE = 2L << 40;
    private static final String EPERM = "Operation not permitted";

    @TempDir
    Path pool;

    @Test
    void withTheFeatureDisabledExistingPairsKeepWorkingNewOnesAreRefusedAndTheArrayIsOutOfComplianceUntilRemoved()
            throws Exception {
        try (AgentProcess first = AgentProcess.start(pool)) {
            createVolume(first, "src", 64 * MIB);
            createVolume(first, "tgt", 64 * MIB);
            createVolume(first, "other", 64 * MIB);
            Tools.qemuIoOk(first.nbdUri("src"), List.of("write -P 0x21 0 64M"));
            VolumeCopies.create(first, "src", "tgt", CopyPriority.COPY_PRIORITY_HIGHEST);
            awaitCompleted(first, "tgt", "first agent");
            createVolume(first, "huge-src", HUGE);
            createVolume(first, "huge-tgt", HUGE);
            VolumeCopy huge = VolumeCopies.create(first, "huge-src", "huge-tgt", CopyPriority.COPY_PRIORITY_LOWEST);
            assertEquals(CopyState.COPY_IN_PROGRESS, huge.getState());
            Array enabled = array(first);
            assertTrue(enabled.getEnabledFeaturesList().contains("volumecopy"), enabled.toString());
            assertEquals(List.of(), enabled.getFeaturesOutOfComplianceList());
        }

        try (AgentProcess agent = AgentProcess.start(pool, "--disable-feature", "volumecopy",
                "--max-copies-in-progress", "1")) {
            Array array = array(agent);
            assertEquals(List.of("volumecopy"), array.getFeaturesOutOfComplianceList(), array.toString());
            assertFalse(array.getEnabledFeaturesList().contains("volumecopy"), array.toString());
            assertTrue(array.getEnabledFeaturesList().contains("flashcopy"), array.toString());
            assertEquals(2, array.getCounts().getVolumeCopies());
            assertEquals(1, array.getCounts().getCopiesInProgress(), "the big copy continues after the restart");
            // and its hosts are held off as before the restart
            assertTrue(Tools.qemuIo(agent.nbdUri("huge-src"), List.of("write -P 0x44 0 64K")).output()
                    .contains(EPERM), "the running pair's source took a write after the restart");
            assertTrue(Tools.qemuIo(agent.nbdUri("huge-tgt"), List.of("read 0 64K")).output().contains(EPERM),
                    "the running pair's target took a read after the restart");
            Tools.qemuIoOk(true, agent.nbdUri("tgt"), List.of("read -P 0x21 0 1M"));
            assertTrue(Tools.qemuIo(agent.nbdUri("tgt"), List.of("write -P 0x44 0 64K")).output().contains(EPERM),
                    "the Completed pair's target took a write after the restart");

            VolumeCopies.fails(Status.Code.FAILED_PRECONDITION, "FEATURE_DISABLED",
                    () -> VolumeCopies.create(agent, "src", "other", CopyPriority.COPY_PRIORITY_HIGHEST));

            // update: priority and target_read_only of the Completed pair
            VolumeCopy updated = copies(agent).updateCopies(UpdateCopiesRequest.newBuilder().addTargets("tgt")
                    .setPriority(CopyPriority.COPY_PRIORITY_LOW).setTargetReadOnly(false).build()).getCopies(0);
            assertEquals(CopyPriority.COPY_PRIORITY_LOW, updated.getPriority());
            assertFalse(updated.getTargetReadOnly());
            Tools.qemuIoOk(agent.nbdUri("tgt"), List.of("write -P 0x5a 0 1M", "read -P 0x5a 0 1M"));

            // recopy: waits for the one slot the big copy holds
            VolumeCopy recopied = copies(agent).recopy(RecopyRequest.newBuilder().setTarget("tgt")
                    .setPriority(CopyPriority.COPY_PRIORITY_HIGH).build());
            assertEquals(CopyState.COPY_PENDING, recopied.getState(), recopied.toString());
            assertEquals(CopyPriority.COPY_PRIORITY_HIGH, recopied.getPriority());
            assertTrue(recopied.getTargetReadOnly(), "a recopy turns target_read_only on again");
            assertEquals(CopyPriority.COPY_PRIORITY_HIGHEST, copies(agent).updateCopies(UpdateCopiesRequest
                    .newBuilder().addTargets("tgt").setPriority(CopyPriority.COPY_PRIORITY_HIGHEST).build())
                    .getCopies(0).getPriority());

            // stop: the big copy ends, its slot goes to the recopy
            VolumeCopy stopped = copies(agent).stopCopy(ref("huge-tgt"));
            assertEquals(CopyState.COPY_STOPPED, stopped.getState(), stopped.toString());
            awaitCompleted(agent, "tgt", "recopy with the feature disabled");
            Tools.qemuIoOk(true, agent.nbdUri("tgt"), List.of("read -P 0x21 0 64M"));
            assertEquals(CopyState.COPY_STOPPED, get(agent, "huge-tgt").getState());

            // remove: the array is in compliance again; the feature stays off
            assertEquals(2, copies(agent).removeCopies(RemoveCopiesRequest.newBuilder().addTargets("tgt")
                    .addTargets("huge-tgt").build()).getRemovedCount());
            array = array(agent);
            assertEquals(List.of(), array.getFeaturesOutOfComplianceList(), array.toString());
            assertEquals(0, array.getCounts().getVolumeCopies());
            assertFalse(array.getEnabledFeaturesList().contains("volumecopy"), array.toString());
            VolumeCopies.fails(Status.Code.FAILED_PRECONDITION, "FEATURE_DISABLED",
                    () -> VolumeCopies.create(agent, "src", "other", CopyPriority.COPY_PRIORITY_HIGHEST));
        }
    }

    private static Array array(AgentProcess agent) {
        return ArrayServiceGrpc.newBlockingStub(agent.channel()).withDeadlineAfter(30, TimeUnit.SECONDS)
                .getArray(GetArrayRequest.getDefaultInstance());
    }
}
