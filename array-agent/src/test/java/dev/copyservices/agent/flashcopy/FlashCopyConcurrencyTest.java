package dev.copyservices.agent.flashcopy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.array.ArrayLimits;
import dev.copyservices.agent.volume.BlockDevice;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writers hammer the base while a FlashCopy is taken. Each writer owns a region and writes
 * (block, version) stamps in order; the image must equal that region after exactly k of its
 * writes, with k at least the writes acknowledged before the create began and at most the writes
 * issued before it returned. Meanwhile readers of the FlashCopy must always see that same image.
 */
class FlashCopyConcurrencyTest {
    private static final int WRITERS = 4;
    private static final int BLOCKS = 64;
    private static final int BLOCK = 4096;
    private static final long REGION = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void creationKeepsEveryAcknowledgedWriteAndNoLaterOne() throws Exception {
        try (TestArray array = new TestArray(dir)) {
            array.volumes.create("base", WRITERS * REGION, false, Map.of());
            BlockDevice base = array.device("base");
            AtomicInteger[] acknowledged = new AtomicInteger[WRITERS];
            AtomicInteger[] issued = new AtomicInteger[WRITERS];
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                acknowledged[w] = new AtomicInteger();
                issued[w] = new AtomicInteger();
                writers.add(pool.submit(() -> {
                    for (int v = 1; !stop.get(); v++) {
                        issued[writer].set(v);
                        base.write(offset(writer, v), stamp(writer, v));
                        acknowledged[writer].set(v);
                    }
                    return null;
                }));
            }
            awaitAtLeast(acknowledged, 300);
            int[] before = new int[WRITERS];
            for (int w = 0; w < WRITERS; w++) {
                before[w] = acknowledged[w].get();
            }
            String name = array.flashCopies.create(CreateFlashCopy.of("base")).name();
            int[] after = new int[WRITERS];
            for (int w = 0; w < WRITERS; w++) {
                after[w] = issued[w].get();
            }
            BlockDevice copy = array.device(name);
            byte[] image = readAll(copy);
            int[] floor = new int[WRITERS];
            for (int w = 0; w < WRITERS; w++) {
                floor[w] = acknowledged[w].get() + 300;
            }
            List<byte[]> seen = new ArrayList<>();
            while (!reached(acknowledged, floor)) {
                seen.add(readAll(copy)); // read under load: the image must not move
            }
            stop.set(true);
            for (Future<?> f : writers) {
                f.get();
            }
            pool.shutdown();
            for (byte[] s : seen) {
                assertArrayEquals(image, s, "the FlashCopy changed while the base was written");
            }
            assertArrayEquals(image, readAll(copy));
            for (int w = 0; w < WRITERS; w++) {
                assertTrue(matchesSomeCut(image, w, before[w], after[w]), "writer " + w
                        + ": the image is not the region after k writes for any k in [" + before[w] + ", " + after[w] + "]");
            }
        }
    }

    /**
     * A base write held in flight across a create: the create waits for it (the base's gate), so
     * the image read as soon as the create returns is the one the FlashCopy keeps. Were the create
     * to go ahead, the held write would land in the base after the image was taken and show
     * through the FlashCopy, which still reads that chunk from the base.
     */
    @Test
    void aWriteInFlightAtCreationIsInTheImageAndTheImageNeverMovesAfter() throws Exception {
        try (TestArray array = new TestArray(dir, ArrayLimits.defaults(), FlashCopyEngine.Options.defaults(), true)) {
            array.volumes.create("base", 16 << 20, false, Map.of());
            array.write("base", 0, TestArray.pattern(BLOCK, 1));
            CowBase cow = (CowBase) array.engineDevice("base");
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            array.pausing.get("base").holdNextWrite(entered, release);
            ExecutorService threads = Executors.newFixedThreadPool(2);
            try {
                Future<?> write = threads.submit(() -> {
                    array.write("base", 0, TestArray.pattern(BLOCK, 2));
                    return null;
                });
                assertTrue(entered.await(30, TimeUnit.SECONDS), "the write never started");
                Future<String> create = threads.submit(() -> array.flashCopies.create(CreateFlashCopy.of("base")).name());
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!create.isDone() && !cow.gate.hasQueuedThreads()) { // waiting on the gate, or (wrongly) done
                    assertTrue(System.nanoTime() < deadline, "the create neither finished nor waited");
                    Thread.onSpinWait();
                }
                byte[] imageAtCreate = create.isDone() ? array.read(create.get(), 0, BLOCK) : null;
                release.countDown();
                write.get(30, TimeUnit.SECONDS);
                String name = create.get(30, TimeUnit.SECONDS);
                byte[] image = array.read(name, 0, BLOCK);
                if (imageAtCreate != null) {
                    assertArrayEquals(imageAtCreate, image, "a write in flight at creation changed the image after"
                            + " the create returned");
                }
                assertArrayEquals(TestArray.pattern(BLOCK, 2), image, "the create returned before the write in flight");
                array.write("base", 0, TestArray.pattern(BLOCK, 3));
                assertArrayEquals(TestArray.pattern(BLOCK, 2), array.read(name, 0, BLOCK));
            } finally {
                release.countDown();
                threads.shutdownNow();
            }
        }
    }

    private static long offset(int writer, int version) {
        return writer * REGION + (long) (version % BLOCKS) * BLOCK;
    }

    private static ByteBuffer stamp(int writer, int version) {
        ByteBuffer b = ByteBuffer.allocate(BLOCK);
        while (b.hasRemaining()) {
            b.putInt(writer).putInt(version);
        }
        return b.flip();
    }

    private static boolean matchesSomeCut(byte[] image, int writer, int from, int to) {
        for (int k = from; k <= to; k++) {
            boolean all = true;
            for (int block = 0; block < BLOCKS && all; block++) {
                int latest = -1; // the last version <= k that hit this block
                for (int v = k; v >= 1 && v > k - BLOCKS; v--) {
                    if (v % BLOCKS == block) {
                        latest = v;
                        break;
                    }
                }
                ByteBuffer expected = latest < 0 ? ByteBuffer.allocate(BLOCK) : stamp(writer, latest);
                ByteBuffer actual = ByteBuffer.wrap(image, (int) (writer * REGION) + block * BLOCK, BLOCK);
                all = expected.equals(actual);
            }
            if (all) {
                return true;
            }
        }
        return false;
    }

    private static byte[] readAll(BlockDevice device) throws Exception {
        ByteBuffer all = ByteBuffer.allocate((int) (WRITERS * REGION));
        device.read(0, all);
        return all.array();
    }

    private static boolean reached(AtomicInteger[] counters, int[] floor) {
        for (int i = 0; i < counters.length; i++) {
            if (counters[i].get() < floor[i]) {
                return false;
            }
        }
        return true;
    }

    private static void awaitAtLeast(AtomicInteger[] counters, int n) {
        int[] floor = new int[counters.length];
        java.util.Arrays.fill(floor, n);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!reached(counters, floor)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("writers did not get going");
            }
            Thread.onSpinWait();
        }
    }
}
