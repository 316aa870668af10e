package dev.copyservices.agent.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChangeMapTest {
    private static final int REGION = 64 << 10;
    private static final long CAPACITY = 1000L * REGION + 512; // a last, partial region

    @TempDir
    Path dir;

    @Test
    void newMapForAFullCopyHasEveryRegionDueAndDurable() throws IOException {
        Path file = dir.resolve("m.map");
        try (ChangeMap map = ChangeMap.create(file, CAPACITY, REGION, true)) {
            assertEquals(1001, map.regions());
            assertEquals(1001, map.toCopyCount());
        }
        try (ChangeMap reopened = ChangeMap.open(file, CAPACITY, REGION)) {
            assertFalse(reopened.lost());
            assertEquals(1001, reopened.toCopyCount());
        }
    }

    @Test
    void writtenRegionsSurviveAReopenAsDueForCopy() throws IOException {
        Path file = dir.resolve("m.map");
        try (ChangeMap map = ChangeMap.create(file, CAPACITY, REGION, false)) {
            assertTrue(map.recordWrite(3, 4, false), "a first write to a region must be made durable");
            map.awaitDurable();
            assertFalse(map.recordWrite(3, 3, false), "a region already recorded needs no sync");
            assertEquals(0, map.toCopyCount(), "a replicated write is not due for copy while running");
            assertTrue(map.recordWrite(1000, 1000, true));
            map.awaitDurable();
            assertEquals(1, map.toCopyCount());
        }
        try (ChangeMap reopened = ChangeMap.open(file, CAPACITY, REGION)) {
            assertEquals(3, reopened.toCopyCount(), "after a restart every recorded region is copied again");
            assertEquals(3, reopened.nextToCopy(0));
            assertEquals(4, reopened.nextToCopy(4));
            assertEquals(1000, reopened.nextToCopy(5));
            assertEquals(-1, reopened.nextToCopy(1001));
        }
    }

    @Test
    void sweepClearsOnlyRegionsUntouchedSinceItBegan() throws IOException {
        Path file = dir.resolve("m.map");
        try (ChangeMap map = ChangeMap.create(file, CAPACITY, REGION, false)) {
            map.recordWrite(10, 10, false);
            map.recordWrite(20, 20, false);
            map.awaitDurable();
            long[] first = map.beginSweep(); // both were touched in this period: not candidates yet
            assertEquals(0, map.finishSweep(first));
            long[] second = map.beginSweep();
            map.recordWrite(20, 20, false); // written while the peer flushes
            assertEquals(1, map.finishSweep(second), "only the untouched region is cleared");
            assertEquals(1, map.changedCount());
        }
        try (ChangeMap reopened = ChangeMap.open(file, CAPACITY, REGION)) {
            assertEquals(20, reopened.nextToCopy(0));
            assertEquals(1, reopened.toCopyCount());
        }
    }

    @Test
    void takenRegionsAreNotDueUntilCopiedAgain() throws IOException {
        try (ChangeMap map = ChangeMap.create(dir.resolve("m.map"), CAPACITY, REGION, true)) {
            assertTrue(map.take(7));
            assertFalse(map.take(7));
            assertEquals(8, map.nextToCopy(7));
            map.copyAgain(7, 7);
            assertEquals(7, map.nextToCopy(7));
            assertEquals(1001, map.toCopyCount());
        }
    }

    @Test
    void handedOverRegionsJoinAndClearAllForgetsThemDurably() throws IOException {
        Path file = dir.resolve("m.map");
        try (ChangeMap map = ChangeMap.create(file, CAPACITY, REGION, false)) {
            long[] theirs = new long[16];
            theirs[1] = 0b101; // regions 64 and 66
            map.addChanged(theirs);
            assertEquals(2, map.toCopyCount());
            long[] snapshot = map.snapshot();
            assertEquals(0b101, snapshot[1]);
            map.clearAll();
            assertEquals(0, map.toCopyCount());
        }
        try (ChangeMap reopened = ChangeMap.open(file, CAPACITY, REGION)) {
            assertEquals(0, reopened.toCopyCount());
        }
    }

    @Test
    void aMissingOrForeignMapMeansEveryRegionIsDue() throws IOException {
        Path file = dir.resolve("m.map");
        try (ChangeMap lost = ChangeMap.open(file, CAPACITY, REGION)) {
            assertTrue(lost.lost());
            assertEquals(1001, lost.toCopyCount());
        }
        Files.write(file, new byte[8192]); // a map whose header is gone
        try (ChangeMap corrupt = ChangeMap.open(file, CAPACITY, REGION)) {
            assertTrue(corrupt.lost());
            assertEquals(1001, corrupt.toCopyCount());
        }
    }
}
