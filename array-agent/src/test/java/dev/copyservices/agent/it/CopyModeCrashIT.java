package dev.copyservices.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.api.agent.v1.CopyOptions;
import dev.copyservices.api.agent.v1.CreateVolumeRequest;
import dev.copyservices.api.agent.v1.EstablishRequest;
import dev.copyservices.api.agent.v1.FlashCopyRelationshipServiceGrpc;
import dev.copyservices.api.agent.v1.FlashCopyRelationshipServiceGrpc.FlashCopyRelationshipServiceBlockingStub;
import dev.copyservices.api.agent.v1.Relationship;
import dev.copyservices.api.agent.v1.RelationshipRef;
import dev.copyservices.api.agent.v1.RelationshipState;
import dev.copyservices.api.agent.v1.VolumeServiceGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 while a Copy-mode relationship's background copy runs, after an establish, incremental
 * re-flashes and reverses, with random writes going to the source. After each restart the target
 * equals its point-in-time image byte for byte (captured with nbdcopy just before the flash), the
 * background copy resumes from the regions already copied rather than from zero, and once it
 * completes the target still equals the image. Replay a failure with -Dcrash.seed=N.
 */
class CopyModeCrashIT {
    private static final long SIZE = 256L << 20;
    private static final int ROUNDS = 6;
    private static final int WRITES = 400;

    @TempDir
    Path pool;
    @TempDir
    Path images;

    @Test
    void targetsKeepTheirPointInTimeImageAndTheCopyResumesAcrossKill9() throws Exception {
        long seed = Long.getLong("crash.seed", System.nanoTime());
        Random random = new Random(seed);
        AgentProcess agent = AgentProcess.start(pool);
        try {
            for (String name : List.of("prod", "copy")) {
                VolumeServiceGrpc.newBlockingStub(agent.channel()).withDeadlineAfter(30, TimeUnit.SECONDS)
                        .createVolume(CreateVolumeRequest.newBuilder().setName(name).setSizeBytes(SIZE).build());
            }
            Path seedData = images.resolve("seed.img");
            byte[] block = new byte[1 << 20];
            try (var out = Files.newOutputStream(seedData)) {
                for (long p = 0; p < SIZE; p += block.length) {
                    random.nextBytes(block);
                    out.write(block);
                }
            }
            Tools.run("nbdcopy", seedData.toString(), agent.nbdUri("prod")).assertOk("fill prod");
            String source = "prod";
            String target = "copy";
            Path image = images.resolve("pit.img");
            for (int round = 0; round < ROUNDS; round++) {
                String context = "crash.seed=" + seed + " round " + round;
                long eventsBefore = AgentEvents.lastSequence(agent);
                String operation;
                if (round == 0) {
                    operation = "establish";
                    copy(agent, source, image);
                    relationships(agent).establish(EstablishRequest.newBuilder().setSource(source).setTarget(target)
                            .setOptions(CopyOptions.newBuilder().setBackgroundCopy(true).setPersistent(true)
                                    .setIncremental(true)).build());
                } else if (round % 2 == 0) {
                    operation = "reverse";
                    copy(agent, target, image); // the target's image becomes the source's
                    Relationship reversed = relationships(agent).reverse(ref(target));
                    source = reversed.getSource();
                    target = reversed.getTarget();
                } else {
                    operation = "incremental re-flash";
                    copy(agent, source, image);
                    relationships(agent).reflash(ref(target));
                }
                long copiedBefore = relationships(agent).getRelationship(ref(target)).getCopiedRegions();
                writeUntilKilled(agent, source, random, context + " (" + operation + ")");
                agent.launch();
                Relationship recovered = relationships(agent).getRelationship(ref(target));
                assertTrue(recovered.getCopiedRegions() >= copiedBefore, context + ": the background copy went back"
                        + " from " + copiedBefore + " to " + recovered.getCopiedRegions() + " copied regions");
                assertSameImage(agent, target, image, context + " (" + operation + ", after restart)");
                awaitCopied(agent, target, eventsBefore, context);
                assertSameImage(agent, target, image, context + " (" + operation + ", after the copy completed)");
            }
        } finally {
            agent.close();
        }
    }

    private static FlashCopyRelationshipServiceBlockingStub relationships(AgentProcess agent) {
        return FlashCopyRelationshipServiceGrpc.newBlockingStub(agent.channel()).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    private static RelationshipRef ref(String name) {
        return RelationshipRef.newBuilder().setName(name).build();
    }

    private static void copy(AgentProcess agent, String volume, Path to) throws Exception {
        Files.deleteIfExists(to);
        Tools.run("nbdcopy", agent.nbdUri(volume), to.toString()).assertOk("nbdcopy " + volume);
    }

    private void assertSameImage(AgentProcess agent, String target, Path image, String context) throws Exception {
        Path now = images.resolve("now.img");
        copy(agent, target, now);
        long mismatch = Files.mismatch(image, now);
        assertEquals(-1, mismatch, context + ": target '" + target + "' differs from its point-in-time image at byte "
                + mismatch + " (region " + (mismatch >> 16) + ")");
        Files.delete(now);
    }

    /** Random 4-64 KiB writes to the source, some with FUA, some flushes; kill -9 at a random one. */
    private static void writeUntilKilled(AgentProcess agent, String source, Random random, String context)
            throws Exception {
        List<String> commands = new ArrayList<>();
        for (int i = 0; i < WRITES; i++) {
            long length = 4096L * (1 + random.nextInt(16));
            long offset = 4096L * random.nextInt((int) ((SIZE - length) / 4096));
            commands.add("write " + (random.nextInt(4) == 0 ? "-f " : "") + "-P " + (1 + random.nextInt(255)) + " "
                    + offset + " " + length);
            if (random.nextInt(20) == 0) {
                commands.add("flush");
            }
        }
        KilledWriteStream.run(agent, source, commands, 10 + random.nextInt(WRITES - 20), context);
    }

    private static void awaitCopied(AgentProcess agent, String target, long after, String context) {
        if (relationships(agent).getRelationship(ref(target)).getState() != RelationshipState.RELATIONSHIP_COPIED) {
            AgentEvents.await(agent, after, "BACKGROUND_COPY_COMPLETED", java.util.Set.of(target), context);
        }
    }
}
