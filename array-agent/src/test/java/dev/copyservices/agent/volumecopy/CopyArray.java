package dev.copyservices.agent.volumecopy;

import dev.copyservices.agent.array.ArrayLimits;
import dev.copyservices.agent.events.EventSink;
import dev.copyservices.agent.flashcopy.CreateFlashCopy;
import dev.copyservices.agent.flashcopy.FlashCopyEngine;
import dev.copyservices.agent.pool.Pool;
import dev.copyservices.agent.volume.BlockDevice;
import dev.copyservices.agent.volume.BlockIoException;
import dev.copyservices.agent.volume.VolumeEngine;
import dev.copyservices.agent.volume.VolumeLifecycle;
import dev.copyservices.agent.nbd.ExportRefusedException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A pool with its volume, FlashCopy and VolumeCopy engines in this JVM, wired as the agent wires them,
 * with the copy seam in the test's hands. Host I/O goes through the same guarded device NBD uses.
 */
final class CopyArray implements AutoCloseable {
    record Event(EventSink.Severity severity, String reason, String object, String message, String correction) {
    }

    static final long MIB = 1 << 20;

    final Pool pool;
    final VolumeEngine volumes;
    final FlashCopyEngine flashCopies;
    final VolumeCopyEngine copies;
    final GatedIo io;
    final List<Event> events = new CopyOnWriteArrayList<>();

    CopyArray(Path dir, ArrayLimits limits, boolean enabled, GatedIo io) throws IOException {
        this.io = io;
        pool = Pool.open(dir, "test", "default");
        EventSink sink = (severity, reason, kind, name, message, correction) -> {
            synchronized (events) {
                events.add(new Event(severity, reason, name, message, correction));
                events.notifyAll();
            }
        };
        flashCopies = new FlashCopyEngine(pool, limits, sink, FlashCopyEngine.Options.defaults());
        copies = new VolumeCopyEngine(pool, limits, sink, new VolumeCopyEngine.Options(enabled, io));
        volumes = VolumeEngine.open(pool, limits, VolumeLifecycle.of(flashCopies, copies), sink);
        volumes.openToEveryClient();
        flashCopies.open(volumes);
        copies.open(volumes, flashCopies);
    }

    CopyArray(Path dir) throws IOException {
        this(dir, ArrayLimits.defaults(), true, new GatedIo());
    }

    static ArrayLimits maxInProgress(int n) {
        ArrayLimits d = ArrayLimits.defaults();
        return new ArrayLimits(d.maxVolumes(), d.maxFlashCopiesPerBase(), d.maxFlashCopies(), n, d.maxMirrors());
    }

    void volume(String name, long bytes) {
        volumes.create(name, bytes, false, Map.of());
    }

    /** A volume filled with seeded random bytes. */
    byte[] filledVolume(String name, long bytes, int seed) throws IOException {
        volume(name, bytes);
        byte[] data = new byte[(int) bytes];
        new Random(seed).nextBytes(data);
        write(name, 0, data);
        return data;
    }

    void flashCopy(String base, String name) {
        flashCopies.create(new CreateFlashCopy(base, name, name + "-R", null, null, null, null, Map.of()));
    }

    BlockDevice host(String name) {
        // what an NBD client of the volume would use; host mapping is VolumeEngineTest's business
        try (var export = volumes.exports().open(name, InetAddress.getLoopbackAddress(), () -> {
        }).orElseThrow()) {
            return export.device(); // the device outlives the hold; no connection is left counted
        } catch (ExportRefusedException e) {
            throw new AssertionError("exports are open to every client here", e);
        }
    }

    void write(String volume, long offset, byte[] data) throws IOException {
        host(volume).write(offset, ByteBuffer.wrap(data));
    }

    byte[] read(String volume, long offset, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        host(volume).read(offset, buffer);
        return buffer.array();
    }

    /** True when a host write of one block is refused with EPERM's kind. */
    boolean writeRefused(String volume) throws IOException {
        try {
            write(volume, 0, new byte[512]);
            return false;
        } catch (BlockIoException e) {
            if (e.kind() != BlockIoException.Kind.NOT_PERMITTED) {
                throw e;
            }
            return true;
        }
    }

    /** Injects a failure into the chunk at {@code offset} of the copy onto {@code target}. */
    void failAt(String target, long offset, String message) {
        io.failAt(volumes.device(volumes.find(target).orElseThrow().getId()).orElseThrow(), offset, message);
    }

    /** Reads through the engines' own path (what the target holds), unaffected by host restrictions. */
    byte[] contents(String volume, long length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate((int) length);
        volumes.device(volumes.find(volume).orElseThrow().getId()).orElseThrow().read(0, buffer);
        return buffer.array();
    }

    boolean readRefused(String volume) throws IOException {
        try {
            read(volume, 0, 512);
            return false;
        } catch (BlockIoException e) {
            if (e.kind() != BlockIoException.Kind.NOT_PERMITTED) {
                throw e;
            }
            return true;
        }
    }

    long count(String reason) {
        return events.stream().filter(e -> e.reason().equals(reason)).count();
    }

    /** Waits until {@code count} events with {@code reason} were published; fails after 60 s. */
    void awaitEvents(String reason, long count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        synchronized (events) {
            while (count(reason) < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no " + reason + " event (#" + count + ") within 60 s; events: " + events);
                }
                TimeUnit.NANOSECONDS.timedWait(events, left);
            }
        }
    }

    /** Waits for the pair onto {@code target} to complete (its next VOLUMECOPY_COMPLETED event). */
    VolumeCopyInfo awaitCompleted(String target) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        synchronized (events) {
            while (copies.get(target).state() != CopyState.COMPLETED) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("copy onto " + target + " did not complete: " + copies.get(target));
                }
                TimeUnit.NANOSECONDS.timedWait(events, left);
            }
        }
        return copies.get(target);
    }

    VolumeCopyInfo awaitState(String target, CopyState state) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        synchronized (events) {
            while (copies.get(target).state() != state) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("copy onto " + target + " is not " + state + ": " + copies.get(target));
                }
                TimeUnit.NANOSECONDS.timedWait(events, left);
            }
        }
        return copies.get(target);
    }

    @Override
    public void close() throws IOException {
        io.close();
        copies.close();
        flashCopies.close();
        volumes.flushAll();
        volumes.close();
        pool.close();
    }
}
