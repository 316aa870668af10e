package dev.copyservices.agent.flashcopy;

import static dev.copyservices.agent.flashcopy.TestArray.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;
import dev.copyservices.agent.volume.BlockIoException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CopyRelationshipsTest {
    static final int MIB = 1 << 20;
    static final int REGION = RelationshipRules.REGION_BYTES;
    static final CopyOptions NOCOPY = new CopyOptions(false, false, false);
    static final CopyOptions PERSISTENT = new CopyOptions(true, true, false);
    static final CopyOptions INCREMENTAL = new CopyOptions(true, true, true);

    @TempDir
    Path dir;
    TestArray array;
    CopyRelationships relationships;

    @BeforeEach
    void open() throws IOException {
        array = new TestArray(dir);
        relationships = array.flashCopies.relationships();
    }

    @AfterEach
    void close() throws IOException {
        array.close();
    }

    private void volume(String name, long size) {
        array.volumes.create(name, size, false, Map.of());
    }

    /** Fills the volume with a pattern that differs per region, so a region from elsewhere shows. */
    private byte[] fill(String name, int size, int seed) throws IOException {
        byte[] data = pattern(size, seed);
        array.write(name, 0, data);
        return data;
    }

    @Test
    void targetShowsSourcePointInTimeImageWhileSourceChanges() throws IOException {
        volume("src", 4 * MIB);
        volume("tgt", 4 * MIB);
        byte[] original = fill("src", 4 * MIB, 1);
        RelationshipInfo info = relationships.establish("src", "tgt", NOCOPY);
        assertEquals(RelationshipState.NO_BACKGROUND_COPY, info.state());
        assertEquals(4 * MIB / REGION, info.regions());
        assertEquals(0, info.copiedRegions());
        assertArrayEquals(original, array.read("tgt", 0, 4 * MIB));

        array.write("src", 100, pattern(10, 9)); // region 0, partly
        array.write("src", 2 * MIB - 10, pattern(20, 8)); // across two regions
        assertArrayEquals(original, array.read("tgt", 0, 4 * MIB));
        assertEquals(3, relationships.get("tgt").copiedRegions());
        byte[] now = array.read("src", 0, 4 * MIB);
        assertArrayEquals(pattern(10, 9), java.util.Arrays.copyOfRange(now, 100, 110));
    }

    @Test
    void targetWritesStayOnTheTargetAndNeverReachTheSource() throws IOException {
        volume("src", 2 * MIB);
        volume("tgt", 2 * MIB);
        byte[] original = fill("src", 2 * MIB, 2);
        relationships.establish("src", "tgt", NOCOPY);
        array.write("tgt", REGION + 7, pattern(100, 5));
        assertArrayEquals(original, array.read("src", 0, 2 * MIB));
        byte[] expected = original.clone();
        System.arraycopy(pattern(100, 5), 0, expected, REGION + 7, 100);
        assertArrayEquals(expected, array.read("tgt", 0, 2 * MIB));
        assertEquals(1, relationships.get("tgt").copiedRegions());
    }

    @Test
    void backgroundCopyFillsTheTargetAndANonPersistentRelationshipEndsByItself() throws Exception {
        volume("src", 8 * MIB);
        volume("tgt", 9 * MIB);
        byte[] original = fill("src", 8 * MIB, 3);
        byte[] tail = pattern(MIB, 4);
        array.write("tgt", 8 * MIB, tail); // past the source's size: the target's own bytes, kept
        relationships.establish("src", "tgt", new CopyOptions(true, false, false));
        array.awaitEvents("FLASHCOPY_RELATIONSHIP_ENDED", 1);
        assertEquals(0, relationships.count());
        array.write("src", 0, pattern(4096, 6));
        assertArrayEquals(original, array.read("tgt", 0, 8 * MIB));
        assertArrayEquals(tail, array.read("tgt", 8 * MIB, MIB));
        assertEquals("", array.volumes.get("tgt").incompleteCopy());
    }

    @Test
    void theCopyOfAThinSourceKeepsTheTargetThinAndZeroesWhatTheTargetHeldBefore() throws Exception {
        volume("src", 64 * MIB);
        volume("tgt", 64 * MIB);
        array.write("src", 10 * MIB, pattern(MIB, 21));
        array.write("tgt", 0, pattern(64 * MIB, 22)); // old content, to be replaced by the image
        relationships.establish("src", "tgt", new CopyOptions(true, false, false));
        array.awaitEvents("FLASHCOPY_RELATIONSHIP_ENDED", 1);
        assertArrayEquals(array.read("src", 0, 64 * MIB), array.read("tgt", 0, 64 * MIB));
        long allocated = array.volumes.get("tgt").allocatedBytes();
        assertTrue(allocated <= 2 * MIB, "the target takes " + allocated + " bytes for 1 MiB of data");
    }

    @Test
    void persistentRelationshipStaysAfterItsCopyAndItsTargetRefusesAnotherFlash() throws Exception {
        volume("A", 4 * MIB);
        volume("B", 4 * MIB);
        volume("C", 4 * MIB);
        relationships.establish("A", "B", PERSISTENT);
        array.awaitEvents("BACKGROUND_COPY_COMPLETED", 1);
        RelationshipInfo info = relationships.get("B");
        assertEquals(RelationshipState.COPIED, info.state());
        assertTrue(info.complete());

        EngineException again = assertThrows(EngineException.class, () -> relationships.establish("C", "B", NOCOPY));
        assertEquals(Reason.PERSISTENT_TARGET, again.reason());
        assertTrue(again.correction().contains("reflash B"), again.correction());
        // the same request again is a retry, not a second flash
        assertEquals(info.id(), relationships.establish("A", "B", PERSISTENT).id());
    }

    @Test
    void incrementalReflashCopiesOnlyTheRegionsChangedOnEitherSide() throws Exception {
        volume("src", 8 * MIB);
        volume("tgt", 8 * MIB);
        fill("src", 8 * MIB, 7);
        relationships.establish("src", "tgt", INCREMENTAL);
        array.awaitEvents("BACKGROUND_COPY_COMPLETED", 1);

        array.write("src", 3L * REGION, pattern(10, 1));
        array.write("src", 10L * REGION + 5, pattern(REGION, 2)); // regions 10 and 11
        array.write("tgt", 20L * REGION, pattern(10, 3));
        RelationshipInfo before = relationships.get("tgt");
        assertEquals(3, before.sourceChangedRegions());
        assertEquals(1, before.targetChangedRegions());

        RelationshipInfo after = relationships.reflash("tgt");
        assertEquals(4, after.regionsToCopyAtFlash());
        // (copiedRegions is not asserted here: the background copy starts on the 4 at once)
        assertEquals(0, after.sourceChangedRegions());
        assertEquals(2, after.flashCount());
        assertArrayEquals(array.read("src", 0, 8 * MIB), array.read("tgt", 0, 8 * MIB));
        array.awaitEvents("BACKGROUND_COPY_COMPLETED", 2);
        assertArrayEquals(array.read("src", 0, 8 * MIB), array.read("tgt", 0, 8 * MIB));
    }

    @Test
    void fullReflashCopiesEveryRegionAgain() throws Exception {
        volume("src", 4 * MIB);
        volume("tgt", 4 * MIB);
        relationships.establish("src", "tgt", new CopyOptions(false, true, false));
        byte[] later = fill("src", 4 * MIB, 9);
        RelationshipInfo info = relationships.reflash("tgt");
        assertEquals(info.regions(), info.regionsToCopyAtFlash());
        assertArrayEquals(later, array.read("tgt", 0, 4 * MIB));
    }

    @Test
    void reflashOfANonPersistentRelationshipIsRefused() throws IOException {
        volume("src", MIB);
        volume("tgt", MIB);
        relationships.establish("src", "tgt", NOCOPY);
        EngineException e = assertThrows(EngineException.class, () -> relationships.reflash("tgt"));
        assertEquals(Reason.RELATIONSHIP_STATE, e.reason());
    }

    @Test
    void reverseRestoresTheTargetImageOntoTheSourceAndSwapsRoles() throws Exception {
        volume("prod", 4 * MIB);
        volume("backup", 4 * MIB);
        byte[] good = fill("prod", 4 * MIB, 11);
        relationships.establish("prod", "backup", INCREMENTAL);
        array.awaitEvents("BACKGROUND_COPY_COMPLETED", 1);
        array.write("prod", 5L * REGION, pattern(3 * REGION, 12)); // the damage to undo

        RelationshipInfo reversed = relationships.reverse("backup");
        assertEquals("backup", reversed.source());
        assertEquals("prod", reversed.target());
        assertEquals(3, reversed.regionsToCopyAtFlash());
        assertArrayEquals(good, array.read("prod", 0, 4 * MIB));
        array.awaitEvents("BACKGROUND_COPY_COMPLETED", 2);
        assertArrayEquals(good, array.read("prod", 0, 4 * MIB));
    }

    @Test
    void reverseIsRefusedForNonPersistentAndIncompleteRelationships() throws IOException {
        volume("a", MIB);
        volume("b", MIB);
        volume("c", MIB);
        volume("d", MIB);
        relationships.establish("a", "b", NOCOPY);
        relationships.establish("c", "d", new CopyOptions(false, true, false));
        assertEquals(Reason.RELATIONSHIP_STATE, assertThrows(EngineException.class,
                () -> relationships.reverse("b")).reason());
        EngineException incomplete = assertThrows(EngineException.class, () -> relationships.reverse("d"));
        assertEquals(Reason.BACKGROUND_COPY_INCOMPLETE, incomplete.reason());
        assertEquals("c", relationships.get("d").source());
    }

    @Test
    void withdrawOfAnIncompleteCopyIsRefusedUnlessForcedAndThenTheTargetSaysItIsIncomplete() throws IOException {
        volume("src", 2 * MIB);
        volume("tgt", 2 * MIB);
        fill("src", 2 * MIB, 13);
        relationships.establish("src", "tgt", NOCOPY);
        array.write("tgt", 0, pattern(512, 14));

        EngineException refused = assertThrows(EngineException.class, () -> relationships.withdraw("tgt", false));
        assertEquals(Reason.BACKGROUND_COPY_INCOMPLETE, refused.reason());
        assertTrue(refused.correction().contains("--force"), refused.correction());
        assertEquals(1, relationships.count());

        WithdrawResult result = relationships.withdraw("tgt", true);
        assertFalse(result.targetComplete());
        assertEquals(0, relationships.count());
        assertTrue(array.volumes.get("tgt").incompleteCopy().contains("31 of 32 regions"),
                array.volumes.get("tgt").incompleteCopy());
        assertArrayEquals(pattern(512, 14), array.read("tgt", 0, 512)); // the target's own write stays
        assertEquals(1, array.count("FLASHCOPY_TARGET_INCOMPLETE"));
        assertEquals(List.of(), List.of(dir.resolve("volumes").toFile().list((d, n) -> n.endsWith(".fcmap"))));

        relationships.establish("src", "tgt", NOCOPY); // a new flash clears the note
        assertEquals("", array.volumes.get("tgt").incompleteCopy());
    }

    @Test
    void badRequestsAreRefusedAndChangeNothing() throws IOException {
        volume("src", 2 * MIB);
        volume("small", MIB);
        volume("tgt", 2 * MIB);
        volume("other", 2 * MIB);
        array.flashCopies.create(new CreateFlashCopy("src", "snap", "", null, null, null, null, Map.of()));
        assertEquals(Reason.TARGET_TOO_SMALL, refused(() -> relationships.establish("src", "small", NOCOPY)));
        assertEquals(Reason.VOLUME_NOT_FOUND, refused(() -> relationships.establish("nope", "tgt", NOCOPY)));
        assertEquals(Reason.VOLUME_NOT_FOUND, refused(() -> relationships.establish("src", "nope", NOCOPY)));
        assertEquals(Reason.INVALID_NAME, refused(() -> relationships.establish("src", "src", NOCOPY)));
        assertEquals(Reason.INVALID_COPY_OPTIONS, refused(() -> relationships.establish("src", "tgt",
                new CopyOptions(true, false, true))));
        assertEquals(Reason.NOT_A_STANDARD_VOLUME, refused(() -> relationships.establish("snap", "tgt", NOCOPY)));
        assertEquals(Reason.VOLUME_IN_RELATIONSHIP, refused(() -> relationships.establish("other", "src", NOCOPY)));
        assertEquals(Reason.RELATIONSHIP_NOT_FOUND, refused(() -> relationships.get("tgt")));
        assertEquals(Reason.NOT_A_STANDARD_VOLUME, refused(() -> relationships.establish("src", "src-R1", NOCOPY)));
        EngineException small = assertThrows(EngineException.class, () -> relationships.establish("src", "small",
                NOCOPY));
        assertTrue(small.correction().contains("--size 2MiB"), small.correction()); // pasteable as it is
        array.volumes.update("other", true, Map.of(), List.of());
        assertEquals(Reason.VOLUME_IN_USE, refused(() -> relationships.establish("src", "other", NOCOPY)));
        array.volumes.update("other", false, Map.of(), List.of());
        assertEquals(0, relationships.count());

        relationships.establish("src", "tgt", NOCOPY);
        assertEquals(Reason.VOLUME_IN_RELATIONSHIP, refused(() -> relationships.establish("other", "tgt", NOCOPY)));
        assertEquals(Reason.VOLUME_IN_RELATIONSHIP, refused(() -> relationships.establish("tgt", "other", NOCOPY)));
        assertEquals(Reason.VOLUME_IN_RELATIONSHIP, refused(() -> array.volumes.delete("src", false)));
        assertEquals(Reason.VOLUME_IN_RELATIONSHIP, refused(() -> array.volumes.delete("tgt", false)));
        assertEquals(Reason.VOLUME_IN_RELATIONSHIP, refused(() -> array.volumes.resize("src", 4 * MIB)));
        assertEquals(Reason.VOLUME_IN_RELATIONSHIP, refused(() -> array.flashCopies.create(
                new CreateFlashCopy("tgt", "", "", null, null, null, null, Map.of()))));
        array.volumes.resize("tgt", 4 * MIB); // a target may grow
        assertEquals(1, relationships.count());
        assertEquals(1, dir.resolve("volumes").toFile().list((d, n) -> n.endsWith(".fcmap")).length);
    }

    @Test
    void aSourceWithSeveralTargetsIsNamedByItsTargets() throws IOException {
        volume("src", MIB);
        volume("t1", MIB);
        volume("t2", MIB);
        relationships.establish("src", "t1", NOCOPY);
        assertEquals("t1", relationships.get("src").target());
        relationships.establish("src", "t2", NOCOPY);
        EngineException e = assertThrows(EngineException.class, () -> relationships.get("src"));
        assertEquals(Reason.RELATIONSHIP_AMBIGUOUS, e.reason());
        assertTrue(e.correction().contains("t1, t2"), e.correction());
        assertEquals(2, relationships.list("src", "").size());
    }

    @Test
    void relationshipsSurviveARestartAndTheirBackgroundCopyResumes() throws Exception {
        volume("src", 8 * MIB);
        volume("tgt", 8 * MIB);
        byte[] original = fill("src", 8 * MIB, 15);
        relationships.establish("src", "tgt", new CopyOptions(false, true, true));
        array.write("src", 0, pattern(REGION, 16));
        array.write("tgt", REGION, pattern(100, 17));
        array.close();

        array = new TestArray(dir);
        relationships = array.flashCopies.relationships();
        RelationshipInfo info = relationships.get("tgt");
        assertEquals(2, info.copiedRegions());
        assertEquals(1, info.sourceChangedRegions());
        assertEquals(1, info.targetChangedRegions());
        byte[] expected = original.clone();
        System.arraycopy(pattern(100, 17), 0, expected, REGION, 100);
        assertArrayEquals(expected, array.read("tgt", 0, 8 * MIB));
        relationships.startBackgroundCopy("tgt");
        array.awaitEvents("BACKGROUND_COPY_COMPLETED", 1);
        assertArrayEquals(expected, array.read("tgt", 0, 8 * MIB));
    }

    @Test
    void aFailedCopyFailsTheRelationshipButNotTheSourceWrite(@TempDir Path other) throws IOException {
        try (TestArray failing = new TestArray(other, dev.copyservices.agent.array.ArrayLimits.defaults(),
                FlashCopyEngine.Options.defaults(), true)) {
            failing.volumes.create("src", MIB, false, Map.of());
            failing.volumes.create("tgt", MIB, false, Map.of());
            CopyRelationships engine = failing.flashCopies.relationships();
            engine.establish("src", "tgt", NOCOPY);
            failing.pausing.get("tgt").failWrites = true;
            failing.write("src", 0, pattern(4096, 18)); // succeeds: the source is the production volume
            assertArrayEquals(pattern(4096, 18), failing.read("src", 0, 4096));
            failing.write("src", REGION, pattern(4096, 19)); // a second failure raises no second event
            RelationshipInfo info = engine.get("tgt");
            assertEquals(RelationshipState.FAILED, info.state());
            assertTrue(info.failure().contains("injected write error"), info.failure());
            assertEquals(1, failing.count("FLASHCOPY_RELATIONSHIP_FAILED"));
            assertThrows(BlockIoException.class, () -> failing.read("tgt", 0, 4096));
            assertEquals(Reason.BACKGROUND_COPY_INCOMPLETE, refused(() -> engine.withdraw("tgt", false)));
            failing.pausing.get("tgt").failWrites = false;
            assertFalse(engine.withdraw("tgt", true).targetComplete());
        }
    }

    interface Action {
        void run() throws Exception;
    }

    static Reason refused(Action action) {
        return assertThrows(EngineException.class, action::run).reason();
    }
}
