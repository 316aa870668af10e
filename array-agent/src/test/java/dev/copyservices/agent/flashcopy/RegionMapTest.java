package dev.copyservices.agent.flashcopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.flashcopy.RegionMap.Kind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegionMapTest {
    @TempDir
    Path dir;

    @Test
    void bitsSetDurablySurviveAReopen() throws IOException {
        Path file = dir.resolve("m.fcmap");
        try (RegionMap map = RegionMap.create(file, 70_000, 1)) {
            map.markDurably(Kind.COPIED, 5, 9);
            map.markDurably(Kind.COPIED, 69_990, 70_000); // across the last partial word
            map.markDurably(Kind.TARGET_CHANGED, 33_000, 33_001); // second page
            map.markDurably(Kind.SOURCE_CHANGED, java.util.List.of(new long[] {40_000, 40_002},
                    new long[] {3, 4}, new long[] {7, 7})); // several runs, one sync, any order
        }
        try (RegionMap map = RegionMap.open(file, 70_000, 1)) {
            assertEquals(14, map.count(Kind.COPIED));
            assertTrue(map.allSet(Kind.COPIED, 5, 9));
            assertFalse(map.isSet(Kind.COPIED, 9));
            assertTrue(map.isSet(Kind.TARGET_CHANGED, 33_000));
            assertEquals(3, map.count(Kind.SOURCE_CHANGED));
            assertTrue(map.isSet(Kind.SOURCE_CHANGED, 40_001) && map.isSet(Kind.SOURCE_CHANGED, 3));
            assertEquals(0, map.firstClear(Kind.COPIED, 0));
            assertEquals(9, map.firstClear(Kind.COPIED, 5));
            assertEquals(-1, map.firstClear(Kind.COPIED, 69_990));
        }
    }

    @Test
    void aPreparedAreaCountsOnlyOnceTheCatalogNamesItsEpoch() throws IOException {
        Path file = dir.resolve("m.fcmap");
        try (RegionMap map = RegionMap.create(file, 1000, 1)) {
            map.markDurably(Kind.COPIED, 0, 1000);
            map.markDurably(Kind.SOURCE_CHANGED, 10, 12);
            map.markDurably(Kind.TARGET_CHANGED, 500, 501);
            RegionMap.Prepared next = map.prepare(2, true);
            assertEquals(997, next.count(Kind.COPIED));
            // a crash here: the catalog still says epoch 1
        }
        try (RegionMap map = RegionMap.open(file, 1000, 1)) {
            assertEquals(1000, map.count(Kind.COPIED));
            assertEquals(2, map.count(Kind.SOURCE_CHANGED));
            map.switchTo(map.prepare(2, true));
            assertEquals(997, map.count(Kind.COPIED));
            assertEquals(0, map.count(Kind.SOURCE_CHANGED));
            map.markDurably(Kind.COPIED, 10, 11);
        }
        try (RegionMap map = RegionMap.open(file, 1000, 2)) {
            assertEquals(998, map.count(Kind.COPIED));
            assertFalse(map.isSet(Kind.COPIED, 11));
            map.switchTo(map.prepare(3, false)); // a full re-flash: nothing is copied any more
            assertEquals(0, map.count(Kind.COPIED));
        }
        try (RegionMap map = RegionMap.open(file, 1000, 3)) {
            assertEquals(0, map.count(Kind.COPIED));
        }
    }

    @Test
    void aDamagedHeaderIsReportedInsteadOfReadAsEmpty() throws IOException {
        Path file = dir.resolve("m.fcmap");
        RegionMap.create(file, 100, 1).close();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 9);
        }
        IOException e = assertThrows(IOException.class, () -> RegionMap.open(file, 100, 1));
        assertTrue(e.getMessage().contains("no valid area for epoch 1"), e.getMessage());
    }
}
