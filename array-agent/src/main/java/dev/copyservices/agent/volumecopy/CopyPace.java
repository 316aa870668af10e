package dev.copyservices.agent.volumecopy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A copy's pace: after each chunk it pauses so that copying plus pausing takes {@link
 * CopyPriority#slowdown()} times the copying alone, which leaves the rest of the agent's I/O to hosts.
 * The pause re-reads the priority when woken, so a change takes effect within the chunk it is made in;
 * stop wakes it at once. It also measures the pace for the estimated time left.
 */
public final class CopyPace {
    /** Weight of the newest chunk in the rate estimate. */
    private static final double WEIGHT = 0.1;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Supplier<CopyPriority> priority;
    private final LongSupplier clock;
    private volatile boolean stopped;
    private volatile double bytesPerNano;

    public CopyPace(Supplier<CopyPriority> priority, LongSupplier nanoClock) {
        this.priority = priority;
        this.clock = nanoClock;
    }

    /** The pause to take after a chunk that took {@code busyNanos}, at a priority. */
    static long pauseNanos(long busyNanos, CopyPriority priority) {
        return (long) (busyNanos * (priority.slowdown() - 1));
    }

    /**
     * Pauses after a chunk of {@code bytes} that took {@code busyNanos}; returns false when the copy was
     * stopped meanwhile.
     */
    public boolean pauseAfter(long bytes, long busyNanos) throws InterruptedException {
        long start = clock.getAsLong();
        lock.lock();
        try {
            while (!stopped) {
                long left = start + pauseNanos(busyNanos, priority.get()) - clock.getAsLong();
                if (left <= 0) {
                    break;
                }
                changed.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
        long total = Math.max(1, busyNanos + clock.getAsLong() - start);
        double rate = (double) bytes / total;
        bytesPerNano = bytesPerNano == 0 ? rate : bytesPerNano * (1 - WEIGHT) + rate * WEIGHT;
        return !stopped;
    }

    /** Wakes a pause to re-read the priority. */
    public void priorityChanged() {
        signal();
    }

    public void stop() {
        stopped = true;
        signal();
    }

    public boolean stopped() {
        return stopped;
    }

    /** Nanoseconds to copy {@code bytes} more at the measured pace; -1 before the first chunk. */
    public long nanosFor(long bytes) {
        double rate = bytesPerNano;
        return rate <= 0 ? -1 : (long) (bytes / rate);
    }

    /** The measured pace in bytes per second, pauses included; 0 before the first chunk. */
    public double bytesPerSecond() {
        return bytesPerNano * 1e9;
    }

    private void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

}
