package dev.copyservices.agent.volumecopy;

import static dev.copyservices.agent.volumecopy.CopyArray.MIB;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Host access to source and target in each state: the seed's matrix (volumecopy.md §3.2, scenarios 3-7, 22). */
class VolumeCopyAccessTest {
    @TempDir
    Path dir;
    CopyArray array;

    @BeforeEach
    void open() throws IOException {
        array = new CopyArray(dir, CopyArray.maxInProgress(1), true, new GatedIo());
    }

    @AfterEach
    void close() throws IOException {
        array.close();
    }

    @Test
    void sourceRefusesWritesButServesReadsWhilePendingInProgressAndFailed() throws Exception { // scenario 3
        byte[] data = array.filledVolume("src", 8 * MIB, 1);
        array.volume("first", 8 * MIB);
        array.volume("dst", 8 * MIB);
        array.io.hold();
        array.copies.create("src", "first", null);
        array.copies.create("src", "dst", null);
        assertEquals(CopyState.IN_PROGRESS, array.copies.get("first").state());
        assertEquals(CopyState.PENDING, array.copies.get("dst").state());
        assertEquals("read-only: source of VolumeCopy onto 'dst' (Pending); read-only: source of VolumeCopy"
                + " onto 'first' (InProgress)", array.volumes.get("src").accessRestriction());
        assertEquals("no host I/O: target of VolumeCopy from 'src' (InProgress)",
                array.volumes.get("first").accessRestriction());
        assertTrue(array.writeRefused("src"));
        assertArrayEquals(java.util.Arrays.copyOf(data, 512), array.read("src", 0, 512));

        array.copies.stop("first");
        array.failAt("dst", 0, "source read error (injected)");
        array.io.release();
        array.awaitState("dst", CopyState.FAILED);
        assertTrue(array.writeRefused("src"));
        assertArrayEquals(java.util.Arrays.copyOf(data, 512), array.read("src", 0, 512));
    }

    @Test
    void targetRefusesReadsAndWritesWhilePendingInProgressAndFailed() throws Exception { // scenario 4
        array.filledVolume("src", 8 * MIB, 2);
        array.volume("first", 8 * MIB);
        array.volume("dst", 8 * MIB);
        array.io.hold();
        array.copies.create("src", "first", null);
        array.copies.create("src", "dst", null);
        for (String target : List.of("first", "dst")) { // InProgress, Pending
            assertTrue(array.readRefused(target), target);
            assertTrue(array.writeRefused(target), target);
        }
        array.copies.stop("first");
        array.failAt("dst", 4 * MIB, "target write error (injected)");
        array.io.release();
        array.awaitState("dst", CopyState.FAILED);
        assertTrue(array.readRefused("dst"));
        assertTrue(array.writeRefused("dst"));
        assertTrue(array.volumes.get("dst").accessRestriction().contains("no host I/O"));
    }

    @Test
    void completedPairLeavesSourceWritableAndTargetReadOnlyByDefault() throws Exception { // scenario 5
        byte[] data = array.filledVolume("src", 8 * MIB, 3);
        array.volume("dst", 8 * MIB);
        array.copies.create("src", "dst", CopyPriority.HIGHEST);
        VolumeCopyInfo done = array.awaitCompleted("dst");
        assertTrue(done.targetReadOnly());
        assertFalse(array.writeRefused("src"));
        assertArrayEquals(java.util.Arrays.copyOf(data, 512), array.read("dst", 0, 512));
        assertTrue(array.writeRefused("dst"));
        assertEquals("read-only: target of VolumeCopy from 'src' (Completed, target read-only)",
                array.volumes.get("dst").accessRestriction());
        assertEquals("", array.volumes.get("src").accessRestriction());
    }

    @Test
    void turningTargetReadOnlyOffLetsWritesThroughAndOnAgainRefusesThem() throws Exception { // scenario 6
        array.filledVolume("src", 4 * MIB, 4);
        array.volume("dst", 4 * MIB);
        array.copies.create("src", "dst", CopyPriority.HIGHEST);
        array.awaitCompleted("dst");

        assertFalse(array.copies.update(List.of("dst"), null, false).get(0).targetReadOnly());
        assertFalse(array.writeRefused("dst"));
        assertEquals("", array.volumes.get("dst").accessRestriction());
        array.copies.update(List.of("dst"), null, true);
        assertTrue(array.writeRefused("dst"));
    }

    @Test
    void targetReadOnlyCannotChangeWhilePendingOrInProgress() throws Exception { // scenario 7
        array.filledVolume("src", 8 * MIB, 5);
        array.volume("first", 8 * MIB);
        array.volume("dst", 8 * MIB);
        array.io.hold();
        array.copies.create("src", "first", null);
        array.copies.create("src", "dst", null);
        for (String target : List.of("first", "dst")) {
            EngineException e = assertThrows(EngineException.class,
                    () -> array.copies.update(List.of(target), null, false));
            assertEquals(Reason.VOLUMECOPY_STATE, e.reason());
            assertTrue(array.copies.get(target).targetReadOnly(), "changed nothing");
        }
    }

    @Test
    void stoppedPairGivesTheSourceItsWritesBackAndTheTargetFollowsReadOnly() throws Exception { // scenario 22
        array.filledVolume("src", 8 * MIB, 6);
        array.volume("dst", 8 * MIB);
        array.io.hold();
        array.copies.create("src", "dst", null);
        assertTrue(array.writeRefused("src"));
        VolumeCopyInfo stopped = array.copies.stop("dst");
        assertEquals(CopyState.STOPPED, stopped.state());
        assertFalse(array.writeRefused("src"));
        assertFalse(array.readRefused("dst"));
        assertTrue(array.writeRefused("dst"));
        array.copies.update(List.of("dst"), null, false);
        assertFalse(array.writeRefused("dst"));
    }

    @Test
    void removingAPairKeepsBothVolumesDataAndEndsTheTargetsReadOnly() throws Exception { // scenario 25 (2nd half)
        byte[] data = array.filledVolume("src", 4 * MIB, 7);
        array.volume("dst", 4 * MIB);
        array.copies.create("src", "dst", CopyPriority.HIGHEST);
        array.awaitCompleted("dst");
        List<VolumeCopyInfo> removed = array.copies.remove(List.of("dst"));
        assertEquals("dst", removed.get(0).target());
        assertEquals(List.of(), array.copies.list(""));
        assertArrayEquals(data, array.read("dst", 0, data.length));
        assertArrayEquals(data, array.read("src", 0, data.length));
        assertFalse(array.writeRefused("dst"));
    }

    @Test
    void removeIsRefusedWhilePendingOrInProgressAndChangesNothing() throws Exception { // scenario 25 (1st half)
        array.filledVolume("src", 8 * MIB, 8);
        array.volume("first", 8 * MIB);
        array.volume("dst", 8 * MIB);
        array.io.hold();
        array.copies.create("src", "first", null);
        array.copies.create("src", "dst", null);
        for (String target : List.of("first", "dst")) {
            EngineException e = assertThrows(EngineException.class, () -> array.copies.remove(List.of(target)));
            assertEquals(Reason.VOLUMECOPY_STATE, e.reason());
            assertTrue(e.correction().contains("csctl volumecopy stop " + target), e.correction());
        }
        assertEquals(2, array.copies.count());
        assertTrue(array.writeRefused("src"));
    }
}
