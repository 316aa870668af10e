package dev.copyservices.agent.mirror;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One member's records on their way to the peer: when each still unanswered one was sent (the oldest
 * is the asynchronous modes' lag, their RPO) and the bytes sent since the agent started. Records are
 * answered in the order they were sent, as the stream acknowledges them.
 */
final class InFlightRecords {
    private final ArrayDeque<Long> sentNanos = new ArrayDeque<>();
    private final AtomicLong bytesSent = new AtomicLong();
    private final AtomicLong resyncBytesSent = new AtomicLong();

    void sent(long nanos, long bytes) {
        synchronized (sentNanos) {
            sentNanos.add(nanos);
        }
        bytesSent.addAndGet(bytes);
    }

    /** The oldest record has its outcome, applied or not. */
    void answered() {
        synchronized (sentNanos) {
            sentNanos.poll();
        }
    }

    /** Age of the oldest record not yet answered; 0 when none is. */
    double lagSeconds() {
        synchronized (sentNanos) {
            Long oldest = sentNanos.peek();
            return oldest == null ? 0 : (System.nanoTime() - oldest) / 1e9;
        }
    }

    /** Waits until every record sent has its outcome, at most {@code nanos}. */
    void awaitNone(long nanos) {
        long deadline = System.nanoTime() + nanos;
        while (System.nanoTime() < deadline) {
            synchronized (sentNanos) {
                if (sentNanos.isEmpty()) {
                    return;
                }
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    long bytesSent() {
        return bytesSent.get();
    }

    /** Bytes of regions a resync (or the initial synchronization) sent, since the agent started. */
    long resyncBytesSent() {
        return resyncBytesSent.get();
    }

    void resyncSent(long bytes) {
        resyncBytesSent.addAndGet(bytes);
    }
}
