package dev.copyservices.agent.events;

import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;
import dev.copyservices.api.agent.v1.Event;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One reader of the event log. Its events are handed to the reader's consumer on a thread of the
 * subscription's own, so a reader that blocks (a network client that reads slowly) only ever holds up
 * itself: the publisher puts events in a bounded queue and moves on. When the queue is full the reader
 * has fallen too far behind; the subscription ends with {@link Reason#EVENT_READER_TOO_SLOW} rather
 * than hold events without bound or make the publisher wait.
 * <p>
 * Ending a subscription (by the reader, by overflow, or because the log closes) interrupts the delivery
 * thread, so a consumer that waits should wait interruptibly.
 */
public final class Subscription {
    private static final Logger LOG = Logger.getLogger(Subscription.class.getName());

    private enum End {
        NONE, CANCELLED, OVERFLOW, CLOSED
    }

    private final EventLog log;
    private final int capacity;
    private final ArrayDeque<Event> replay;
    private final ArrayDeque<Event> live = new ArrayDeque<>();
    private final Consumer<Event> onEvent;
    private final Consumer<EngineException> onEnd;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Thread thread;
    private End end = End.NONE;
    /** Written and read by the delivery thread only. */
    private long lastDelivered;

    Subscription(EventLog log, long id, long afterSequence, List<Event> replay, int capacity, Consumer<Event> onEvent,
            Consumer<EngineException> onEnd) {
        this.log = log;
        this.capacity = capacity;
        this.replay = new ArrayDeque<>(replay);
        this.onEvent = onEvent;
        this.onEnd = onEnd;
        this.lastDelivered = afterSequence;
        this.thread = Thread.ofVirtual().name("event-reader-" + id).unstarted(this::deliver);
    }

    void start() {
        thread.start();
    }

    /** Stops delivery; the consumer sees no more events and {@code onEnd} is not called. Idempotent. */
    public void cancel() {
        if (finish(End.CANCELLED)) {
            log.remove(this);
        }
    }

    /** Whether the subscription still delivers. */
    public boolean active() {
        lock.lock();
        try {
            return end == End.NONE;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Called by the log, in sequence order, under the log's lock: never blocks. False when this
     * subscription has ended (now, by overflow, or before), so the log drops it.
     */
    boolean offer(Event event) {
        lock.lock();
        try {
            if (end != End.NONE) {
                return false;
            }
            if (live.size() >= capacity) {
                live.clear();
                end = End.OVERFLOW;
                changed.signalAll();
                thread.interrupt();
                return false;
            }
            live.addLast(event);
            changed.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The log is closing. */
    void closed() {
        finish(End.CLOSED);
    }

    private boolean finish(End why) {
        lock.lock();
        try {
            if (end != End.NONE) {
                return false;
            }
            end = why;
            live.clear();
            replay.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (Thread.currentThread() != thread) {
            thread.interrupt();
        }
        return true;
    }

    private void deliver() {
        while (true) {
            Event next = next();
            if (next == null) {
                break;
            }
            try {
                onEvent.accept(next);
            } catch (RuntimeException e) {
                if (active()) { // not an interrupted wait of an ending subscription: a bug of the reader
                    LOG.log(Level.WARNING, "an event reader failed; it gets no more events", e);
                    cancel();
                }
                break;
            }
            lastDelivered = next.getSequence();
        }
        End why;
        lock.lock();
        try {
            why = end;
        } finally {
            lock.unlock();
        }
        Thread.interrupted(); // the interrupt was for the consumer's wait; onEnd may need to wait too
        EngineException reason = switch (why) {
            case OVERFLOW -> new EngineException(Reason.EVENT_READER_TOO_SLOW, "the event reader fell more than "
                    + capacity + " events behind, so the agent stopped sending it events", "read events as they come,"
                    + " and watch again from where this stream stopped: csctl events --follow --after "
                    + Long.toUnsignedString(lastDelivered));
            case CLOSED -> new EngineException(Reason.AGENT_STOPPING, "the agent is stopping", "when it is back,"
                    + " watch again from where this stream stopped: csctl events --follow --after "
                    + Long.toUnsignedString(lastDelivered));
            default -> null;
        };
        if (reason != null) {
            try {
                onEnd.accept(reason);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "an event reader failed while being told its events ended", e);
            }
        }
    }

    /** The next event to hand over, or null once the subscription has ended. */
    private Event next() {
        lock.lock();
        try {
            while (true) {
                if (end != End.NONE) {
                    return null;
                }
                if (!replay.isEmpty()) {
                    return replay.pollFirst();
                }
                if (!live.isEmpty()) {
                    return live.pollFirst();
                }
                changed.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }
}
