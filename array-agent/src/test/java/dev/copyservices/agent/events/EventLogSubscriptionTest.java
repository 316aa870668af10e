package dev.copyservices.agent.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;
import dev.copyservices.agent.events.EventSink.Severity;
import dev.copyservices.api.agent.v1.Event;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Readers of the event log: replay then live, order, cancel, and what happens to slow readers. */
class EventLogSubscriptionTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private EventLog log;

    @BeforeEach
    void open() throws IOException {
        log = EventLog.open(dir.resolve("events.log"), new EventLog.Options(100, 1 << 20, 5));
    }

    @AfterEach
    void close() {
        log.close();
    }

    /** A reader that collects what it is given. */
    private static final class Reader {
        final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        final CompletableFuture<EngineException> ended = new CompletableFuture<>();

        Subscription subscribe(EventLog log, long after) {
            return log.subscribe(after, events::add, ended::complete);
        }

        /** The next {@code n} sequence numbers delivered, waiting at most WAIT for each. */
        List<Long> take(int n) throws InterruptedException {
            List<Long> got = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Event e = events.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                assertNotNull(e, "event " + (i + 1) + " of " + n + " did not arrive; got " + got);
                got.add(e.getSequence());
            }
            return got;
        }

        EngineException end() throws Exception {
            return ended.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    @Test
    void subscriberGetsRetainedEventsAfterItsSequenceThenLiveOnesInOrder() throws Exception {
        EventLogTest.publish(log, 5);
        Reader reader = new Reader();
        reader.subscribe(log, 2);
        assertEquals(range(3, 5), reader.take(3));
        EventLogTest.publish(log, 3);
        assertEquals(range(6, 8), reader.take(3));

        Reader everything = new Reader();
        everything.subscribe(log, 0);
        assertEquals(range(1, 8), everything.take(8));
    }

    @Test
    void concurrentPublishersAreSeenInOneOrderWithNoGapOrRepeat() throws Exception {
        log.close();
        log = EventLog.open(dir.resolve("events.log"), new EventLog.Options(100, 1 << 20, 10_000));
        Reader reader = new Reader();
        reader.subscribe(log, 0);
        int threads = 4;
        int each = 500;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> publishers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            publishers.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                EventLogTest.publish(log, each);
            }));
        }
        go.countDown();
        for (Thread t : publishers) {
            t.join();
        }
        assertEquals(range(1, threads * each), reader.take(threads * each));
    }

    @Test
    void cancelledSubscriberGetsNothingMoreAndIsNotToldItEnded() throws Exception {
        Reader reader = new Reader();
        Subscription subscription = reader.subscribe(log, 0);
        EventLogTest.publish(log, 1);
        assertEquals(List.of(1L), reader.take(1));
        subscription.cancel();
        assertFalse(subscription.active());
        EventLogTest.publish(log, 3);

        // a second reader subscribed after these events proves they were handed out; the first got none
        Reader witness = new Reader();
        witness.subscribe(log, 0);
        assertEquals(range(1, 4), witness.take(4));
        assertNull(reader.events.poll());
        assertFalse(reader.ended.isDone());
    }

    @Test
    void slowSubscriberIsDroppedWithAReasonWhilePublishersCarryOn() throws Exception {
        CountDownLatch stuck = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<EngineException> ended = new CompletableFuture<>();
        List<Long> seen = new ArrayList<>();
        Subscription slow = log.subscribe(0, e -> {
            seen.add(e.getSequence());
            stuck.countDown();
            try {
                release.await(); // a reader that stops reading, e.g. a client that never asks for more
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("told to stop");
            }
        }, ended::complete);
        Reader healthy = new Reader();
        healthy.subscribe(log, 0);

        EventLogTest.publish(log, 1);
        assertTrue(stuck.await(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        assertEquals(List.of(1L), healthy.take(1));
        // queue of 5: the 7th event overflows it (event 1 is in the reader's hands, 2..6 queued); one at a
        // time, so that the healthy reader, with the same small queue, keeps up
        for (int i = 2; i <= 21; i++) {
            EventLogTest.publish(log, 1);
            assertEquals(List.of((long) i), healthy.take(1));
        }

        EngineException why = ended.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(Reason.EVENT_READER_TOO_SLOW, why.reason());
        assertTrue(why.getMessage().contains("fell more than 5 events behind"), why.getMessage());
        assertTrue(why.correction().contains("--after 0"), "event 1 was never finished: " + why.correction());
        assertFalse(slow.active());
        assertEquals(List.of(1L), seen);
        release.countDown();
    }

    @Test
    void closingTheLogTellsEveryReaderTheAgentIsStopping() throws Exception {
        EventLogTest.publish(log, 2);
        Reader reader = new Reader();
        reader.subscribe(log, 0);
        assertEquals(range(1, 2), reader.take(2));
        log.close();

        EngineException why = reader.end();
        assertEquals(Reason.AGENT_STOPPING, why.reason());
        assertTrue(why.correction().contains("--after 2"), why.correction());

        Reader late = new Reader();
        late.subscribe(log, 0);
        assertEquals(Reason.AGENT_STOPPING, late.end().reason());
    }

    @Test
    void aReaderThatThrowsIsDroppedWithoutHurtingThePublisher() throws Exception {
        Subscription broken = log.subscribe(0, e -> {
            throw new IllegalStateException("reader bug");
        }, e -> {
        });
        log.publish(Severity.INFO, "X", "Array", "a", "m", "");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (broken.active() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(1_000_000);
        }
        assertFalse(broken.active());
        EventLogTest.publish(log, 2);
        assertEquals(3, log.lastSequence());
    }

    @Test
    void aFollowerPastTheLimitIsRefusedAndAPlaceFreedByACancelCanBeTakenAgain() throws IOException {
        EventLog limited = EventLog.open(dir.resolve("limited.log"), new EventLog.Options(100, 1 << 20, 5, 2));
        try {
            Subscription one = new Reader().subscribe(limited, 0);
            new Reader().subscribe(limited, 0);
            EngineException refused = org.junit.jupiter.api.Assertions.assertThrows(EngineException.class,
                    () -> new Reader().subscribe(limited, 0));
            org.junit.jupiter.api.Assertions.assertEquals(
                    dev.copyservices.agent.error.Reason.EVENT_FOLLOWER_LIMIT_REACHED, refused.reason());
            org.junit.jupiter.api.Assertions.assertTrue(refused.correction().contains("try again"), refused.correction());
            org.junit.jupiter.api.Assertions.assertEquals(2, limited.subscriberCount());
            one.cancel();
            new Reader().subscribe(limited, 0);
            org.junit.jupiter.api.Assertions.assertEquals(2, limited.subscriberCount());
        } finally {
            limited.close();
        }
    }
}
