package dev.copyservices.agent.volumecopy;

import static dev.copyservices.agent.volumecopy.CopyArray.MIB;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;
import dev.copyservices.agent.events.EventSink;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** States, the copy slots, stop, recopy, failures and what a pair reports (scenarios 1, 2, 19-23, 28, 32, 33). */
class VolumeCopyLifecycleTest {
    @TempDir
    Path dir;
    CopyArray array;

    @AfterEach
    void close() throws IOException {
        if (array != null) {
            array.close();
        }
    }

    @Test
    void createWithAFreeSlotStartsInProgressWithAStartTime() throws Exception { // scenario 1
        array = new CopyArray(dir);
        array.filledVolume("src", 8 * MIB, 1);
        array.volume("dst", 8 * MIB);
        array.io.hold();
        Instant before = Instant.now();
        VolumeCopyInfo pair = array.copies.create("src", "dst", CopyPriority.HIGH);
        assertEquals(CopyState.IN_PROGRESS, pair.state());
        assertEquals(CopyPriority.HIGH, pair.priority());
        assertFalse(pair.started().orElseThrow().isBefore(before.minusMillis(1)));
        assertTrue(pair.completed().isEmpty());
        assertEquals(1, array.copies.inProgress());
    }

    @Test
    void aRunningCopyPublishesAProgressEventAtEachTenthAndNoneAtTheEnd() throws Exception {
        array = new CopyArray(dir);
        array.filledVolume("src", 40 * MIB, 3); // ten chunks: one tenth each
        array.volume("dst", 40 * MIB);

        array.copies.create("src", "dst", null);
        array.awaitEvents("VOLUMECOPY_COMPLETED", 1);

        List<String> progress = array.events.stream().filter(e -> e.reason().equals("VOLUMECOPY_PROGRESS"))
                .map(e -> e.message().replaceAll(".*: ", "")).toList();
        assertEquals(List.of("10% copied", "20% copied", "30% copied", "40% copied", "50% copied", "60% copied",
                "70% copied", "80% copied", "90% copied"), progress);
    }

    @Test
    void copiesBeyondTheLimitWaitPendingAndStartInArrivalOrderAsSlotsFree() throws Exception { // scenario 2
        array = new CopyArray(dir, CopyArray.maxInProgress(2), true, new GatedIo());
        array.filledVolume("src", 4 * MIB, 2);
        for (String t : List.of("t1", "t2", "t3", "t4")) {
            array.volume(t, 4 * MIB);
        }
        array.io.hold();
        for (String t : List.of("t1", "t2", "t3", "t4")) {
            array.copies.create("src", t, null);
        }
        assertEquals(List.of(CopyState.IN_PROGRESS, CopyState.IN_PROGRESS, CopyState.PENDING, CopyState.PENDING),
                array.copies.list("").stream().map(VolumeCopyInfo::state).toList());
        assertEquals(1, array.copies.get("t3").queuePosition());
        assertEquals(2, array.copies.get("t4").queuePosition());
        assertTrue(array.copies.get("t3").started().isEmpty());

        array.io.allow(1); // t1 or t2 copies its only chunk and completes; t3 takes its slot, not t4
        array.awaitEvents("VOLUMECOPY_COMPLETED", 1);
        array.awaitState("t3", CopyState.IN_PROGRESS);
        assertEquals(CopyState.PENDING, array.copies.get("t4").state());
        assertEquals(1, array.copies.get("t4").queuePosition());
        array.io.release();
        for (String t : List.of("t1", "t2", "t3", "t4")) {
            assertArrayEquals(array.contents("src", 4 * MIB), array.contents(t, 4 * MIB), t);
            array.awaitCompleted(t);
        }
    }

    @Test
    void injectedSourceReadErrorFailsThePairWithEvent6600AndNeedsAttention() throws Exception { // scenario 19
        array = new CopyArray(dir);
        array.filledVolume("src", 8 * MIB, 3);
        array.volume("dst", 8 * MIB);
        array.io.hold();
        array.copies.create("src", "dst", null);
        array.failAt("dst", 4 * MIB, "source read error (injected)");
        array.io.release();
        VolumeCopyInfo failed = array.awaitState("dst", CopyState.FAILED);
        assertTrue(failed.failure().contains("source read error (injected)"), failed.failure());
        CopyArray.Event event = array.events.stream().filter(e -> e.reason().equals("VOLUMECOPY_FAILED"))
                .findFirst().orElseThrow();
        assertEquals(EventSink.Severity.CRITICAL, event.severity());
        assertTrue(event.message().startsWith("VolumeCopy operation failed (event 6600)"), event.message());
        assertTrue(event.correction().contains("csctl volumecopy stop dst"), event.correction());
        assertEquals(1, array.copies.needsAttention().size());
        assertTrue(array.copies.needsAttention().get(0).contains("'src' -> 'dst'"));
    }

    @Test
    void injectedTargetWriteErrorFailsThePairAndStoppingItClearsNeedsAttention() throws Exception { // 19, 20
        array = new CopyArray(dir);
        array.filledVolume("src", 8 * MIB, 4);
        array.volume("dst", 8 * MIB);
        array.io.hold();
        array.copies.create("src", "dst", null);
        array.failAt("dst", 0, "target write error (injected)");
        array.io.release();
        array.awaitState("dst", CopyState.FAILED);
        assertEquals(1, array.copies.needsAttention().size());
        VolumeCopyInfo stopped = array.copies.stop("dst");
        assertEquals(CopyState.STOPPED, stopped.state());
        assertEquals("", stopped.failure());
        assertEquals(List.of(), array.copies.needsAttention());
    }

    @Test
    void stopIsAcceptedInPendingInProgressAndFailedOnlyAndChangesNothingOtherwise() throws Exception { // 21
        array = new CopyArray(dir, CopyArray.maxInProgress(1), true, new GatedIo());
        array.filledVolume("src", 4 * MIB, 5);
        for (String t : List.of("running", "waiting", "done")) {
            array.volume(t, 4 * MIB);
        }
        array.copies.create("src", "done", CopyPriority.HIGHEST);
        array.awaitCompleted("done");
        array.io.hold();
        array.copies.create("src", "running", null);
        array.copies.create("src", "waiting", null);
        assertEquals(CopyState.STOPPED, array.copies.stop("waiting").state()); // Pending
        assertEquals(CopyState.STOPPED, array.copies.stop("running").state()); // InProgress
        for (String t : List.of("waiting", "done")) { // Stopped, Completed
            CopyState before = array.copies.get(t).state();
            EngineException e = assertThrows(EngineException.class, () -> array.copies.stop(t));
            assertEquals(Reason.VOLUMECOPY_STATE, e.reason());
            assertEquals(before, array.copies.get(t).state());
        }
        assertEquals(3, array.count("VOLUMECOPY_CREATED"));
        assertEquals(2, array.count("VOLUMECOPY_STOPPED"));
    }

    @Test
    void recopyCopiesTheSourceAsOfNowFromTheStartAndMakesTheTargetReadOnlyAgain() throws Exception { // 23
        array = new CopyArray(dir);
        array.filledVolume("src", 8 * MIB, 6);
        array.volume("dst", 8 * MIB);
        array.copies.create("src", "dst", CopyPriority.HIGHEST);
        Instant firstCompletion = array.awaitCompleted("dst").completed().orElseThrow();
        array.copies.update(List.of("dst"), null, false);
        array.write("dst", 0, new byte[4096]); // the target's own write, to be overwritten
        byte[] newer = CopyArray.class.getSimpleName().repeat(1000).getBytes();
        array.write("src", 5 * MIB, newer); // the source changes after the first copy

        VolumeCopyInfo again = array.copies.recopy("dst", CopyPriority.LOW);
        assertEquals(CopyPriority.LOW, again.priority());
        assertTrue(again.targetReadOnly());
        assertTrue(again.completed().isEmpty());
        assertTrue(array.writeRefused("src"));
        VolumeCopyInfo done = array.awaitCompleted("dst");
        assertTrue(done.completed().orElseThrow().isAfter(firstCompletion) || done.completed().orElseThrow()
                .equals(firstCompletion) && done.started().orElseThrow().compareTo(firstCompletion) >= 0);
        assertArrayEquals(array.contents("src", 8 * MIB), array.contents("dst", 8 * MIB));
        assertTrue(array.writeRefused("dst"));
    }

    @Test
    void recopyIsRefusedWhileTheCopyIsPendingOrInProgress() throws Exception { // 23 (the states it refuses)
        array = new CopyArray(dir);
        array.filledVolume("src", 8 * MIB, 7);
        array.volume("dst", 8 * MIB);
        array.io.hold();
        array.copies.create("src", "dst", null);
        EngineException e = assertThrows(EngineException.class, () -> array.copies.recopy("dst", null));
        assertEquals(Reason.VOLUMECOPY_STATE, e.reason());
        assertTrue(e.correction().contains("csctl volumecopy stop dst"), e.correction());
    }

    @Test
    void priorityChangesOnSeveralPairsInAnyStateAndAnInProgressCopyGoesOnWithoutRestarting() throws Exception { // 28
        array = new CopyArray(dir, CopyArray.maxInProgress(1), true, new GatedIo());
        array.filledVolume("src", 12 * MIB, 8);
        for (String t : List.of("running", "waiting", "done")) {
            array.volume(t, 12 * MIB);
        }
        array.copies.create("src", "done", CopyPriority.HIGHEST);
        array.awaitCompleted("done");
        array.io.hold();
        array.copies.create("src", "running", CopyPriority.LOWEST);
        array.copies.create("src", "waiting", CopyPriority.LOWEST);
        array.io.allow(1);
        long startedRun = array.pool.catalog().getVolumeCopiesList().stream()
                .filter(r -> r.getTargetId().equals(array.volumes.find("running").orElseThrow().getId()))
                .findFirst().orElseThrow().getRun();

        List<VolumeCopyInfo> changed = array.copies.update(List.of("running", "waiting", "done"),
                CopyPriority.HIGHEST, null);
        assertEquals(List.of(CopyPriority.HIGHEST, CopyPriority.HIGHEST, CopyPriority.HIGHEST),
                changed.stream().map(VolumeCopyInfo::priority).toList());
        array.io.release();
        array.awaitCompleted("running");
        long completedRun = array.pool.catalog().getVolumeCopiesList().stream()
                .filter(r -> r.getTargetId().equals(array.volumes.find("running").orElseThrow().getId()))
                .findFirst().orElseThrow().getRun();
        assertEquals(startedRun, completedRun, "the same run went on: no restart from the first byte");
        assertEquals(1, array.events.stream().filter(e -> e.reason().equals("VOLUMECOPY_STARTED")
                && e.object().equals("running")).count());
        assertArrayEquals(array.contents("src", 12 * MIB), array.contents("running", 12 * MIB));
    }

    @Test
    void progressRateAndTimeLeftShowOnlyWhileInProgress() throws Exception { // scenario 32
        array = new CopyArray(dir, CopyArray.maxInProgress(1), true, new GatedIo());
        array.filledVolume("src", 12 * MIB, 9);
        array.volume("dst", 12 * MIB);
        array.volume("next", 12 * MIB);
        array.io.hold();
        array.copies.create("src", "dst", CopyPriority.HIGHEST);
        array.copies.create("src", "next", CopyPriority.HIGHEST);
        VolumeCopyInfo pending = array.copies.get("next");
        assertEquals(0, pending.bytesCopied());
        assertTrue(pending.timeLeft().isEmpty());
        assertTrue(array.copies.get("dst").timeLeft().isEmpty(), "no pace measured before a chunk is copied");
        assertEquals(0, array.copies.get("dst").bytesPerSecond(), "no pace measured before a chunk is copied");
        assertEquals(0, pending.bytesPerSecond());
        array.io.allow(1);
        VolumeCopyInfo running = awaitCopied("dst", 4 * MIB);
        assertEquals(12 * MIB, running.bytesTotal());
        assertTrue(running.timeLeft().isPresent(), running.toString());
        assertTrue(running.bytesPerSecond() > 0, running.toString());
        // the time left is the bytes left at the measured rate
        double expectedSeconds = (running.bytesTotal() - running.bytesCopied()) / running.bytesPerSecond();
        assertEquals(expectedSeconds, running.timeLeft().get().toNanos() / 1e9, expectedSeconds * 1e-6 + 1e-6);
        array.io.release();
        VolumeCopyInfo done = array.awaitCompleted("dst");
        assertEquals(100.0, done.copiedPercent());
        assertTrue(done.timeLeft().isEmpty());
        assertEquals(0, done.bytesPerSecond());
    }

    @Test
    void statusNamesBothVolumesWithIdsStatePriorityTimesAndReadOnly() throws Exception { // scenario 33
        array = new CopyArray(dir);
        array.filledVolume("src", 4 * MIB, 10);
        array.volume("dst", 4 * MIB);
        array.copies.create("src", "dst", CopyPriority.HIGHEST);
        VolumeCopyInfo info = array.awaitCompleted("dst");
        assertEquals("src", info.source());
        assertEquals(array.volumes.get("src").id(), info.sourceId());
        assertEquals("dst", info.target());
        assertEquals(array.volumes.get("dst").id(), info.targetId());
        assertEquals(CopyState.COMPLETED, info.state());
        assertEquals(CopyPriority.HIGHEST, info.priority());
        assertTrue(info.targetReadOnly());
        assertFalse(info.completed().orElseThrow().isBefore(info.started().orElseThrow()));
        assertFalse(info.started().orElseThrow().isBefore(info.created()));
    }

    @Test
    void sourceAndTargetOfAnActiveCopyCannotBeDeletedOrResizedAndStayWhenRefused() throws Exception { // 36
        array = new CopyArray(dir);
        array.filledVolume("src", 8 * MIB, 11);
        array.volume("dst", 8 * MIB);
        array.io.hold();
        array.copies.create("src", "dst", null);
        for (String volume : List.of("src", "dst")) {
            EngineException resize = assertThrows(EngineException.class,
                    () -> array.volumes.resize(volume, 16 * MIB));
            assertEquals(Reason.VOLUME_IN_COPY, resize.reason());
            EngineException delete = assertThrows(EngineException.class, () -> array.volumes.delete(volume, true));
            assertEquals(Reason.VOLUME_IN_COPY, delete.reason());
            assertTrue(delete.correction().contains("csctl volumecopy stop dst"), delete.correction());
            assertEquals(8 * MIB, array.volumes.get(volume).sizeBytes());
        }
        array.copies.stop("dst");
        array.volumes.resize("src", 16 * MIB); // a stopped copy no longer holds them
        array.volumes.delete("dst", false);
        assertEquals(List.of(), array.copies.list(""), "the pair went with its target");
    }

    @Test
    void theLowestPriorityPausesEightTimesTheCopyingTimeInAll() {
        assertEquals(0, CopyPace.pauseNanos(1_000_000, CopyPriority.HIGHEST));
        assertEquals(1_000_000, CopyPace.pauseNanos(1_000_000, CopyPriority.HIGH));
        assertEquals(2_500_000, CopyPace.pauseNanos(1_000_000, CopyPriority.MEDIUM));
        assertEquals(5_000_000, CopyPace.pauseNanos(1_000_000, CopyPriority.LOW));
        assertEquals(7_000_000, CopyPace.pauseNanos(1_000_000, CopyPriority.LOWEST));
    }

    private VolumeCopyInfo awaitCopied(String target, long bytes) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            VolumeCopyInfo info = array.copies.get(target);
            if (info.bytesCopied() >= bytes && info.timeLeft().isPresent()) {
                return info;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("copy onto " + target + " did not reach " + bytes + " bytes: " + info);
            }
            Thread.onSpinWait();
        }
    }
}
