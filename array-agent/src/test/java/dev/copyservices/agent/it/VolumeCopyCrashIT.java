package dev.copyservices.agent.it;

import static dev.copyservices.agent.it.VolumeCopies.assertSameImage;
import static dev.copyservices.agent.it.VolumeCopies.awaitCompleted;
import static dev.copyservices.agent.it.VolumeCopies.copies;
import static dev.copyservices.agent.it.VolumeCopies.createVolume;
import static dev.copyservices.agent.it.VolumeCopies.export;
import static dev.copyservices.agent.it.VolumeCopies.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.pool.catalog.Catalog;
import dev.copyservices.agent.pool.catalog.VolumeCopyRecord;
import dev.copyservices.agent.pool.catalog.VolumeCopyStateRecord;
import dev.copyservices.api.agent.v1.CopyPriority;
import dev.copyservices.api.agent.v1.CopyState;
import dev.copyservices.api.agent.v1.CreateFlashCopyRequest;
import dev.copyservices.api.agent.v1.FlashCopyServiceGrpc;
import dev.copyservices.api.agent.v1.RecopyRequest;
import dev.copyservices.api.agent.v1.VolumeCopy;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 while VolumeCopies run: new pairs, a recopy after the source changed, and a pair whose source
 * is a FlashCopy while a client writes to the FlashCopy's base. After each restart the pair continues
 * (InProgress, from at least the checkpoint the catalog held at the kill, never from 0 once a
 * checkpoint was recorded) or is Completed, and a Completed target always equals the source's image
 * byte for byte: the live source for a standard volume, the point-in-time image for a FlashCopy (not
 * the base's current data). Targets start filled with a pattern, so a range the copy skipped shows.
 * Replay a failure with -Dcrash.seed=N.
 */
class VolumeCopyCrashIT {
    private static final long MIB = 1 << 20;
    private static final long SIZE = 256 * MIB;
    private static final long BIG = 1024 * MIB;
    /** The catalog file's frame: magic, length, CRC (see CatalogStore). */
    private static final int CATALOG_HEADER = 8 + 4 + 4;
    private static final List<CopyPriority> PRIORITIES = List.of(CopyPriority.COPY_PRIORITY_LOWEST,
            CopyPriority.COPY_PRIORITY_LOW, CopyPriority.COPY_PRIORITY_MEDIUM, CopyPriority.COPY_PRIORITY_HIGH,
            CopyPriority.COPY_PRIORITY_HIGHEST);

    @TempDir
    Path pool;
    @TempDir
    Path images;

    private long seed;
    private Random random;
    private int killsWithCheckpoint;
    private int kills;
    private boolean writesDuringFlashCopySource;

    @Test
    void targetsEqualTheirSourceAfterKill9sDuringTheCopyAndTheCopyContinuesFromItsCheckpoint() throws Exception {
        seed = Long.getLong("crash.seed", System.nanoTime());
        random = new Random(seed);
        System.out.println("VolumeCopyCrashIT crash.seed=" + seed); // for failures that do not say it
        AgentProcess agent = AgentProcess.start(pool);
        try {
            // round 0: a new 1 GiB pair, killed as soon as the catalog holds a checkpoint (one per 256 MiB;
            // a 256 MiB copy on a fast disk records none before it completes), then at random. At Lowest
            // the copier gets little past the checkpoint before the kill, so a restart that continued past
            // the checkpoint would leave bytes uncopied (the target is new, zeroes, and the source random
            // data, so they would show), and what is left outlasts the restart, so one that started again
            // from 0 would show in GetCopy.
            Path big = images.resolve("big.img");
            fillRandom(big, BIG);
            createVolume(agent, "big", BIG);
            Tools.run("nbdcopy", big.toString(), agent.nbdUri("big")).assertOk("fill big");
            createVolume(agent, "copy0", BIG);
            VolumeCopies.create(agent, "big", "copy0", CopyPriority.COPY_PRIORITY_LOWEST);
            String context = "crash.seed=" + seed + " round 0 (new 1 GiB pair, Lowest)";
            killAfterCheckpoint(agent, "copy0", big, context);
            killRandomly(agent, "copy0", big, random.nextInt(2), context);
            awaitCompleted(agent, "copy0", context);
            assertSameImage(agent, "copy0", big, images.resolve("now.img"), context + ", completed");
            Files.delete(big);

            // prod: random data with zeroed ranges (holes in the pool), which the copy must zero on
            // targets that held other data
            createVolume(agent, "prod", SIZE);
            Path expected = images.resolve("expected.img");
            fillRandom(expected, SIZE);
            Tools.run("nbdcopy", expected.toString(), agent.nbdUri("prod")).assertOk("fill prod");
            zeroRanges(agent, "prod", expected, 8);

            // round 1: a new pair at Highest onto a target full of another pattern, killed at random
            // points of its progress
            CopyPriority priority = CopyPriority.COPY_PRIORITY_HIGHEST;
            context = "crash.seed=" + seed + " round 1 (new pair, " + priority + ")";
            newPair(agent, "prod", "copy1", priority);
            killRandomly(agent, "copy1", expected, 1 + random.nextInt(2), context);
            awaitCompleted(agent, "copy1", context);
            assertSameImage(agent, "copy1", expected, images.resolve("now.img"), context + ", completed");

            // round 2: the source changes, then copy1 is copied again from the first byte
            List<String> writes = randomWrites(200, 16);
            Tools.qemuIoOk(agent.nbdUri("prod"), writes);
            apply(writes, expected);
            priority = PRIORITIES.get(random.nextInt(PRIORITIES.size()));
            context = "crash.seed=" + seed + " round 2 (recopy, " + priority + ")";
            VolumeCopy recopied = copies(agent).recopy(RecopyRequest.newBuilder().setTarget("copy1")
                    .setPriority(priority).build());
            assertTrue(VolumeCopies.active(recopied.getState()) || recopied.getState() == CopyState.COPY_COMPLETED,
                    context + ": " + recopied);
            killRandomly(agent, "copy1", expected, 1 + random.nextInt(2), context);
            awaitCompleted(agent, "copy1", context);
            assertSameImage(agent, "copy1", expected, images.resolve("now.img"), context + ", completed");

            flashCopySourceRound(agent, expected);
            System.out.println("VolumeCopyCrashIT crash.seed=" + seed + ": " + kills + " kills during a copy, "
                    + killsWithCheckpoint + " of them after a checkpoint was recorded; FlashCopy source killed while"
                    + " its base took writes: " + writesDuringFlashCopySource);
            assertTrue(killsWithCheckpoint > 0, "crash.seed=" + seed + ": no kill came after a recorded checkpoint");
        } finally {
            agent.close();
        }
    }

    /**
     * Round 3: the source is a FlashCopy of prod, taken with no writes between capturing prod's image
     * and the FlashCopy. A client writes random blocks to prod from before the copy starts until the
     * agent is killed at a random point of the copy, and again after the restart. The target must
     * equal the point-in-time image, not prod's current data.
     */
    private void flashCopySourceRound(AgentProcess agent, Path pit) throws Exception {
        export(agent, "prod", pit); // prod takes no writes from here to the FlashCopy
        FlashCopyServiceGrpc.newBlockingStub(agent.channel()).withDeadlineAfter(60, TimeUnit.SECONDS)
                .createFlashCopy(CreateFlashCopyRequest.newBuilder().setBase("prod").setName("prod-pit")
                        .setRepositoryPercent(60).build());
        CopyPriority priority = PRIORITIES.get(random.nextInt(PRIORITIES.size()));
        String context = "crash.seed=" + seed + " round 3 (FlashCopy source, " + priority + ")";
        createVolume(agent, "copy3", SIZE);
        Tools.qemuIoOk(agent.nbdUri("copy3"), List.of("write -P 0xa5 0 " + SIZE));
        try (BaseWriter writer = new BaseWriter(agent.nbdUri("prod"), randomWrites(2000, 4))) {
            writer.awaitAcknowledged(10, context);
            VolumeCopies.create(agent, "prod-pit", "copy3", priority);
            int before = writer.acknowledged();
            if (killRandomly(agent, "copy3", pit, 1, context)) {
                assertTrue(writer.acknowledged() > before, context + ": the base took no writes during the copy");
                writesDuringFlashCopySource = true;
            }
        }
        Tools.qemuIoOk(agent.nbdUri("prod"), randomWrites(100, 4)); // the base goes on changing
        awaitCompleted(agent, "copy3", context);
        assertSameImage(agent, "copy3", pit, images.resolve("now.img"), context + ", completed");
        assertSameImage(agent, "prod-pit", pit, images.resolve("now.img"), context + ", the FlashCopy itself");
        Path base = images.resolve("base.img");
        export(agent, "prod", base);
        assertNotEquals(-1L, Files.mismatch(pit, base), context + ": the base took no writes, so the round could"
                + " not tell its point-in-time image from its current data");
        Files.delete(base);
    }

    /** A qemu-io client going through a list of writes in the background, counting those acknowledged. */
    private static final class BaseWriter implements AutoCloseable {
        private final Process process;
        private final Thread reader;
        private final java.util.concurrent.atomic.AtomicInteger acknowledged =
                new java.util.concurrent.atomic.AtomicInteger();

        BaseWriter(String uri, List<String> commands) throws Exception {
            List<String> command = new ArrayList<>(List.of("stdbuf", "-oL", "qemu-io", "-f", "raw", uri));
            for (String c : commands) {
                command.add("-c");
                command.add(c);
            }
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            reader = Thread.ofVirtual().start(() -> {
                try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(),
                        java.nio.charset.StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = lines.readLine()) != null) {
                        if (line.startsWith("wrote ")) {
                            acknowledged.incrementAndGet();
                        }
                    }
                } catch (java.io.IOException e) {
                    // the client is gone; its count stays
                }
            });
        }

        int acknowledged() {
            return acknowledged.get();
        }

        void awaitAcknowledged(int count, String context) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (acknowledged.get() < count) {
                assertTrue(process.isAlive() && System.nanoTime() < deadline, context + ": the writer to the base"
                        + " got only " + acknowledged.get() + " writes acknowledged");
                Thread.sleep(2); // poll interval only
            }
        }

        /** Waits for the client to end (all writes done, or its connection lost to a kill). */
        @Override
        public void close() throws Exception {
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            reader.join();
        }
    }

    /** Creates the target, fills it with a pattern the copy must replace, and creates the pair. */
    private void newPair(AgentProcess agent, String source, String target, CopyPriority priority)
            throws Exception {
        createVolume(agent, target, SIZE);
        Tools.qemuIoOk(agent.nbdUri(target), List.of("write -P 0xa5 0 " + SIZE));
        VolumeCopy pair = VolumeCopies.create(agent, source, target, priority);
        assertEquals(priority, pair.getPriority());
    }

    /**
     * Waits until the catalog holds a checkpoint of the running copy (0 < copied < total), then
     * kill -9s the agent and checks the pair continues from there. Should the copy outrun the poll and
     * complete, it is copied again at Lowest, whose pauses leave more time between checkpoints.
     */
    private void killAfterCheckpoint(AgentProcess agent, String target, Path expected, String context)
            throws Exception {
        long events = AgentEvents.lastSequence(agent);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            VolumeCopyRecord durable = durableRecord(target, context);
            if (durable.getState() == VolumeCopyStateRecord.VC_IN_PROGRESS && durable.getCopiedBytes() > 0
                    && durable.getCopiedBytes() < durable.getSizeBytes()) {
                break;
            }
            VolumeCopy pair = get(agent, target);
            if (pair.getState() == CopyState.COPY_COMPLETED) {
                // too fast for a checkpoint: copy again, slowly enough for one (this also tests recopy)
                copies(agent).recopy(RecopyRequest.newBuilder().setTarget(target)
                        .setPriority(CopyPriority.COPY_PRIORITY_LOWEST).build());
            }
            assertTrue(System.nanoTime() < deadline, context + ": no checkpoint recorded within 60 s: " + pair);
            Thread.sleep(1); // poll interval only
        }
        agent.kill9();
        kills++;
        VolumeCopyRecord durable = durableRecord(target, context);
        agent.launch();
        assertContinues(agent, target, durable, events, expected, context + ", killed after a checkpoint");
    }

    /**
     * {@code count} times: waits for a random fraction of the copy (polling GetCopy), kill -9s the agent
     * and restarts it on the same pool; stops early once the copy completed. Returns whether it killed.
     */
    private boolean killRandomly(AgentProcess agent, String target, Path expected, int count, String context)
            throws Exception {
        long total = get(agent, target).getBytesTotal();
        for (int k = 0; k < count; k++) {
            long at = (long) (random.nextDouble() * total);
            String where = context + ", kill " + (k + 1) + " at " + (at >> 20) + " MiB";
            long events = AgentEvents.lastSequence(agent);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            VolumeCopy pair;
            while (true) {
                pair = get(agent, target);
                if (pair.getState() == CopyState.COPY_COMPLETED || pair.getState() == CopyState.COPY_IN_PROGRESS
                        && pair.getBytesCopied() >= at) {
                    break;
                }
                assertTrue(VolumeCopies.active(pair.getState()) && pair.getState() != CopyState.COPY_FAILED,
                        where + ": " + pair);
                assertTrue(System.nanoTime() < deadline, where + ": the copy did not get there within 60 s: " + pair);
            }
            if (pair.getState() == CopyState.COPY_COMPLETED) {
                return k > 0; // the copy outran the kill point
            }
            agent.kill9();
            kills++;
            VolumeCopyRecord durable = durableRecord(target, where);
            agent.launch();
            assertContinues(agent, target, durable, events, expected, where + " (seen at " + pair.getBytesCopied()
                    + " bytes)");
        }
        return count > 0;
    }

    /**
     * After a restart: the pair is InProgress from at least the catalog's checkpoint (and says so with
     * VOLUMECOPY_RESUMED), or Completed with the right data; what the catalog said Completed stays
     * Completed.
     */
    private void assertContinues(AgentProcess agent, String target, VolumeCopyRecord durable, long eventsBefore,
            Path expected, String context) throws Exception {
        VolumeCopy after = get(agent, target);
        if (durable.getCopiedBytes() > 0 && durable.getState() == VolumeCopyStateRecord.VC_IN_PROGRESS) {
            killsWithCheckpoint++;
        }
        String seen = context + ": catalog at the kill " + durable.getState() + " " + durable.getCopiedBytes()
                + " bytes; after the restart " + after.getState() + " " + after.getBytesCopied() + " bytes";
        switch (durable.getState()) {
            case VC_IN_PROGRESS -> {
                assertTrue(after.getState() == CopyState.COPY_IN_PROGRESS
                        || after.getState() == CopyState.COPY_COMPLETED, seen);
                if (after.getState() == CopyState.COPY_IN_PROGRESS) {
                    assertTrue(after.getBytesCopied() >= durable.getCopiedBytes(), seen + ": went back");
                    // the first report after a restart is the checkpoint itself; the copier's own first
                    // progress must go on from there
                    VolumeCopy moved = awaitMoved(agent, target, after.getBytesCopied(), seen);
                    assertTrue(moved.getState() == CopyState.COPY_COMPLETED
                            || moved.getBytesCopied() > after.getBytesCopied(), seen + ": went back to "
                                    + moved.getBytesCopied() + " bytes");
                }
                AgentEvents.await(agent, eventsBefore, "VOLUMECOPY_RESUMED", Set.of(target), seen);
            }
            case VC_COMPLETED -> assertEquals(CopyState.COPY_COMPLETED, after.getState(), seen);
            default -> throw new AssertionError(seen + ": the pair was neither InProgress nor Completed at the kill");
        }
        if (after.getState() == CopyState.COPY_COMPLETED && expected != null) {
            assertSameImage(agent, target, expected, images.resolve("now.img"), seen);
        }
    }

    /** Polls the pair until its progress is no longer {@code copied} or it left InProgress. */
    private static VolumeCopy awaitMoved(AgentProcess agent, String target, long copied, String context)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            VolumeCopy pair = get(agent, target);
            if (pair.getState() != CopyState.COPY_IN_PROGRESS || pair.getBytesCopied() != copied) {
                return pair;
            }
            assertTrue(System.nanoTime() < deadline, context + ": no progress within 60 s: " + pair);
            Thread.sleep(1); // poll interval only
        }
    }

    /**
     * The pair's record as the catalog on disk holds it. Reads the file directly: CatalogStore.load
     * deletes a half-written catalog.pb.tmp, which would break a running agent's commit.
     */
    private VolumeCopyRecord durableRecord(String target, String context) throws Exception {
        byte[] bytes = Files.readAllBytes(pool.resolve("catalog.pb"));
        Catalog catalog = Catalog.parseFrom(ByteBuffer.wrap(bytes, CATALOG_HEADER, bytes.length - CATALOG_HEADER));
        String targetId = catalog.getVolumesList().stream().filter(v -> v.getName().equals(target)).findFirst()
                .orElseThrow(() -> new AssertionError(context + ": no volume " + target + " in the catalog"))
                .getId();
        return catalog.getVolumeCopiesList().stream().filter(r -> r.getTargetId().equals(targetId)).findFirst()
                .orElseThrow(() -> new AssertionError(context + ": no pair onto " + target + " in the catalog"));
    }

    /** Writes {@code size} bytes of seeded random data to a file. */
    private void fillRandom(Path file, long size) throws Exception {
        SplittableRandom bytes = new SplittableRandom(random.nextLong());
        ByteBuffer block = ByteBuffer.allocate((int) MIB);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long p = 0; p < size; p += block.capacity()) {
                block.clear();
                while (block.hasRemaining()) {
                    block.putLong(bytes.nextLong());
                }
                out.write(block.flip());
            }
        }
    }

    /** Zeroes {@code count} random 1-8 MiB ranges of the volume (NBD WRITE_ZEROES) and of its image. */
    private void zeroRanges(AgentProcess agent, String volume, Path image, int count) throws Exception {
        List<String> commands = new ArrayList<>();
        try (FileChannel out = FileChannel.open(image, StandardOpenOption.WRITE)) {
            for (int i = 0; i < count; i++) {
                long length = MIB * (1 + random.nextInt(8));
                long offset = 4096L * random.nextInt((int) ((SIZE - length) / 4096));
                commands.add("write -z " + offset + " " + length);
                out.write(ByteBuffer.allocate((int) length), offset);
            }
        }
        Tools.qemuIoOk(agent.nbdUri(volume), commands);
    }

    /** Applies the "write -P PATTERN OFFSET LENGTH" commands of a list to an image file. */
    private static void apply(List<String> commands, Path image) throws Exception {
        try (FileChannel out = FileChannel.open(image, StandardOpenOption.WRITE)) {
            for (String command : commands) {
                String[] words = command.split(" ");
                if (!words[0].equals("write")) {
                    continue;
                }
                int n = words.length;
                byte[] data = new byte[Integer.parseInt(words[n - 1])];
                java.util.Arrays.fill(data, (byte) Integer.parseInt(words[n - 3]));
                out.write(ByteBuffer.wrap(data), Long.parseLong(words[n - 2]));
            }
        }
    }

    /** Random writes of 1 to maxBlocks 4 KiB blocks, some with FUA, some flushes. */
    private List<String> randomWrites(int count, int maxBlocks) {
        List<String> commands = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long length = 4096L * (1 + random.nextInt(maxBlocks));
            long offset = 4096L * random.nextInt((int) ((SIZE - length) / 4096));
            commands.add("write " + (random.nextInt(4) == 0 ? "-f " : "") + "-P " + (1 + random.nextInt(255)) + " "
                    + offset + " " + length);
            if (random.nextInt(20) == 0) {
                commands.add("flush");
            }
        }
        return commands;
    }
}
