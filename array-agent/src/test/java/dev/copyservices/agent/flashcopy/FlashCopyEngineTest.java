package dev.copyservices.agent.flashcopy;

import static dev.copyservices.agent.flashcopy.TestArray.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.array.ArrayLimits;
import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;
import dev.copyservices.agent.volume.BlockIoException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlashCopyEngineTest {
    private static final long MIB = 1 << 20;
    private static final int CHUNK = 16 << 10;

    @TempDir
    Path dir;

    @Test
    void flashCopyReadsReturnPointInTimeAfterBaseOverwrite() throws IOException {
        try (TestArray array = new TestArray(dir)) {
            array.volumes.create("DataVol", 64 * MIB, false, Map.of());
            byte[] a = pattern(128 << 10, 1);
            byte[] b = pattern(128 << 10, 2);
            array.write("DataVol", 5000, a);
            FlashCopyInfo fc = array.flashCopies.create(CreateFlashCopy.of("DataVol"));
            array.write("DataVol", 5000, b);
            assertArrayEquals(a, array.read(fc.name(), 5000, a.length));
            assertArrayEquals(b, array.read("DataVol", 5000, b.length));
            assertArrayEquals(new byte[4096], array.read(fc.name(), 10 * MIB, 4096));
        }
    }

    @Test
    void flashCopyWritesAreReadBackAndNeverReachTheBase() throws IOException {
        try (TestArray array = new TestArray(dir)) {
            array.volumes.create("DataVol", 64 * MIB, false, Map.of());
            byte[] a = pattern(40_000, 3);
            array.write("DataVol", 0, a);
            FlashCopyInfo fc = array.flashCopies.create(CreateFlashCopy.of("DataVol"));
            byte[] w = pattern(1000, 4);
            array.write(fc.name(), 20_000, w);
            array.write(fc.name(), 20_500, w); // the same chunk again, now in place
            byte[] expected = a.clone();
            System.arraycopy(w, 0, expected, 20_000, 500);
            System.arraycopy(w, 0, expected, 20_500, 1000);
            assertArrayEquals(expected, array.read(fc.name(), 0, a.length));
            assertArrayEquals(a, array.read("DataVol", 0, a.length));
        }
    }

    @Test
    void defaultsFollowTheSeed() throws IOException {
        try (TestArray array = new TestArray(dir)) {
            array.volumes.create("DataVol", 100 * MIB, false, Map.of());
            FlashCopyInfo fc = array.flashCopies.create(CreateFlashCopy.of("DataVol"));
            assertEquals("DataVol-1", fc.name());
            assertEquals("DataVol-R1", fc.repository().name());
            assertEquals(20 * MIB, fc.repository().capacityBytes());
            assertEquals(50, fc.repository().warningThresholdPercent());
            assertEquals(FullPolicy.FAIL_FLASH_COPY, fc.repository().fullPolicy());
            assertEquals(FlashCopyState.OPTIMAL, fc.state());
            assertEquals("DataVol-2", array.flashCopies.create(CreateFlashCopy.of("DataVol")).name());
        }
    }

    @Test
    void repositoryHasAtLeastEightMebibytes() throws IOException {
        try (TestArray array = new TestArray(dir)) {
            array.volumes.create("small", 4 * MIB, false, Map.of());
            assertEquals(8 * MIB, array.flashCopies.create(CreateFlashCopy.of("small")).repository().capacityBytes());
            EngineException e = assertThrows(EngineException.class, () -> array.flashCopies.create(
                    new CreateFlashCopy("small", null, null, null, 4 * MIB, null, null, Map.of())));
            assertEquals(Reason.INVALID_REPOSITORY, e.reason());
        }
    }

    @Test
    void customNameKeepsItsSequenceNumberAndDeletedNumbersAreReused() throws IOException {
        try (TestArray array = new TestArray(dir)) {
            array.volumes.create("DataVol", 64 * MIB, false, Map.of());
            array.flashCopies.create(new CreateFlashCopy("DataVol", "DataVolMay28", null, null, null, null, null,
                    Map.of()));
            assertEquals("DataVol-2", array.flashCopies.create(CreateFlashCopy.of("DataVol")).name());
            array.flashCopies.delete("DataVolMay28", false);
            assertEquals("DataVol-1", array.flashCopies.create(CreateFlashCopy.of("DataVol")).name());
        }
    }

    @Test
    void defaultNamesOfAThirtyCharacterBaseAreTruncatedToFit() throws IOException {
        try (TestArray array = new TestArray(dir)) {
            String base = "Payroll database volume 2026Q4"; // 30 characters
            array.volumes.create(base, 16 * MIB, false, Map.of());
            FlashCopyInfo fc = array.flashCopies.create(CreateFlashCopy.of(base));
            assertEquals(base.substring(0, 28) + "-1", fc.name());
            assertEquals(base.substring(0, 27) + "-R1", fc.repository().name());
        }
    }

    @Test
    void fifthFlashCopyOfABaseIsRefusedButOtherBasesGoOn() throws IOException {
        try (TestArray array = new TestArray(dir)) {
            array.volumes.create("a", 16 * MIB, false, Map.of());
            array.volumes.create("b", 16 * MIB, false, Map.of());
            for (int i = 0; i < 4; i++) {
                array.flashCopies.create(CreateFlashCopy.of("a"));
            }
            EngineException e = assertThrows(EngineException.class,
                    () -> array.flashCopies.create(CreateFlashCopy.of("a")));
            assertEquals(Reason.FLASHCOPY_LIMIT_REACHED, e.reason());
            assertTrue(e.getMessage().contains("limit per base"), e.getMessage());
            array.flashCopies.create(CreateFlashCopy.of("b"));
        }
    }

    @Test
    void arrayLimitsCountFlashCopiesAndRepositories() throws IOException {
        try (TestArray array = new TestArray(dir, new ArrayLimits(6, 4, 2, 8, 64), FlashCopyEngine.Options.defaults())) {
            array.volumes.create("a", 16 * MIB, false, Map.of());
            array.flashCopies.create(CreateFlashCopy.of("a"));
            array.flashCopies.create(CreateFlashCopy.of("a"));
            EngineException perArray = assertThrows(EngineException.class,
                    () -> array.flashCopies.create(CreateFlashCopy.of("a")));
            assertEquals(Reason.FLASHCOPY_LIMIT_REACHED, perArray.reason());
            assertEquals(5, array.volumes.count());
            EngineException volumes = assertThrows(EngineException.class,
                    () -> array.volumes.create("b", 16 * MIB, false, Map.of()).name().concat(
                            array.volumes.create("c", 16 * MIB, false, Map.of()).name()));
            assertEquals(Reason.VOLUME_LIMIT_REACHED, volumes.reason());
        }
    }

    @Test
    void flashCopyOfAFlashCopyIsRefused() throws IOException {
        try (TestArray array = new TestArray(dir)) {
            array.volumes.create("a", 16 * MIB, false, Map.of());
            array.flashCopies.create(CreateFlashCopy.of("a"));
            EngineException e = assertThrows(EngineException.class,
                    () -> array.flashCopies.create(CreateFlashCopy.of("a-1")));
            assertEquals(Reason.NOT_A_STANDARD_VOLUME, e.reason());
        }
    }

    @Test
    void duplicateNamesAreRefusedAcrossVolumesAndRepositories() throws IOException {
        try (TestArray array = new TestArray(dir)) {
            array.volumes.create("a", 16 * MIB, false, Map.of());
            array.volumes.create("a-R1", 16 * MIB, false, Map.of());
            EngineException e = assertThrows(EngineException.class,
                    () -> array.flashCopies.create(CreateFlashCopy.of("a")));
            assertEquals(Reason.VOLUME_EXISTS, e.reason());
            assertEquals(0, array.flashCopies.count());
            array.volumes.delete("a-R1", false);
            array.flashCopies.create(CreateFlashCopy.of("a"));
            assertEquals(Reason.VOLUME_EXISTS, assertThrows(EngineException.class,
                    () -> array.volumes.create("a-R1", MIB, false, Map.of())).reason());
        }
    }

    @Test
    void disabledFeatureRefusesCreation() throws IOException {
        try (TestArray array = new TestArray(dir, ArrayLimits.defaults(),
                new FlashCopyEngine.Options(false, CHUNK))) {
            array.volumes.create("a", 16 * MIB, false, Map.of());
            assertEquals(Reason.FEATURE_DISABLED, assertThrows(EngineException.class,
                    () -> array.flashCopies.create(CreateFlashCopy.of("a"))).reason());
        }
    }

    @Test
    void oneSectorWriteToTheBaseCostsOneWholeChunk() throws IOException {
        try (TestArray array = new TestArray(dir)) {
            array.volumes.create("a", 64 * MIB, false, Map.of());
            array.flashCopies.create(CreateFlashCopy.of("a"));
            array.write("a", 3 * CHUNK + 512, new byte[512]);
            assertEquals(CHUNK, array.flashCopies.get("a-1").repository().usedBytes());
            array.write("a", 3 * CHUNK + 4096, new byte[512]); // same chunk: no second copy
            assertEquals(CHUNK, array.flashCopies.get("a-1").repository().usedBytes());
        }
    }

    @Test
    void baseWriteReturnsOnlyOnceTheOriginalIsDurableInTheRepository() throws IOException {
        try (TestArray array = new TestArray(dir)) {
            array.volumes.create("a", 64 * MIB, false, Map.of());
            array.flashCopies.create(CreateFlashCopy.of("a"));
            Repository repository = ((FlashCopyVolume) array.engineDevice("a-1")).repository();
            for (int i = 0; i < 20; i++) {
                array.write("a", i * 3L * CHUNK + 100, new byte[512]);
                // kill -9 keeps the page cache, so only this ordering protects the image from a power cut
                assertEquals(repository.usedSlots(), repository.durableSlots(), "after write " + i);
            }
            assertEquals(20, repository.usedSlots());
        }
    }

    @Test
    void thresholdWarningFiresOncePerCrossingAndARaisedThresholdClearsIt() throws IOException {
        try (TestArray array = new TestArray(dir)) {
            array.volumes.create("a", 64 * MIB, false, Map.of());
            // 8 MiB repository = 512 chunks; threshold 50% = 256 chunks
            array.flashCopies.create(new CreateFlashCopy("a", null, null, null, 8 * MIB, null, null, Map.of()));
            array.write("a", 0, new byte[256 * CHUNK]);
            assertEquals(0, array.count("REPOSITORY_THRESHOLD_EXCEEDED"), "at the threshold is not above it");
            array.write("a", 256L * CHUNK, new byte[CHUNK]);
            array.write("a", 257L * CHUNK, new byte[10 * CHUNK]);
            assertEquals(1, array.count("REPOSITORY_THRESHOLD_EXCEEDED"));
            assertTrue(array.flashCopies.get("a-1").repository().thresholdExceeded());
            array.flashCopies.update("a-1", 90, null);
            assertFalse(array.flashCopies.get("a-1").repository().thresholdExceeded());
            array.write("a", 300L * CHUNK, new byte[200 * CHUNK]); // 467 of 512 chunks: above 90%
            assertEquals(2, array.count("REPOSITORY_THRESHOLD_EXCEEDED"));
        }
    }

    @Test
    void fullRepositoryUnderFailFlashCopyFailsTheFlashCopyAndBaseGoesOn() throws IOException {
        try (TestArray array = new TestArray(dir)) {
            array.volumes.create("a", 64 * MIB, false, Map.of());
            array.volumes.create("b", 64 * MIB, false, Map.of());
            array.flashCopies.create(new CreateFlashCopy("a", null, null, null, 8 * MIB, null, null, Map.of()));
            array.write("a", 0, new byte[(int) (9 * MIB)]);
            assertEquals(FlashCopyState.FAILED, array.flashCopies.get("a-1").state());
            assertEquals(1, array.count("FLASHCOPY_FAILED"));
            assertThrows(BlockIoException.class, () -> array.read("a-1", 0, 512));
            array.write("a", 20 * MIB, pattern(4096, 5));
            assertArrayEquals(pattern(4096, 5), array.read("a", 20 * MIB, 4096));
            FlashCopyInfo again = array.flashCopies.recreate("a-1");
            assertEquals(FlashCopyState.OPTIMAL, again.state());
            assertEquals(0, again.repository().usedBytes());
            assertArrayEquals(pattern(4096, 5), array.read("a-1", 20 * MIB, 4096));
        }
    }

    @Test
    void flashCopyWritesThatFillTheRepositoryFailItOnceWithOneEvent() throws IOException {
        try (TestArray array = new TestArray(dir)) {
            array.volumes.create("a", 64 * MIB, false, Map.of());
            array.flashCopies.create(new CreateFlashCopy("a", null, null, null, 8 * MIB, null, null, Map.of()));
            array.write("a-1", 0, new byte[(int) (8 * MIB)]);
            assertEquals(FlashCopyState.FULL, array.flashCopies.get("a-1").state());
            assertThrows(BlockIoException.class, () -> array.write("a-1", 8 * MIB, new byte[512]));
            assertEquals(FlashCopyState.FAILED, array.flashCopies.get("a-1").state());
            assertThrows(BlockIoException.class, () -> array.write("a-1", 9 * MIB, new byte[512]));
            assertEquals(1, array.count("FLASHCOPY_FAILED"));
            assertEquals(1, array.count("REPOSITORY_FULL"));
            array.write("a", 0, pattern(512, 13)); // the base goes on
        }
    }

    @Test
    void fullRepositoryUnderFailBaseWritesRejectsBaseWritesUntilItGrows() throws IOException {
        try (TestArray array = new TestArray(dir)) {
            array.volumes.create("a", 64 * MIB, false, Map.of());
            byte[] original = pattern((int) (8 * MIB), 6);
            array.write("a", 0, original);
            array.write("a", 8 * MIB, original);
            array.flashCopies.create(new CreateFlashCopy("a", null, null, null, 8 * MIB, null,
                    FullPolicy.FAIL_BASE_WRITES, Map.of()));
            array.write("a", 0, new byte[(int) (8 * MIB)]);
            assertEquals(FlashCopyState.FULL, array.flashCopies.get("a-1").state());
            BlockIoException e = assertThrows(BlockIoException.class, () -> array.write("a", 8 * MIB, new byte[512]));
            assertEquals(BlockIoException.Kind.NO_SPACE, e.kind());
            assertArrayEquals(original, array.read("a-1", 0, original.length));
            assertArrayEquals(original, array.read("a-1", 8 * MIB, original.length));
            array.flashCopies.growRepository("a-1", MIB);
            array.write("a", 8 * MIB, new byte[512]);
            assertArrayEquals(original, array.read("a-1", 8 * MIB, original.length));
        }
    }

    @Test
    void policyChangedWhileFullAppliesToLaterWrites() throws IOException {
        try (TestArray array = new TestArray(dir)) {
            array.volumes.create("a", 64 * MIB, false, Map.of());
            array.flashCopies.create(new CreateFlashCopy("a", null, null, null, 8 * MIB, null,
                    FullPolicy.FAIL_BASE_WRITES, Map.of()));
            array.write("a", 0, new byte[(int) (8 * MIB)]);
            assertThrows(BlockIoException.class, () -> array.write("a", 8 * MIB, new byte[512]));
            array.flashCopies.update("a-1", null, FullPolicy.FAIL_FLASH_COPY);
            array.write("a", 8 * MIB, new byte[512]);
            assertEquals(FlashCopyState.FAILED, array.flashCopies.get("a-1").state());
        }
    }

    @Test
    void disableStopsCopyOnWriteForThatFlashCopyOnly() throws IOException {
        try (TestArray array = new TestArray(dir)) {
            array.volumes.create("a", 64 * MIB, false, Map.of());
            byte[] a = pattern(CHUNK, 7);
            array.write("a", 0, a);
            array.flashCopies.create(CreateFlashCopy.of("a"));
            array.flashCopies.create(CreateFlashCopy.of("a"));
            array.flashCopies.disable("a-1");
            array.write("a", 0, new byte[CHUNK]);
            assertEquals(FlashCopyState.DISABLED, array.flashCopies.get("a-1").state());
            assertEquals(0, array.flashCopies.get("a-1").repository().usedBytes());
            assertEquals(BlockIoException.Kind.NOT_PERMITTED, assertThrows(BlockIoException.class,
                    () -> array.read("a-1", 0, 512)).kind());
            assertEquals(CHUNK, array.flashCopies.get("a-2").repository().usedBytes());
            assertArrayEquals(a, array.read("a-2", 0, CHUNK));
        }
    }

    @Test
    void recreateTakesANewPointInTimeWithTheSameNamesAndSettings() throws IOException {
        try (TestArray array = new TestArray(dir)) {
            array.volumes.create("a", 64 * MIB, false, Map.of());
            array.flashCopies.create(new CreateFlashCopy("a", "backup", "backup repo", 30, null, 70,
                    FullPolicy.FAIL_BASE_WRITES, Map.of()));
            FlashCopyInfo before = array.flashCopies.get("backup");
            array.write("a", 0, pattern(CHUNK, 8));
            array.flashCopies.disable("backup");
            FlashCopyInfo after = array.flashCopies.recreate("backup repo");
            assertEquals("backup", after.name());
            assertEquals("backup repo", after.repository().name());
            assertEquals(before.repository().capacityBytes(), after.repository().capacityBytes());
            assertEquals(70, after.repository().warningThresholdPercent());
            assertEquals(FullPolicy.FAIL_BASE_WRITES, after.repository().fullPolicy());
            assertEquals(0, after.repository().usedBytes());
            assertFalse(after.pointInTime().isBefore(before.pointInTime()));
            assertArrayEquals(pattern(CHUNK, 8), array.read("backup", 0, CHUNK));
            array.write("a", 0, pattern(CHUNK, 9)); // an Optimal re-create drops the older image
            array.flashCopies.recreate("backup");
            assertArrayEquals(pattern(CHUNK, 9), array.read("backup", 0, CHUNK));
        }
    }

    @Test
    void deletingAFlashCopyOrItsRepositoryRemovesBoth() throws IOException {
        try (TestArray array = new TestArray(dir)) {
            array.volumes.create("a", 64 * MIB, false, Map.of());
            FlashCopyInfo one = array.flashCopies.create(CreateFlashCopy.of("a"));
            FlashCopyInfo two = array.flashCopies.create(CreateFlashCopy.of("a"));
            array.write("a", 0, new byte[CHUNK]);
            array.flashCopies.delete("a-R1", false);
            assertFalse(Files.exists(array.pool.directory().repositoryFile(one.id())));
            array.volumes.delete("a-2", false);
            assertFalse(Files.exists(array.pool.directory().repositoryFile(two.id())));
            assertEquals(0, array.flashCopies.count());
            assertEquals(1, array.volumes.count());
            array.write("a", 0, new byte[CHUNK]);
        }
    }

    @Test
    void deletingABaseDeletesItsFlashCopies() throws IOException {
        try (TestArray array = new TestArray(dir)) {
            array.volumes.create("a", 64 * MIB, false, Map.of());
            array.volumes.create("b", 64 * MIB, false, Map.of());
            array.flashCopies.create(CreateFlashCopy.of("a"));
            array.flashCopies.create(CreateFlashCopy.of("a"));
            array.flashCopies.create(CreateFlashCopy.of("b"));
            array.volumes.delete("a", false);
            assertEquals(1, array.flashCopies.count());
            assertEquals(3, array.volumes.count());
            assertEquals(Reason.FLASHCOPY_NOT_FOUND, assertThrows(EngineException.class,
                    () -> array.flashCopies.get("a-1")).reason());
        }
    }

    @Test
    void flashCopiesSurviveARestartWithTheirImageAndState() throws IOException {
        byte[] a = pattern(3 * CHUNK, 10);
        try (TestArray array = new TestArray(dir)) {
            array.volumes.create("a", 64 * MIB, false, Map.of());
            array.write("a", 0, a);
            array.flashCopies.create(CreateFlashCopy.of("a"));
            array.flashCopies.create(CreateFlashCopy.of("a"));
            array.write("a", 0, new byte[3 * CHUNK]);
            array.write("a-2", CHUNK, pattern(100, 11));
            array.flashCopies.disable("a-2");
        }
        try (TestArray array = new TestArray(dir)) {
            assertArrayEquals(a, array.read("a-1", 0, a.length));
            assertEquals(3L * CHUNK, array.flashCopies.get("a-1").repository().usedBytes());
            assertEquals(FlashCopyState.DISABLED, array.flashCopies.get("a-2").state());
            array.write("a", 0, pattern(CHUNK, 12));
            assertArrayEquals(a, array.read("a-1", 0, a.length));
        }
    }

    @Test
    void estimatesFollowTheSeedsFormulas() {
        // L2295-2336: 5 GiB base -> 2813.44 KiB of overhead
        assertEquals(2813.44, FlashCopyRules.overheadEstimate(5L << 30) / 1024.0, 0.01);
        // L2378-2397: t = 10 h, Ct = 8 GB, Cu = 2 GB -> 40 h
        assertEquals(java.time.Duration.ofHours(40), FlashCopyReport.lifeEstimate(java.time.Duration.ofHours(10),
                8L << 30, 2L << 30).orElseThrow());
        assertTrue(FlashCopyReport.lifeEstimate(java.time.Duration.ofHours(1), 1, 0).isEmpty());
    }

    @Test
    void badSettingsAreRefusedAndChangeNothing() throws IOException {
        try (TestArray array = new TestArray(dir)) {
            array.volumes.create("a", 64 * MIB, false, Map.of());
            assertEquals(Reason.INVALID_THRESHOLD, assertThrows(EngineException.class, () -> array.flashCopies.create(
                    new CreateFlashCopy("a", null, null, null, null, 0, null, Map.of()))).reason());
            assertEquals(Reason.INVALID_REPOSITORY, assertThrows(EngineException.class, () -> array.flashCopies.create(
                    new CreateFlashCopy("a", null, null, 20, 9 * MIB, null, null, Map.of()))).reason());
            assertEquals(Reason.INVALID_NAME, assertThrows(EngineException.class, () -> array.flashCopies.create(
                    new CreateFlashCopy("a", "x".repeat(31), null, null, null, null, null, Map.of()))).reason());
            assertEquals(0, array.flashCopies.count());
            array.flashCopies.create(CreateFlashCopy.of("a"));
            assertEquals(Reason.INVALID_THRESHOLD, assertThrows(EngineException.class,
                    () -> array.flashCopies.update("a-1", 101, null)).reason());
            assertEquals(Reason.INVALID_REPOSITORY, assertThrows(EngineException.class,
                    () -> array.flashCopies.growRepository("a-1", 0)).reason());
            assertEquals(50, array.flashCopies.get("a-1").repository().warningThresholdPercent());
            assertEquals(Reason.NOT_A_STANDARD_VOLUME, assertThrows(EngineException.class,
                    () -> array.volumes.resize("a-1", 128 * MIB)).reason());
        }
    }
}
