package dev.copyservices.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.api.agent.v1.CopyOptions;
import dev.copyservices.api.agent.v1.CreateGroupRequest;
import dev.copyservices.api.agent.v1.CreateVolumeRequest;
import dev.copyservices.api.agent.v1.FlashCopyGroup;
import dev.copyservices.api.agent.v1.FlashCopyGroupServiceGrpc;
import dev.copyservices.api.agent.v1.FlashCopyGroupServiceGrpc.FlashCopyGroupServiceBlockingStub;
import dev.copyservices.api.agent.v1.GetVolumeRequest;
import dev.copyservices.api.agent.v1.GroupPairRequest;
import dev.copyservices.api.agent.v1.GroupRef;
import dev.copyservices.api.agent.v1.GroupState;
import dev.copyservices.api.agent.v1.TerminateGroupRequest;
import dev.copyservices.api.agent.v1.VolumeServiceGrpc;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seed 000's data-loss case, made impossible: an application writes continuously to a FlashCopy
 * target (the practice volume H2) while its group is terminated. The hardware of the seed discarded
 * the target's cached writes at terminate; here every write the client saw acknowledged reads back
 * afterwards, with the copy complete and with a forced terminate of an incomplete copy.
 */
class TerminateWithTargetWritesIT {
    private static final long SIZE = 64L << 20;
    private static final int SLOT = 4096;
    private static final int WRITES = 6000;
    private static final int TERMINATE_AT = 500;

    @TempDir
    Path pool;

    @Test
    void terminateOfACompleteGroupKeepsEveryWriteTheTargetAcknowledged() throws Exception {
        try (AgentProcess agent = AgentProcess.start(pool)) {
            long after = AgentEvents.lastSequence(agent);
            FlashCopyGroupServiceBlockingStub groups = prepare(agent, true);
            AgentEvents.await(agent, after, "BACKGROUND_COPY_COMPLETED", java.util.Set.of("h2", "k2"), "practice");
            Map<Integer, Integer> written = writeWhileTerminating(agent, groups, false, new Random(1));
            List<String> reads = new ArrayList<>();
            for (long slot = 0; slot < SIZE / SLOT; slot++) {
                Integer pattern = written.get((int) slot);
                reads.add("read -P " + (pattern == null ? 7 : pattern) + " " + slot * SLOT + " " + SLOT);
            }
            Tools.qemuIoOk(agent.nbdUri("h2"), reads); // every slot: the last acknowledged write, or the copy
            assertEquals("", volumes(agent).getVolume(GetVolumeRequest.newBuilder().setName("h2").build())
                    .getIncompleteCopy());
        }
    }

    @Test
    void aForcedTerminateOfAnIncompleteCopyKeepsTheTargetsWritesAndSaysTheCopyIsIncomplete() throws Exception {
        try (AgentProcess agent = AgentProcess.start(pool)) {
            FlashCopyGroupServiceBlockingStub groups = prepare(agent, false);
            Map<Integer, Integer> written = writeWhileTerminating(agent, groups, true, new Random(2));
            List<String> reads = new ArrayList<>();
            written.forEach((slot, pattern) -> reads.add("read -P " + pattern + " " + (long) slot * SLOT + " " + SLOT));
            Tools.qemuIoOk(agent.nbdUri("h2"), reads);
            assertFalse(volumes(agent).getVolume(GetVolumeRequest.newBuilder().setName("h2").build())
                    .getIncompleteCopy().isEmpty());
        }
    }

    private static VolumeServiceGrpc.VolumeServiceBlockingStub volumes(AgentProcess agent) {
        return VolumeServiceGrpc.newBlockingStub(agent.channel()).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    /** I2 -> H2 and a second pair in a group, flashed; I2 holds pattern 7 everywhere. */
    private static FlashCopyGroupServiceBlockingStub prepare(AgentProcess agent, boolean backgroundCopy)
            throws Exception {
        for (String name : List.of("i2", "h2", "j2", "k2")) {
            volumes(agent).createVolume(CreateVolumeRequest.newBuilder().setName(name).setSizeBytes(SIZE).build());
        }
        Tools.qemuIoOk(agent.nbdUri("i2"), List.of("write -P 7 0 " + SIZE, "flush"));
        FlashCopyGroupServiceBlockingStub groups = FlashCopyGroupServiceGrpc.newBlockingStub(agent.channel())
                .withDeadlineAfter(60, TimeUnit.SECONDS);
        groups.createGroup(CreateGroupRequest.newBuilder().setName("practice").setOptions(CopyOptions.newBuilder()
                .setBackgroundCopy(backgroundCopy).setPersistent(true)).build());
        groups.addPair(GroupPairRequest.newBuilder().setGroup("practice").setSource("i2").setTarget("h2").build());
        groups.addPair(GroupPairRequest.newBuilder().setGroup("practice").setSource("j2").setTarget("k2").build());
        FlashCopyGroup flashed = groups.flashGroup(GroupRef.newBuilder().setName("practice").build());
        assertEquals(GroupState.GROUP_TARGET_AVAILABLE, flashed.getState());
        return groups;
    }

    /**
     * Runs a qemu-io client writing {@link #WRITES} random slots of h2 and terminates the group once
     * {@link #TERMINATE_AT} writes were acknowledged, while the client goes on. Returns the last
     * pattern of every slot written; every write was acknowledged (the stream ran to its end).
     */
    private static Map<Integer, Integer> writeWhileTerminating(AgentProcess agent,
            FlashCopyGroupServiceBlockingStub groups, boolean force, Random random) throws Exception {
        Map<Integer, Integer> last = new HashMap<>();
        List<String> command = new ArrayList<>(List.of("stdbuf", "-oL", "qemu-io", "-f", "raw", agent.nbdUri("h2")));
        for (int i = 0; i < WRITES; i++) {
            int slot = random.nextInt((int) (SIZE / SLOT));
            int pattern = 1 + random.nextInt(255);
            last.put(slot, pattern);
            command.add("-c");
            command.add("write -P " + pattern + " " + (long) slot * SLOT + " " + SLOT);
        }
        Process client = new ProcessBuilder(command).redirectErrorStream(true).start();
        client.getOutputStream().close();
        AtomicInteger acked = new AtomicInteger();
        CompletableFuture<Integer> terminated = null;
        StringBuilder failures = new StringBuilder();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(client.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("wrote ")) {
                    if (acked.incrementAndGet() == TERMINATE_AT) {
                        terminated = CompletableFuture.supplyAsync(() -> {
                            FlashCopyGroup g = groups.terminateGroup(TerminateGroupRequest.newBuilder()
                                    .setName("practice").setForce(force).build());
                            assertEquals(GroupState.GROUP_DEFINED, g.getState());
                            return acked.get();
                        });
                    }
                } else if (!line.startsWith("wrote") && !line.contains("ops/sec")) {
                    failures.append(line).append('\n');
                }
            }
        }
        assertEquals(0, client.waitFor(), "qemu-io failed:\n" + failures);
        assertEquals(WRITES, acked.get(), "not every write was acknowledged:\n" + failures);
        assertTrue(terminated != null, "the terminate never started");
        int ackedWhenTerminated = terminated.get(60, TimeUnit.SECONDS);
        assertTrue(ackedWhenTerminated < WRITES, "the terminate ended only after the writes; it did not run"
                + " while the target was being written");
        return last;
    }
}
