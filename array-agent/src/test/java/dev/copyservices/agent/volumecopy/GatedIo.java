package dev.copyservices.agent.volumecopy;

import dev.copyservices.agent.volume.VolumeDevice;
import java.io.IOException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The engine's copy seam for tests: chunks of a target's copy pass only while permits are given, so
 * a test holds a copy InProgress without timing; and a chosen chunk can fail as a source read or a
 * target write error would.
 */
final class GatedIo implements CopyIo {
    private final Semaphore permits = new Semaphore(Integer.MAX_VALUE / 2);
    private final ConcurrentHashMap<Chunk, String> failures = new ConcurrentHashMap<>();

    /** A chunk of one target's copy; devices compare by identity. */
    private record Chunk(VolumeDevice target, long offset) {
    }
    private volatile boolean closed;

    /** From now on each chunk needs a permit ({@link #allow}). */
    void hold() {
        permits.drainPermits();
    }

    void allow(int chunks) {
        permits.release(chunks);
    }

    void release() {
        permits.release(Integer.MAX_VALUE / 2);
    }

    /** The chunk at {@code offset} of a copy onto {@code target} fails with this message, once. */
    void failAt(VolumeDevice target, long offset, String message) {
        failures.put(new Chunk(target, offset), message);
    }

    /** Lets every waiting copier go, for the end of a test. */
    void close() {
        closed = true;
        release();
    }

    @Override
    public void copy(VolumeDevice source, VolumeDevice target, long offset, int length) throws IOException {
        try {
            while (!closed && !permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                // waits for a permit; rechecks closed so that close never hangs
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        String failure = failures.remove(new Chunk(target, offset));
        if (failure != null) {
            throw new IOException(failure);
        }
        CopyIo.DIRECT.copy(source, target, offset, length);
    }
}
