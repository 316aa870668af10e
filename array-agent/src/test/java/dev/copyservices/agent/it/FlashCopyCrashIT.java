package dev.copyservices.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.copyservices.api.agent.v1.CreateFlashCopyRequest;
import dev.copyservices.api.agent.v1.CreateVolumeRequest;
import dev.copyservices.api.agent.v1.FlashCopyRef;
import dev.copyservices.api.agent.v1.FlashCopyServiceGrpc;
import dev.copyservices.api.agent.v1.FlashCopyState;
import dev.copyservices.api.agent.v1.VolumeServiceGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 at random moments during random writes to a base with two FlashCopies. After each
 * restart both FlashCopies equal their point-in-time images byte for byte (captured with nbdcopy
 * when they were taken) and the base holds every write acknowledged with FUA or before a completed
 * flush. FlashCopy 1 is re-created every round; FlashCopy 2 keeps its point in time across several
 * crashes, so its repository is recovered again and again. Replay a failure with -Dcrash.seed=N.
 */
class FlashCopyCrashIT {
    private static final int SLOT = 4096;
    private static final int SLOTS = 4096; // 16 MiB base
    private static final int ROUNDS = 6;
    private static final int WRITES_PER_ROUND = 500;

    @TempDir
    Path pool;
    @TempDir
    Path images;

    private final Map<Integer, Integer> guaranteed = new HashMap<>();
    private final Set<Integer> uncertain = new HashSet<>();

    @Test
    void flashCopiesKeepTheirImageAndTheBaseItsFlushedWritesAcrossKill9() throws Exception {
        long seed = Long.getLong("crash.seed", System.nanoTime());
        Random random = new Random(seed);
        AgentProcess agent = AgentProcess.start(pool);
        try {
            VolumeServiceGrpc.newBlockingStub(agent.channel()).withDeadlineAfter(30, TimeUnit.SECONDS).createVolume(
                    CreateVolumeRequest.newBuilder().setName("base").setSizeBytes((long) SLOT * SLOTS).build());
            Path image1 = images.resolve("fc1.img");
            Path image2 = images.resolve("fc2.img");
            for (int round = 0; round < ROUNDS; round++) {
                String context = "crash.seed=" + seed + " round " + round;
                // no I/O is running: the base as read now is each new point-in-time image
                Path base = images.resolve("base-" + round + ".img");
                copy(agent, "base", base);
                takeOrRetake(agent, "base-1", round);
                Files.move(base, image1, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                if (round % 3 == 0) {
                    takeOrRetake(agent, "base-2", round);
                    Files.copy(image1, image2, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
                writeUntilKilled(agent, random, context);
                agent.launch();
                assertSame(agent, "base-1", image1, context);
                assertSame(agent, "base-2", image2, context);
                verifyBase(agent, context);
            }
        } finally {
            agent.close();
        }
    }

    private static void takeOrRetake(AgentProcess agent, String name, int round) {
        FlashCopyServiceGrpc.FlashCopyServiceBlockingStub flashCopies = FlashCopyServiceGrpc.newBlockingStub(
                agent.channel()).withDeadlineAfter(30, TimeUnit.SECONDS);
        if (round == 0) {
            flashCopies.createFlashCopy(CreateFlashCopyRequest.newBuilder().setBase("base").setName(name)
                    .setRepositoryPercent(100).build());
        } else {
            assertEquals(FlashCopyState.OPTIMAL, flashCopies.recreateFlashCopy(FlashCopyRef.newBuilder().setName(name)
                    .build()).getState());
        }
    }

    private static void copy(AgentProcess agent, String volume, Path to) throws Exception {
        Files.deleteIfExists(to);
        Tools.run("nbdcopy", agent.nbdUri(volume), to.toString()).assertOk("nbdcopy " + volume);
    }

    private void assertSame(AgentProcess agent, String flashCopy, Path image, String context) throws Exception {
        Path now = images.resolve(flashCopy + "-now.img");
        copy(agent, flashCopy, now);
        long mismatch = Files.mismatch(image, now);
        assertEquals(-1, mismatch, context + ": FlashCopy " + flashCopy + " differs from its point-in-time image at byte "
                + mismatch);
        Files.delete(now);
    }

    private record Write(int slot, int pattern, boolean fua) {
    }

    private void writeUntilKilled(AgentProcess agent, Random random, String context) throws Exception {
        List<String> commands = new ArrayList<>();
        List<Write> writes = new ArrayList<>();
        List<Integer> writesBeforeMarker = new ArrayList<>();
        for (int i = 0; i < WRITES_PER_ROUND; i++) {
            int length = 1 + random.nextInt(4); // 4-16 KiB, so writes straddle copy-on-write chunks
            Write w = new Write(random.nextInt(SLOTS - length + 1), 1 + random.nextInt(255), random.nextInt(4) == 0);
            for (int s = 0; s < length; s++) {
                writes.add(new Write(w.slot() + s, w.pattern(), w.fua()));
            }
            commands.add("write " + (w.fua() ? "-f " : "") + "-P " + w.pattern() + " " + (long) w.slot() * SLOT + " "
                    + (long) length * SLOT);
            writesBeforeMarker.add(-length); // negative: how many slots this command wrote
            if (random.nextInt(10) == 0) {
                commands.add("flush");
                commands.add("length");
                writesBeforeMarker.add(Integer.MAX_VALUE); // a marker
            }
        }
        int killAfter = 20 + random.nextInt(WRITES_PER_ROUND - 40);
        KilledWriteStream.Seen seen = KilledWriteStream.run(agent, "base", commands, killAfter, context);
        int acked = seen.acknowledgedWrites();
        int markers = seen.completedFlushMarkers();
        // Replay the command stream in order. A write command is durable if it had FUA or a flush
        // that completed came after it; the last write to a slot decides what the slot must hold.
        int commandIndex = 0;
        int slotIndex = 0;
        int seenMarkers = 0;
        List<int[]> commandsSoFar = new ArrayList<>(); // [firstSlotIndex, count, durable, inFlight]
        for (int entry : writesBeforeMarker) {
            if (entry == Integer.MAX_VALUE) {
                if (seenMarkers < markers) {
                    commandsSoFar.stream().filter(c -> c[3] == 0).forEach(c -> c[2] = 1);
                }
                seenMarkers++;
                continue;
            }
            int count = -entry;
            if (commandIndex <= acked) { // the one at 'acked' was in flight: maybe applied, never durable
                boolean durable = commandIndex < acked && writes.get(slotIndex).fua();
                commandsSoFar.add(new int[] {slotIndex, count, durable ? 1 : 0, commandIndex == acked ? 1 : 0});
            }
            commandIndex++;
            slotIndex += count;
        }
        for (int[] c : commandsSoFar) {
            settle(writes, c[0], c[1], c[2] == 1);
        }
    }

    /** Records what a write means for recovery: guaranteed content, or old-or-new. */
    private void settle(List<Write> writes, int from, int count, boolean durable) {
        for (int i = from; i < from + count; i++) {
            Write w = writes.get(i);
            if (durable) {
                guaranteed.put(w.slot(), w.pattern());
                uncertain.remove(w.slot());
            } else {
                guaranteed.remove(w.slot());
                uncertain.add(w.slot());
            }
        }
    }

    private void verifyBase(AgentProcess agent, String context) throws Exception {
        List<String> reads = new ArrayList<>();
        for (int slot = 0; slot < SLOTS; slot++) {
            Integer pattern = guaranteed.get(slot);
            if (pattern != null) {
                reads.add("read -P " + pattern + " " + (long) slot * SLOT + " " + SLOT);
            } else if (!uncertain.contains(slot)) {
                reads.add("read -P 0 " + (long) slot * SLOT + " " + SLOT);
            }
        }
        Tools.Result result = Tools.qemuIo(agent.nbdUri("base"), reads);
        if (result.exitCode() != 0 || result.output().contains("failed")) {
            throw new AssertionError(context + ": the base lost a flushed write after kill -9:\n" + result.output());
        }
    }
}
