package dev.copyservices.agent.volumecopy;

import static dev.copyservices.agent.volumecopy.CopyArray.MIB;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;
import dev.copyservices.agent.flashcopy.FlashCopyState;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Which volumes may be source and target, and the size rule (scenarios 8-16, 26). */
class VolumeCopyEligibilityTest {
    @TempDir
    Path dir;
    CopyArray array;

    @BeforeEach
    void open() throws IOException {
        array = new CopyArray(dir);
    }

    @AfterEach
    void close() throws IOException {
        array.close();
    }

    private EngineException refused(Reason reason, Executable call) {
        int pairs = array.copies.count();
        EngineException e = assertThrows(EngineException.class, call);
        assertEquals(reason, e.reason(), e.getMessage());
        assertTrue(!e.correction().isEmpty(), "a refusal says what to do: " + e.getMessage());
        assertEquals(pairs, array.copies.count(), "a refusal changes nothing");
        return e;
    }

    @Test
    void targetSmallerThanTheSourceIsRefusedAndAnEqualOneAccepted() throws Exception { // scenario 8
        array.volume("src", 8 * MIB);
        array.volume("small", 8 * MIB - 512);
        array.volume("equal", 8 * MIB);
        EngineException e = refused(Reason.TARGET_TOO_SMALL, () -> array.copies.create("src", "small", null));
        assertTrue(e.correction().contains("csctl volume resize small --size 8MiB"), e.correction());
        assertEquals("equal", array.copies.create("src", "equal", null).target());
    }

    @Test
    void flashCopySourceIsMeasuredByItsBase() throws Exception { // scenario 9
        array.volume("base", 8 * MIB);
        array.flashCopy("base", "snap");
        array.volumes.resize("base", 16 * MIB); // the FlashCopy keeps 8 MiB, its base is now 16 MiB
        array.volume("fits-snap", 8 * MIB);
        array.volume("fits-base", 16 * MIB);
        EngineException e = refused(Reason.TARGET_TOO_SMALL, () -> array.copies.create("snap", "fits-snap", null));
        assertTrue(e.getMessage().contains("the base of FlashCopy 'snap' ('base', 16 MiB)"), e.getMessage());
        assertEquals(8 * MIB, array.copies.create("snap", "fits-base", null).bytesTotal());
    }

    @Test
    void flashCopyRepositoryAndOptimalBaseAreRefusedAsTargets() throws Exception { // scenario 10
        array.volume("src", 8 * MIB);
        array.volume("base", 8 * MIB);
        array.flashCopy("base", "snap");
        EngineException flashCopy = refused(Reason.VOLUMECOPY_INELIGIBLE, () -> array.copies.create("src", "snap", null));
        assertTrue(flashCopy.getMessage().contains("is a FlashCopy"), flashCopy.getMessage());
        EngineException repository = refused(Reason.VOLUMECOPY_INELIGIBLE,
                () -> array.copies.create("src", "snap-R", null));
        assertTrue(repository.getMessage().contains("FlashCopy repository"), repository.getMessage());
        EngineException base = refused(Reason.VOLUMECOPY_INELIGIBLE, () -> array.copies.create("src", "base", null));
        assertTrue(base.getMessage().contains("(snap)"), base.getMessage());
        assertTrue(base.correction().contains("csctl flashcopy disable"), base.correction());
    }

    @Test
    void repositoryFailedAndDisabledFlashCopiesAndUnfinishedTargetsAreRefusedAsSources() throws Exception { // 11
        array.volume("base", 8 * MIB);
        array.volume("dst", 8 * MIB);
        array.volume("other", 8 * MIB);
        array.flashCopy("base", "snap");
        refused(Reason.VOLUMECOPY_INELIGIBLE, () -> array.copies.create("snap-R", "dst", null));
        array.flashCopies.disable("snap");
        EngineException disabled = refused(Reason.VOLUMECOPY_INELIGIBLE, () -> array.copies.create("snap", "dst", null));
        assertTrue(disabled.correction().contains("csctl flashcopy recreate snap"), disabled.correction());

        array.io.hold();
        array.copies.create("base", "dst", null); // base's FlashCopies are disabled: it may be read
        EngineException unfinished = refused(Reason.VOLUMECOPY_INELIGIBLE,
                () -> array.copies.create("dst", "other", null));
        assertTrue(unfinished.getMessage().contains("target of a VolumeCopy that is InProgress"),
                unfinished.getMessage());
    }

    @Test
    void aVolumeIsTheTargetOfOnePairInAnyStateUntilThatPairIsRemoved() throws Exception { // scenarios 12 and 26
        array.filledVolume("a", 4 * MIB, 1);
        array.filledVolume("b", 4 * MIB, 2);
        array.volume("dst", 4 * MIB);
        array.copies.create("a", "dst", CopyPriority.HIGHEST);
        array.awaitCompleted("dst");
        EngineException e = refused(Reason.VOLUMECOPY_INELIGIBLE, () -> array.copies.create("b", "dst", null));
        assertTrue(e.correction().contains("csctl volumecopy remove dst"), e.correction());
        refused(Reason.VOLUMECOPY_STATE, () -> array.copies.stop("dst")); // Completed: nothing to stop
        array.copies.remove(List.of("dst"));
        array.copies.create("b", "dst", CopyPriority.HIGHEST);
        array.awaitCompleted("dst");
        assertArrayEquals(array.contents("b", 4 * MIB), array.contents("dst", 4 * MIB));
    }

    @Test
    void aCompletedTargetCanBeTheSourceOfANewPair() throws Exception { // scenario 13
        byte[] data = array.filledVolume("a", 4 * MIB, 3);
        array.volume("mid", 4 * MIB);
        array.volume("end", 4 * MIB);
        array.copies.create("a", "mid", CopyPriority.HIGHEST);
        array.awaitCompleted("mid");
        array.copies.create("mid", "end", CopyPriority.HIGHEST);
        array.awaitCompleted("end");
        assertArrayEquals(data, array.contents("end", 4 * MIB));
    }

    @Test
    void oneSourceFeedsSeveralPairsEachWithItsOwnStateAndPriority() throws Exception { // scenario 14
        byte[] data = array.filledVolume("src", 4 * MIB, 4);
        array.volume("t1", 4 * MIB);
        array.volume("t2", 4 * MIB);
        array.volume("t3", 8 * MIB);
        array.copies.create("src", "t1", CopyPriority.HIGHEST);
        array.copies.create("src", "t2", CopyPriority.LOW);
        array.awaitCompleted("t1");
        array.awaitCompleted("t2");
        array.io.hold();
        array.copies.create("src", "t3", CopyPriority.HIGH);
        List<VolumeCopyInfo> pairs = array.copies.list("src");
        assertEquals(List.of("t1", "t2", "t3"), pairs.stream().map(VolumeCopyInfo::target).toList());
        assertEquals(List.of(CopyPriority.HIGHEST, CopyPriority.LOW, CopyPriority.HIGH),
                pairs.stream().map(VolumeCopyInfo::priority).toList());
        assertEquals(List.of(CopyState.COMPLETED, CopyState.COMPLETED, CopyState.IN_PROGRESS),
                pairs.stream().map(VolumeCopyInfo::state).toList());
        assertArrayEquals(data, array.contents("t1", 4 * MIB));
        assertArrayEquals(data, array.contents("t2", 4 * MIB));
    }

    @Test
    void baseWithAnOptimalFlashCopyIsRefusedAsTargetUntilAllAreDisabledThenTheyFail() throws Exception { // 15, 16
        array.filledVolume("src", 4 * MIB, 5);
        array.volume("base", 4 * MIB);
        array.flashCopy("base", "snap1");
        array.flashCopy("base", "snap2");
        array.flashCopies.disable("snap1");
        EngineException e = refused(Reason.VOLUMECOPY_INELIGIBLE, () -> array.copies.create("src", "base", null));
        assertTrue(e.getMessage().contains("(snap2)"), e.getMessage());
        array.flashCopies.disable("snap2");

        array.copies.create("src", "base", CopyPriority.HIGHEST);
        assertEquals(FlashCopyState.FAILED, array.flashCopies.get("snap1").state());
        assertEquals(FlashCopyState.FAILED, array.flashCopies.get("snap2").state());
        assertTrue(array.flashCopies.get("snap1").failure().contains("overwritten by VolumeCopy 'src' -> 'base'"),
                array.flashCopies.get("snap1").failure());
        assertEquals(2, array.count("FLASHCOPY_FAILED"));
        array.awaitCompleted("base");
    }

    @Test
    void sameVolumeUnknownNamesAndReadOnlyTargetsAreRefused() throws Exception {
        array.volume("src", 4 * MIB);
        array.volumes.create("locked", 4 * MIB, true, java.util.Map.of());
        refused(Reason.INVALID_COPY_REQUEST, () -> array.copies.create("src", "src", null));
        refused(Reason.VOLUME_NOT_FOUND, () -> array.copies.create("nope", "src", null));
        refused(Reason.VOLUME_NOT_FOUND, () -> array.copies.create("src", "nope", null));
        refused(Reason.INVALID_NAME, () -> array.copies.create("", "src", null));
        EngineException unknownFilter = assertThrows(EngineException.class, () -> array.copies.list("nope"));
        assertEquals("volume 'nope' does not exist", unknownFilter.getMessage());
        EngineException readOnly = refused(Reason.VOLUMECOPY_INELIGIBLE, () -> array.copies.create("src", "locked",
                null));
        assertTrue(readOnly.correction().contains("--read-only=false"), readOnly.correction());
    }

    @Test
    void copyModeRelationshipMembersAreRefusedAsTargets() throws Exception {
        array.volume("src", 4 * MIB);
        array.volume("a", 4 * MIB);
        array.volume("b", 4 * MIB);
        array.flashCopies.relationships().establish("a", "b",
                new dev.copyservices.agent.flashcopy.CopyOptions(false, true, false));
        for (String target : List.of("a", "b")) {
            EngineException e = refused(Reason.VOLUME_IN_RELATIONSHIP, () -> array.copies.create("src", target, null));
            assertTrue(e.correction().contains("csctl flashcopy withdraw b"), e.correction());
        }
    }
}
