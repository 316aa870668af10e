package dev.copyservices.agent.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.events.EventSink.Severity;
import dev.copyservices.api.agent.v1.Event;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The event log's numbering, retention and file; readers are in {@link EventLogSubscriptionTest}. */
class EventLogTest {
    @TempDir
    Path dir;
    private final List<EventLog> open = new ArrayList<>();

    @AfterEach
    void closeAll() {
        open.forEach(EventLog::close);
    }

    private Path file() {
        return dir.resolve("events.log");
    }

    private EventLog open(EventLog.Options options) throws IOException {
        EventLog log = EventLog.open(file(), options);
        open.add(log);
        return log;
    }

    private EventLog open() throws IOException {
        return open(EventLog.Options.defaults());
    }

    static void publish(EventSink log, int n) {
        for (int i = 1; i <= n; i++) {
            log.publish(Severity.INFO, "TEST_EVENT", "Volume", "v" + i, "event number " + i, "");
        }
    }

    private static List<Long> sequences(List<Event> events) {
        return events.stream().map(Event::getSequence).toList();
    }

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    @Test
    void eventsAreNumberedFromOneInPublishOrderWithEveryField() throws IOException {
        EventLog log = open();
        assertEquals(0, log.lastSequence());
        log.publish(Severity.WARNING, "REPOSITORY_THRESHOLD_EXCEEDED", "Repository", "db-R1", "80% used",
                "grow the repository");
        log.publish(Severity.CRITICAL, "FLASHCOPY_FAILED", "FlashCopy", "db-1", "repository full", "re-create it");
        log.publish(Severity.INFO, "VOLUME_CREATED", "Volume", "db", "created", "");

        List<Event> events = log.since(0);
        assertEquals(List.of(1L, 2L, 3L), sequences(events));
        Event first = events.get(0);
        assertEquals(dev.copyservices.api.agent.v1.Severity.WARNING, first.getSeverity());
        assertEquals("REPOSITORY_THRESHOLD_EXCEEDED", first.getReason());
        assertEquals("Repository", first.getObjectKind());
        assertEquals("db-R1", first.getObjectName());
        assertEquals("80% used", first.getMessage());
        assertEquals("grow the repository", first.getCorrection());
        assertTrue(first.getTime().getSeconds() > 1_600_000_000L, first.toString());
        assertEquals(dev.copyservices.api.agent.v1.Severity.CRITICAL, events.get(1).getSeverity());
        assertEquals(List.of(3L), sequences(log.since(2)));
        assertEquals(3, log.lastSequence());
    }

    @Test
    void publishNeverThrowsOnMissingTextsOrAfterClose() throws IOException {
        EventLog log = open();
        log.publish(null, null, null, null, null, null);
        log.publish(Severity.INFO, "X", "Volume", "v", "m".repeat(100_000), null);
        Event huge = log.since(1).get(0);
        assertEquals(EventLog.MAX_TEXT, huge.getMessage().length());
        log.close();
        log.publish(Severity.INFO, "AFTER_CLOSE", "Array", "a", "dropped", "");
        assertEquals(2, log.lastSequence());
    }

    @Test
    void memoryKeepsOnlyTheNewestEvents() throws IOException {
        EventLog log = open(new EventLog.Options(10, 1 << 20, 100));
        publish(log, 25);
        assertEquals(range(16, 25), sequences(log.since(0)));
        assertEquals(range(21, 25), sequences(log.since(20)));
        assertEquals(List.of(), log.since(25));
        assertEquals(List.of(), log.since(-1L), "after_sequence is unsigned: 2^64-1 is after everything");
    }

    @Test
    void numberingAndRecentEventsContinueAfterReopen() throws IOException {
        EventLog first = open();
        publish(first, 3);
        first.close();

        EventLog second = open();
        assertEquals(first.since(0), second.since(0));
        publish(second, 2);
        assertEquals(range(1, 5), sequences(second.since(0)));
    }

    @Test
    void eventsSurviveAnAgentThatNeverClosedTheLog() throws IOException {
        // what kill -9 leaves: the first log is abandoned with its file open, never closed or flushed
        EventLog crashed = open();
        publish(crashed, 4);

        EventLog restarted = EventLog.open(file());
        open.add(restarted);
        assertEquals(range(1, 4), sequences(restarted.since(0)));
        restarted.publish(Severity.INFO, "AGENT_STARTED", "Array", "a", "again", "");
        assertEquals(5, restarted.lastSequence());
    }

    @Test
    void tornLastRecordIsDroppedAndLaterEventsAreNotHiddenBehindIt() throws IOException {
        EventLog log = open();
        publish(log, 3);
        log.close();
        long whole = Files.size(file());
        // a crash in the middle of an append: a record header that promises more than follows
        Files.write(file(), new byte[] {0, 0, 0, 40, 1, 2, 3, 4, 5, 6}, StandardOpenOption.APPEND);

        EventLog reopened = open();
        assertEquals(range(1, 3), sequences(reopened.since(0)));
        assertEquals(whole, Files.size(file()), "the torn bytes are cut off");
        publish(reopened, 1);
        reopened.close();

        assertEquals(range(1, 4), sequences(open().since(0)));
    }

    @Test
    void recordWithABadChecksumEndsTheReadablePart() throws IOException {
        EventLog log = open();
        publish(log, 3);
        log.close();
        byte[] bytes = Files.readAllBytes(file());
        bytes[bytes.length - 2] ^= 0x55; // inside the last record's payload
        Files.write(file(), bytes);

        EventLog reopened = open();
        assertEquals(range(1, 2), sequences(reopened.since(0)));
        publish(reopened, 1);
        assertEquals(3, reopened.lastSequence(), "the damaged event was never seen whole, so its number is reused");
    }

    @Test
    void fileThatIsNotAnEventLogIsSetAsideAndANewOneStarted() throws IOException {
        Files.writeString(file(), "not an event log at all");
        EventLog log = open();
        assertEquals(0, log.lastSequence());
        assertEquals("not an event log at all", Files.readString(dir.resolve("events.log.damaged")));
        publish(log, 1);
        log.close();
        assertEquals(1, open().lastSequence());
    }

    @Test
    void fileStaysWithinItsBoundAndKeepsTheNewestEventsAcrossRewrites() throws IOException {
        EventLog.Options options = new EventLog.Options(50, 8192, 100);
        EventLog log = open(options);
        long largest = 0;
        for (int i = 0; i < 600; i++) {
            publish(log, 1);
            largest = Math.max(largest, Files.size(file()));
        }
        long oneRecord = EventFile.recordSize(log.since(599).get(0));
        assertTrue(largest <= options.maxFileBytes() + oneRecord, "file grew to " + largest + " bytes");
        assertFalse(Files.exists(dir.resolve("events.log.tmp")), "no temporary file is left behind");
        log.close();

        EventLog reopened = open(options);
        List<Event> kept = reopened.since(0);
        assertFalse(kept.isEmpty());
        assertEquals(600, kept.get(kept.size() - 1).getSequence());
        assertEquals(range(kept.get(0).getSequence(), 600), sequences(kept), "the newest events, with no gap");
        publish(reopened, 1);
        assertEquals(601, reopened.lastSequence());
    }

    @Test
    void leftoverTemporaryFileFromAnInterruptedRewriteIsIgnored() throws IOException {
        EventLog log = open();
        publish(log, 2);
        log.close();
        Files.write(dir.resolve("events.log.tmp"), new byte[] {1, 2, 3});
        assertEquals(range(1, 2), sequences(open().since(0)));
        assertFalse(Files.exists(dir.resolve("events.log.tmp")));
    }
}
