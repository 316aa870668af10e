package dev.copyservices.agent.flashcopy;

import dev.copyservices.agent.array.ArrayLimits;
import dev.copyservices.agent.events.EventSink;
import dev.copyservices.agent.pool.Pool;
import dev.copyservices.agent.volume.BlockDevice;
import dev.copyservices.agent.pool.catalog.VolumeRecord;
import dev.copyservices.agent.volume.VolumeDevice;
import dev.copyservices.agent.volume.VolumeEngine;
import dev.copyservices.agent.volume.VolumeLifecycle;
import dev.copyservices.agent.nbd.ExportRefusedException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A pool with its volume and FlashCopy engines in this JVM, for unit tests of the engines together. */
final class TestArray implements AutoCloseable {
    record Event(EventSink.Severity severity, String reason, String object, String message) {
    }

    final Pool pool;
    final VolumeEngine volumes;
    final FlashCopyEngine flashCopies;
    final List<Event> events = new CopyOnWriteArrayList<>();

    /** Set when the array was built with pausing base devices, by base name. */
    final java.util.Map<String, PausingDevice> pausing = new java.util.concurrent.ConcurrentHashMap<>();

    TestArray(Path dir, ArrayLimits limits, FlashCopyEngine.Options options) throws IOException {
        this(dir, limits, options, false);
    }

    /** With {@code pausable}, every base's data file can hold a write in flight (see PausingDevice). */
    TestArray(Path dir, ArrayLimits limits, FlashCopyEngine.Options options, boolean pausable) throws IOException {
        pool = Pool.open(dir, "test", "default");
        EventSink sink = (severity, reason, kind, name, message, correction) -> {
            synchronized (events) {
                events.add(new Event(severity, reason, name, message));
                events.notifyAll();
            }
        };
        flashCopies = new FlashCopyEngine(pool, limits, sink, options);
        VolumeLifecycle lifecycle = !pausable ? flashCopies : new VolumeLifecycle() {
            @Override
            public VolumeDevice wrapStandard(VolumeRecord record, VolumeDevice file) {
                PausingDevice device = new PausingDevice(file);
                pausing.put(record.getName(), device);
                return flashCopies.wrapStandard(record, device);
            }

            @Override
            public void deleted(VolumeRecord record) {
                flashCopies.deleted(record);
            }

            @Override
            public void checkDeletable(VolumeRecord record) {
                flashCopies.checkDeletable(record);
            }

            @Override
            public void checkResizable(VolumeRecord record, long newSize) {
                flashCopies.checkResizable(record, newSize);
            }
        };
        volumes = VolumeEngine.open(pool, limits, lifecycle, sink);
        volumes.openToEveryClient();
        flashCopies.open(volumes);
    }

    TestArray(Path dir) throws IOException {
        this(dir, ArrayLimits.defaults(), FlashCopyEngine.Options.defaults());
    }

    BlockDevice device(String name) {
        // what an NBD client of the volume would use; host mapping is VolumeEngineTest's business
        try (var export = volumes.exports().open(name, InetAddress.getLoopbackAddress(), () -> {
        }).orElseThrow()) {
            return export.device(); // the device outlives the hold; no connection is left counted
        } catch (ExportRefusedException e) {
            throw new AssertionError("exports are open to every client here", e);
        }
    }

    /** The device the engines use for a volume, under the guard hosts pass. */
    VolumeDevice engineDevice(String name) {
        return volumes.device(volumes.find(name).orElseThrow().getId()).orElseThrow();
    }

    void write(String volume, long offset, byte[] data) throws IOException {
        device(volume).write(offset, ByteBuffer.wrap(data));
    }

    byte[] read(String volume, long offset, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        device(volume).read(offset, buffer);
        return buffer.array();
    }

    long count(String reason) {
        return events.stream().filter(e -> e.reason().equals(reason)).count();
    }

    static byte[] pattern(int length, int seed) {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++) {
            data[i] = (byte) (seed * 31 + i * 7);
        }
        return data;
    }

    /** Waits until {@code count} events with {@code reason} were published; fails after 60 s. */
    void awaitEvents(String reason, long count) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        synchronized (events) {
            while (count(reason) < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no " + reason + " event (#" + count + ") within 60 s; events: " + events);
                }
                java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(events, left);
            }
        }
    }

    @Override
    public void close() throws IOException {
        flashCopies.close();
        volumes.flushAll();
        volumes.close();
        pool.close();
    }
}
