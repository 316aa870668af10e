package dev.copyservices.agent.flashcopy;

import static dev.copyservices.agent.flashcopy.TestArray.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepositoryTest {
    private static final int CHUNK = 4096;

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("r.repo");
    }

    private Map<Long, Long> reopen(long epoch) throws IOException {
        Map<Long, Long> found = new TreeMap<>();
        try (Repository r = Repository.open(file(), CHUNK, epoch, 10_000, 1 << 20, found::put)) {
            assertEquals(found.size(), r.usedSlots());
        }
        return found;
    }

    private static void store(Repository r, long chunk, int seed) throws IOException {
        long slot = r.allocate();
        r.writeNew(slot, chunk, ByteBuffer.wrap(pattern(CHUNK, seed)));
    }

    @Test
    void durableSlotsAcrossSeveralMapPagesAreRecovered() throws IOException {
        try (Repository r = Repository.create(file(), CHUNK, 1, 10_000)) {
            for (int i = 0; i < 3000; i++) {
                store(r, 7L * i, i);
            }
            r.awaitDurable(2999);
        }
        Map<Long, Long> found = reopen(1);
        assertEquals(3000, found.size());
        assertEquals(2999L, found.get(7L * 2999));
    }

    @Test
    void aTornSlotEndsRecoveryThereAndLaterEntriesNeverComeBack() throws IOException {
        try (Repository r = Repository.create(file(), CHUNK, 1, 10_000)) {
            for (int i = 0; i < 13; i++) {
                store(r, 100 + i, i);
            }
            r.awaitDurable(12);
            // slot 11's data as a crash can leave it: the entry made it to disk, the data did not
            try (FileChannel raw = FileChannel.open(file(), StandardOpenOption.WRITE)) {
                raw.write(ByteBuffer.wrap(new byte[CHUNK]), r.dataOffset(11));
            }
        }
        try (FileChannel raw = FileChannel.open(file(), StandardOpenOption.WRITE)) {
            // make recovery check slot 11's data: wipe both header checkpoints
            raw.write(ByteBuffer.wrap(new byte[2 * Repository.HEADER_BYTES]), 0);
        }
        Map<Long, Long> found = reopen(1);
        assertEquals(11, found.size());
        try (Repository r = Repository.open(file(), CHUNK, 1, 10_000, 1 << 20, (c, s) -> {
        })) {
            store(r, 999, 99); // slot 11 again
            r.awaitDurable(11);
        }
        found = reopen(1);
        assertEquals(12, found.size());
        assertEquals(11L, found.get(999L));
        assertEquals(null, found.get(112L), "slot 12's entry from before the crash stays dead");
    }

    @Test
    void entriesOfAnotherEpochAreNotPartOfTheRepository() throws IOException {
        try (Repository r = Repository.create(file(), CHUNK, 1, 10_000)) {
            store(r, 1, 1);
            store(r, 2, 2);
            r.awaitDurable(1);
        }
        assertEquals(0, reopen(2).size());
    }

    @Test
    void inPlaceWritesToTrustedSlotsSurviveReopen() throws IOException {
        try (Repository r = Repository.create(file(), CHUNK, 1, 10_000)) {
            for (int i = 0; i < 5; i++) {
                store(r, i, i);
            }
            r.ensureTrusted(4);
            r.writeInPlace(4, 100, ByteBuffer.wrap(pattern(50, 77)));
            r.flush();
        }
        assertEquals(5, reopen(1).size());
        try (Repository r = Repository.open(file(), CHUNK, 1, 10_000, 1 << 20, (c, s) -> {
        })) {
            ByteBuffer data = ByteBuffer.allocate(50);
            r.read(4, 100, data);
            assertArrayEquals(pattern(50, 77), data.array());
        }
    }

    @Test
    void resetEmptiesTheRepositoryForTheNewEpoch() throws IOException {
        try (Repository r = Repository.create(file(), CHUNK, 1, 10_000)) {
            store(r, 1, 1);
            r.awaitDurable(0);
            r.reset(2);
            assertEquals(0, r.usedSlots());
            store(r, 5, 5);
            r.awaitDurable(0);
        }
        assertEquals(Map.of(5L, 0L), reopen(2));
    }

    @Test
    void aFullRepositoryAllocatesNothingUntilItGrows() throws IOException {
        try (Repository r = Repository.create(file(), CHUNK, 1, 2)) {
            store(r, 1, 1);
            store(r, 2, 2);
            assertEquals(-1, r.allocate());
            r.grow(3);
            assertEquals(2, r.allocate());
        }
    }
}
