package dev.copyservices.agent.flashcopy;

import static dev.copyservices.agent.flashcopy.CopyRelationshipsTest.refused;
import static dev.copyservices.agent.flashcopy.TestArray.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.error.Reason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlashCopyGroupsTest {
    static final int MIB = 1 << 20;

    @TempDir
    Path dir;
    TestArray array;
    FlashCopyGroups groups;
    CopyRelationships relationships;

    @BeforeEach
    void open() throws IOException {
        array = new TestArray(dir);
        groups = array.flashCopies.groups();
        relationships = array.flashCopies.relationships();
        for (String name : new String[] {"A", "B", "TA", "TB"}) {
            array.volumes.create(name, MIB, false, Map.of());
        }
    }

    @AfterEach
    void close() throws IOException {
        array.close();
    }

    private void defineGroup(CopyOptions options) {
        groups.create("g", options);
        groups.addPair("g", "A", "TA");
        groups.addPair("g", "B", "TB");
    }

    @Test
    void aGroupGoesFromDefinedToTargetAvailableAndBackOnTerminate() throws Exception {
        defineGroup(new CopyOptions(true, true, false));
        GroupInfo defined = groups.get("g");
        assertEquals(GroupState.DEFINED, defined.state());
        assertNull(defined.lastFlash());

        GroupInfo flashed = groups.flash("g");
        assertEquals(GroupState.TARGET_AVAILABLE, flashed.state());
        assertNotNull(flashed.lastFlash());
        assertTrue(flashed.consistent());
        assertTrue(flashed.pairs().stream().allMatch(p -> flashed.lastFlash().equals(p.flashTime())));
        assertEquals(2, relationships.list("", "g").size());
        array.awaitEvents("BACKGROUND_COPY_COMPLETED", 2);

        GroupInfo terminated = groups.terminate("g", false);
        assertEquals(GroupState.DEFINED, terminated.state());
        groups.terminate("g", false); // a Defined group: nothing to do, no second event
        assertEquals(1, array.count("GROUP_TERMINATED"));
        assertEquals(0, relationships.count());
        groups.delete("g");
        assertEquals(0, groups.count());
    }

    /** Writes go A then B, numbered; a target pair from one point in time shows (n, n) or (n + 1, n). */
    @Test
    void everyTargetOfAGroupFlashShowsTheSamePrefixOfTheSourcesWrites() throws Exception {
        defineGroup(new CopyOptions(false, true, false));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                for (long i = 1; !stop.get(); i++) {
                    array.device("A").write(0, ByteBuffer.allocate(8).putLong(0, i));
                    array.device("B").write(0, ByteBuffer.allocate(8).putLong(0, i));
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        try {
            long lastSeen = 0;
            for (int round = 0; round < 30; round++) {
                groups.flash("g");
                long a = ByteBuffer.wrap(array.read("TA", 0, 8)).getLong();
                long b = ByteBuffer.wrap(array.read("TB", 0, 8)).getLong();
                assertTrue(a == b || a == b + 1, "round " + round + ": TA shows write " + a + ", TB write " + b);
                assertTrue(a >= lastSeen, "the point in time moved backwards");
                lastSeen = a;
            }
            assertTrue(lastSeen > 0, "the writer made no progress during the flashes");
        } finally {
            stop.set(true);
            writer.join();
        }
        assertNull(failure.get());
    }

    @Test
    void discoverAdoptsExistingRelationshipsWithoutAFlashTimeOrAConsistencyClaim() throws Exception {
        relationships.establish("A", "TA", new CopyOptions(false, true, true));
        defineGroup(new CopyOptions(false, true, false));
        GroupInfo found = groups.discover("g");
        GroupPairInfo pair = found.pairs().get(0);
        assertTrue(pair.targetAvailable());
        assertTrue(pair.discovered());
        assertFalse(pair.consistent());
        assertNull(pair.flashTime());
        assertFalse(found.consistent());
        assertEquals(GroupState.DEFINED, found.state()); // B -> TB has no relationship yet
        assertEquals("g", relationships.get("TA").group());

        // incremental off: the flash re-flashes the discovered incremental relationship in full (seed 002)
        GroupInfo flashed = groups.flash("g");
        assertEquals(GroupState.TARGET_AVAILABLE, flashed.state());
        assertTrue(flashed.consistent());
        RelationshipInfo ta = relationships.get("TA");
        assertEquals(ta.regions(), ta.regionsToCopyAtFlash());
        assertFalse(ta.options().incremental());
    }

    @Test
    void anIncrementalGroupRefusesToFlashADiscoveredNonIncrementalRelationshipAndChangesNothing() throws Exception {
        RelationshipInfo before = relationships.establish("A", "TA", new CopyOptions(false, true, false));
        defineGroup(new CopyOptions(false, true, true));
        groups.discover("g");
        assertEquals(Reason.INCREMENTAL_MISMATCH, refused(() -> groups.flash("g")));
        RelationshipInfo after = relationships.get("TA");
        assertEquals(before.pointInTime(), after.pointInTime());
        assertEquals(1, after.flashCount());
        assertEquals(1, relationships.count()); // B -> TB was not established either
        assertEquals(GroupState.DEFINED, groups.get("g").state());
    }

    @Test
    void anIncrementalGroupReflashesOnlyChangedRegions() throws Exception {
        defineGroup(new CopyOptions(true, true, true));
        groups.flash("g");
        array.awaitEvents("BACKGROUND_COPY_COMPLETED", 2);
        array.write("A", 0, pattern(100, 1));
        groups.flash("g");
        assertEquals(1, relationships.get("TA").regionsToCopyAtFlash());
        assertEquals(0, relationships.get("TB").regionsToCopyAtFlash());
        assertArrayEquals(array.read("A", 0, MIB), array.read("TA", 0, MIB));
    }

    @Test
    void terminateRefusesIncompleteCopiesUnlessForcedAndKeepsTheTargetsWrites() throws Exception {
        defineGroup(new CopyOptions(false, true, false));
        groups.flash("g");
        array.write("TA", 4096, pattern(4096, 2));
        dev.copyservices.agent.error.EngineException incomplete = org.junit.jupiter.api.Assertions.assertThrows(
                dev.copyservices.agent.error.EngineException.class, () -> groups.terminate("g", false));
        assertEquals(Reason.BACKGROUND_COPY_INCOMPLETE, incomplete.reason());
        assertTrue(incomplete.correction().contains("csctl flashcopy-group background-copy g"),
                incomplete.correction());
        assertEquals(GroupState.TARGET_AVAILABLE, groups.get("g").state());
        assertEquals(Reason.GROUP_STATE, refused(() -> groups.delete("g")));
        groups.terminate("g", true);
        assertArrayEquals(pattern(4096, 2), array.read("TA", 4096, 4096));
        assertFalse(array.volumes.get("TA").incompleteCopy().isEmpty());
        assertEquals(GroupState.DEFINED, groups.get("g").state());
    }

    @Test
    void badPairsAndUnknownGroupsAreRefused() throws IOException {
        array.volumes.create("small", MIB / 2, false, Map.of());
        groups.create("g", new CopyOptions(false, false, false));
        assertEquals(Reason.TARGET_TOO_SMALL, refused(() -> groups.addPair("g", "A", "small")));
        assertEquals(Reason.INVALID_NAME, refused(() -> groups.addPair("g", "A", "A")));
        assertEquals(Reason.VOLUME_NOT_FOUND, refused(() -> groups.addPair("g", "A", "nope")));
        assertEquals(Reason.GROUP_NOT_FOUND, refused(() -> groups.addPair("nope", "A", "TA")));
        assertEquals(Reason.GROUP_STATE, refused(() -> groups.flash("g")));
        groups.addPair("g", "A", "TA");
        groups.create("h", new CopyOptions(false, false, false));
        assertEquals(Reason.VOLUME_IN_RELATIONSHIP, refused(() -> groups.addPair("h", "B", "TA")));
        assertEquals(Reason.VOLUME_IN_RELATIONSHIP, refused(() -> groups.addPair("h", "TA", "TB")));
        assertEquals(Reason.GROUP_EXISTS, refused(() -> groups.create("g", new CopyOptions(true, true, false))));
        assertEquals(Reason.INVALID_COPY_OPTIONS, refused(() -> groups.create("i", new CopyOptions(true, false, true))));
        assertEquals(Reason.VOLUME_IN_RELATIONSHIP, refused(() -> array.volumes.delete("TA", false)));
        assertEquals(1, groups.get("g").pairs().size());
        assertEquals(0, groups.get("h").pairs().size());
    }

    @Test
    void groupsSurviveARestart() throws Exception {
        defineGroup(new CopyOptions(false, true, false));
        GroupInfo flashed = groups.flash("g");
        array.close();
        array = new TestArray(dir);
        groups = array.flashCopies.groups();
        GroupInfo reopened = groups.get("g");
        assertEquals(GroupState.TARGET_AVAILABLE, reopened.state());
        assertEquals(flashed.lastFlash(), reopened.lastFlash());
        assertTrue(reopened.consistent());
    }
}
