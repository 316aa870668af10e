package dev.copyservices.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.api.agent.v1.CreateVolumeRequest;
import dev.copyservices.api.agent.v1.DeleteVolumeRequest;
import dev.copyservices.api.agent.v1.ListVolumesRequest;
import dev.copyservices.api.agent.v1.ResizeVolumeRequest;
import dev.copyservices.api.agent.v1.Volume;
import dev.copyservices.api.agent.v1.VolumeServiceGrpc;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Catalog changes are atomic and durable when acknowledged: a client creates, grows and deletes volumes
 * while the agent is killed with SIGKILL at a random point. After each restart every acknowledged
 * change is there, the one change in flight is either fully there or not at all, and no data file is
 * left that no volume names. Replay a failure with -Dcrash.seed=N.
 */
class CatalogCrashIT {
    private static final long MIB = 1 << 20;

    @TempDir
    Path pool;

    /** name -> size, for acknowledged state; the in-flight change's volume is tracked separately. */
    private final Map<String, Long> expected = new HashMap<>();

    @Test
    void acknowledgedCatalogChangesSurviveKill9AtRandomPoints() throws Exception {
        long seed = Long.getLong("crash.seed", System.nanoTime());
        Random random = new Random(seed);
        AgentProcess agent = AgentProcess.start(pool);
        try {
            int next = 0;
            for (int round = 0; round < 3; round++) {
                String context = "crash.seed=" + seed + " round " + round;
                int killAfter = 5 + random.nextInt(40);
                VolumeServiceGrpc.VolumeServiceBlockingStub volumes = VolumeServiceGrpc.newBlockingStub(agent.channel());
                String uncertain = null;
                for (int op = 0; ; op++) {
                    String name;
                    Runnable call;
                    long size;
                    int kind = expected.isEmpty() ? 0 : random.nextInt(3);
                    if (kind == 0) {
                        name = "v" + next++;
                        size = MIB * (1 + random.nextInt(64));
                        call = () -> volumes.withDeadlineAfter(30, TimeUnit.SECONDS).createVolume(
                                CreateVolumeRequest.newBuilder().setName(name).setSizeBytes(size).build());
                    } else {
                        name = expected.keySet().stream().sorted().toList().get(random.nextInt(expected.size()));
                        size = kind == 1 ? expected.get(name) + MIB : -1;
                        call = kind == 1
                                ? () -> volumes.withDeadlineAfter(30, TimeUnit.SECONDS).resizeVolume(
                                        ResizeVolumeRequest.newBuilder().setName(name).setSizeBytes(size).build())
                                : () -> volumes.withDeadlineAfter(30, TimeUnit.SECONDS).deleteVolume(
                                        DeleteVolumeRequest.newBuilder().setName(name).build());
                    }
                    if (op == killAfter) {
                        // send this change and kill the agent while it may be anywhere inside it
                        CompletableFuture<Void> inFlight = CompletableFuture.runAsync(call);
                        agent.kill9();
                        try {
                            inFlight.join();
                            apply(name, size); // it made it before the kill: acknowledged
                        } catch (RuntimeException e) {
                            uncertain = name;
                        }
                        break;
                    }
                    call.run();
                    apply(name, size);
                }
                agent.launch();
                verify(agent, uncertain, context);
            }
        } finally {
            agent.close();
        }
    }

    private void apply(String name, long size) {
        if (size < 0) {
            expected.remove(name);
        } else {
            expected.put(name, size);
        }
    }

    private void verify(AgentProcess agent, String uncertain, String context) throws Exception {
        Map<String, Long> actual = new HashMap<>();
        for (Volume v : VolumeServiceGrpc.newBlockingStub(agent.channel()).withDeadlineAfter(30, TimeUnit.SECONDS)
                .listVolumes(ListVolumesRequest.getDefaultInstance()).getVolumesList()) {
            actual.put(v.getName(), v.getSizeBytes());
        }
        if (uncertain != null) {
            // the change in flight happened entirely or not at all; learn which and go on from there
            Long before = expected.get(uncertain);
            Long after = actual.get(uncertain);
            assertTrue(after == null || before == null || after.equals(before) || after == before + MIB,
                    context + ": volume " + uncertain + " is " + after + " bytes, neither before nor after");
            if (after == null) {
                expected.remove(uncertain);
            } else {
                expected.put(uncertain, after);
            }
        }
        assertEquals(expected, actual, context + ": the catalog lost or invented a change");
        Set<String> dataFiles;
        try (Stream<Path> files = Files.list(pool.resolve("volumes"))) {
            dataFiles = files.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(HashSet::new));
        }
        assertEquals(actual.size(), dataFiles.size(), context + ": data files " + dataFiles + " for volumes "
                + actual.keySet());
    }
}
