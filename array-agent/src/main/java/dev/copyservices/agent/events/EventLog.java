package dev.copyservices.agent.events;

import com.google.protobuf.Timestamp;
import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;
import dev.copyservices.api.agent.v1.Event;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The agent's event log (the seeds' Major Event Log): every event gets the next sequence number, is
 * appended to {@code events.log} in the pool, logged as one line, kept in memory among the most recent
 * ones, and handed to every subscriber. Numbering and the recent events survive a restart and a
 * {@code kill -9}, because the file is read back at open.
 * <p>
 * Publishing writes the record synchronously but without fsync (see {@link EventFile}): a few
 * microseconds, and an event a reader has seen is never renumbered after a crash. Once the file passes
 * its size bound it is rewritten with the newest events, which costs one publish in thousands an fsync.
 * A failing disk never fails a publish: the event stays in memory and the next publish rewrites the file.
 */
public final class EventLog implements EventSink, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EventLog.class.getName());
    /** Longest text kept per field, so one event can never approach the file's bound. */
    static final int MAX_TEXT = 4096;

    /**
     * @param retainedEvents  events kept in memory and served to new readers
     * @param maxFileBytes    the file is rewritten once it grows past this
     * @param subscriberQueue live events a reader may fall behind by before it is dropped
     * @param maxSubscribers   followers served at once; one more is refused (each holds a thread and a queue)
     */
    public record Options(int retainedEvents, long maxFileBytes, int subscriberQueue, int maxSubscribers) {
        /** Enough for several operators (one stream per reconciler kind each), CSI drivers and administrators. */
        public static final int DEFAULT_MAX_SUBSCRIBERS = 256;

        public Options {
            if (retainedEvents < 1 || maxFileBytes < 4096 || subscriberQueue < 1 || maxSubscribers < 1) {
                throw new IllegalArgumentException("event log options out of range: " + this);
            }
        }

        public Options(int retainedEvents, long maxFileBytes, int subscriberQueue) {
            this(retainedEvents, maxFileBytes, subscriberQueue, DEFAULT_MAX_SUBSCRIBERS);
        }

        public static Options defaults() {
            return new Options(1000, 1 << 20, 1000);
        }
    }

    private final Options options;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Event> retained = new ArrayDeque<>();
    private final List<Subscription> subscribers = new ArrayList<>();
    private final EventFile file;
    private long lastSequence;
    private long subscriptionIds;
    /** An append failed: the file may end in a torn record, so the next publish rewrites it whole. */
    private boolean fileFailed;
    private boolean closed;

    private EventLog(Options options, EventFile file, List<Event> loaded) {
        this.options = options;
        this.file = file;
        for (Event event : loaded) {
            keep(event);
            lastSequence = Math.max(lastSequence, event.getSequence());
        }
    }

    public static EventLog open(Path path) throws IOException {
        return open(path, Options.defaults());
    }

    /** Reads the events in {@code path} (created if missing); numbering continues after the last one. */
    public static EventLog open(Path path, Options options) throws IOException {
        EventFile.Loaded loaded = EventFile.open(path);
        EventLog log = new EventLog(options, loaded.file(), loaded.events());
        LOG.fine(() -> "event log " + path + ": " + loaded.events().size() + " event(s), last sequence "
                + log.lastSequence);
        return log;
    }

    @Override
    public void publish(Severity severity, String reason, String objectKind, String objectName, String message,
            String correction) {
        try {
            Event event;
            lock.lock();
            try {
                if (closed) {
                    LOG.info("event after the event log closed (not kept): " + severity + " " + reason + " "
                            + objectKind + "/" + objectName + ": " + message);
                    return;
                }
                event = build(lastSequence + 1, severity, reason, objectKind, objectName, message, correction);
                lastSequence = event.getSequence();
                keep(event);
                persist(event); // before any reader sees it, so a seen event survives a crash
                for (Iterator<Subscription> it = subscribers.iterator(); it.hasNext();) {
                    if (!it.next().offer(event)) {
                        it.remove();
                    }
                }
            } finally {
                lock.unlock();
            }
            logLine(event);
        } catch (RuntimeException e) {
            // an event is information: losing one must never fail what the publisher was doing
            LOG.log(Level.WARNING, "could not publish event " + reason + " of " + objectKind + " " + objectName, e);
        }
    }

    /** The retained events after {@code afterSequence}, oldest first. */
    public List<Event> since(long afterSequence) {
        lock.lock();
        try {
            return after(afterSequence);
        } finally {
            lock.unlock();
        }
    }

    /** The sequence number of the newest event, 0 when there has been none. */
    public long lastSequence() {
        lock.lock();
        try {
            return lastSequence;
        } finally {
            lock.unlock();
        }
    }

    /** Subscriptions currently delivering; for the agent's figures and for tests. */
    public int subscriberCount() {
        lock.lock();
        try {
            return subscribers.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Hands {@code onEvent} the retained events after {@code afterSequence}, then every new event, in
     * order, with no gap and no repeat, on a thread of the subscription's own (see {@link Subscription}).
     * {@code onEnd} is called, on that thread, when the log ends the subscription: the reader fell too far
     * behind, or the log closed. It is not called after {@link Subscription#cancel()}.
     */
    public Subscription subscribe(long afterSequence, Consumer<Event> onEvent, Consumer<EngineException> onEnd) {
        Subscription subscription;
        lock.lock();
        try {
            if (subscribers.size() >= options.maxSubscribers()) {
                throw new EngineException(Reason.EVENT_FOLLOWER_LIMIT_REACHED, "this agent already serves "
                        + subscribers.size() + " event followers, the most it allows", "end followers that are no longer"
                        + " needed (csctl events --follow sessions, operators or drivers watching this agent) and try again");
            }
            subscription = new Subscription(this, ++subscriptionIds, afterSequence, after(afterSequence),
                    options.subscriberQueue(), onEvent, onEnd);
            if (closed) {
                subscription.closed();
            } else {
                subscribers.add(subscription);
            }
        } finally {
            lock.unlock();
        }
        subscription.start();
        return subscription;
    }

    void remove(Subscription subscription) {
        lock.lock();
        try {
            subscribers.remove(subscription);
        } finally {
            lock.unlock();
        }
    }

    /** Ends every subscription (readers are told the agent is stopping) and closes the file. */
    @Override
    public void close() {
        List<Subscription> ending;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            ending = List.copyOf(subscribers);
            subscribers.clear();
            try {
                file.close();
            } catch (IOException e) {
                LOG.warning("closing the event log failed: " + e.getMessage());
            }
        } finally {
            lock.unlock();
        }
        ending.forEach(Subscription::closed);
    }

    private List<Event> after(long afterSequence) {
        List<Event> result = new ArrayList<>();
        for (Event event : retained) {
            if (Long.compareUnsigned(event.getSequence(), afterSequence) > 0) {
                result.add(event);
            }
        }
        return result;
    }

    private void keep(Event event) {
        retained.addLast(event);
        while (retained.size() > options.retainedEvents()) {
            retained.removeFirst();
        }
    }

    private void persist(Event event) {
        try {
            if (fileFailed) {
                file.rewrite(newestFitting());
                fileFailed = false;
                LOG.info("the event log is written again");
            } else {
                file.append(event);
                if (file.size() > options.maxFileBytes()) {
                    file.rewrite(newestFitting());
                }
            }
        } catch (IOException e) {
            if (!fileFailed) {
                LOG.warning("could not write event " + event.getSequence() + " to the event log: " + e
                        + "; events are kept in memory and the file is rewritten at the next event");
            }
            fileFailed = true;
        }
    }

    /**
     * The newest retained events that fill at most half the size bound (always the newest one, which
     * carries the numbering across a restart): the file then takes many events before the next rewrite.
     */
    private List<Event> newestFitting() {
        long budget = options.maxFileBytes() / 2;
        ArrayDeque<Event> chosen = new ArrayDeque<>();
        for (Iterator<Event> it = retained.descendingIterator(); it.hasNext();) {
            Event event = it.next();
            budget -= EventFile.recordSize(event);
            if (budget < 0 && !chosen.isEmpty()) {
                break;
            }
            chosen.addFirst(event);
        }
        return List.copyOf(chosen);
    }

    private static Event build(long sequence, Severity severity, String reason, String kind, String name,
            String message, String correction) {
        Instant now = Instant.now();
        return Event.newBuilder()
                .setSequence(sequence)
                .setTime(Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
                .setSeverity(toProto(severity))
                .setReason(text(reason))
                .setObjectKind(text(kind))
                .setObjectName(text(name))
                .setMessage(text(message))
                .setCorrection(text(correction))
                .build();
    }

    private static dev.copyservices.api.agent.v1.Severity toProto(Severity severity) {
        if (severity == null) {
            return dev.copyservices.api.agent.v1.Severity.SEVERITY_UNSPECIFIED;
        }
        return switch (severity) {
            case INFO -> dev.copyservices.api.agent.v1.Severity.INFO;
            case WARNING -> dev.copyservices.api.agent.v1.Severity.WARNING;
            case CRITICAL -> dev.copyservices.api.agent.v1.Severity.CRITICAL;
        };
    }

    private static String text(String s) {
        if (s == null) {
            return "";
        }
        return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT - 3) + "...";
    }

    /** One line in the agent's log per event, at a level that matches its severity. */
    private static void logLine(Event e) {
        Level level = switch (e.getSeverity()) {
            case CRITICAL -> Level.SEVERE;
            case WARNING -> Level.WARNING;
            default -> Level.INFO;
        };
        if (LOG.isLoggable(level)) {
            LOG.log(level, "event " + e.getSequence() + " " + e.getSeverity() + " " + e.getReason() + " "
                    + e.getObjectKind() + "/" + e.getObjectName() + ": " + e.getMessage()
                    + (e.getCorrection().isEmpty() ? "" : " (hint: " + e.getCorrection() + ")"));
        }
    }
}
