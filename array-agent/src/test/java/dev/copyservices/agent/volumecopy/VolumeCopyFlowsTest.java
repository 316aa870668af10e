package dev.copyservices.agent.volumecopy;

import static dev.copyservices.agent.volumecopy.CopyArray.MIB;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;
import dev.copyservices.agent.flashcopy.CopyOptions;
import dev.copyservices.agent.flashcopy.CreateFlashCopy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FlashCopy sources, the restore flow, the feature switch, restarts, and what other engines may not do meanwhile. */
class VolumeCopyFlowsTest {
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
    void flashCopySourceIsCopiedAsOfItsPointInTimeWhileItsBaseKeepsChanging() throws Exception {
        array = new CopyArray(dir);
        byte[] image = array.filledVolume("prod", 16 * MIB, 1);
        array.flashCopy("prod", "prod-1");
        array.volume("backup", 16 * MIB);
        array.io.hold();
        VolumeCopyInfo pair = array.copies.create("prod-1", "backup", CopyPriority.HIGHEST);
        assertTrue(pair.warnings().isEmpty(), "a FlashCopy source needs no warning: " + pair.warnings());
        AtomicBoolean copying = new AtomicBoolean(true);
        Thread writer = Thread.ofPlatform().start(() -> { // the production volume stays writable throughout
            Random random = new Random(2);
            byte[] block = new byte[64 << 10];
            try {
                while (copying.get()) {
                    random.nextBytes(block);
                    array.write("prod", (long) random.nextInt(256) * block.length, block);
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        array.io.allow(2);
        array.write("prod", 0, new byte[1 << 20]); // lands before or while the copy reads there
        array.io.release();
        array.awaitCompleted("backup");
        copying.set(false);
        writer.join();
        assertArrayEquals(image, array.contents("backup", 16 * MIB));
    }

    @Test
    void restoreFlowPutsTheFlashCopysPointInTimeBackOntoItsBase() throws Exception { // scenario 38
        array = new CopyArray(dir);
        byte[] good = array.filledVolume("db", 8 * MIB, 3);
        array.flashCopy("db", "db-1");
        array.write("db", 0, new byte[4 << 20]); // the damage the restore undoes
        array.volume("db-restore", 8 * MIB);
        array.copies.create("db-1", "db-restore", CopyPriority.HIGHEST);
        array.awaitCompleted("db-restore");

        EngineException refused = assertThrows(EngineException.class,
                () -> array.copies.create("db-restore", "db", CopyPriority.HIGHEST));
        assertEquals(Reason.VOLUMECOPY_INELIGIBLE, refused.reason()); // db-1 is still Optimal
        array.flashCopies.disable("db-1");
        VolumeCopyInfo back = array.copies.create("db-restore", "db", CopyPriority.HIGHEST);
        assertEquals(1, back.warnings().size(), "a plain source warns that its writes stop: " + back.warnings());
        array.awaitCompleted("db");
        array.copies.remove(List.of("db"));
        assertArrayEquals(good, array.read("db", 0, good.length));
        assertFalse(array.writeRefused("db"));
    }

    @Test
    void withTheFeatureOffCreateIsRefusedButExistingPairsCanStillBeManaged() throws Exception { // scenario 30
        array = new CopyArray(dir);
        array.filledVolume("src", 4 * MIB, 4);
        array.volume("a", 4 * MIB);
        array.volume("b", 4 * MIB);
        array.volume("c", 4 * MIB);
        array.copies.create("src", "a", CopyPriority.HIGHEST);
        array.copies.create("src", "b", CopyPriority.HIGHEST);
        array.awaitCompleted("a");
        array.awaitCompleted("b");
        array.close();
        array = new CopyArray(dir, CopyArray.maxInProgress(8), false, new GatedIo());

        EngineException e = assertThrows(EngineException.class, () -> array.copies.create("src", "c", null));
        assertEquals(Reason.FEATURE_DISABLED, e.reason());
        assertTrue(e.correction().contains("--disable-feature volumecopy"), e.correction());
        array.copies.update(List.of("a", "b"), CopyPriority.LOW, false);
        array.copies.recopy("a", CopyPriority.HIGHEST);
        array.awaitCompleted("a");
        array.copies.recopy("b", null);
        array.copies.stop("b");
        array.copies.remove(List.of("a", "b"));
        assertEquals(0, array.copies.count());
    }

    @Test
    void aRestartContinuesAnInProgressCopyFromItsCheckpointWithHostsStillKeptOff() throws Exception {
        array = new CopyArray(dir);
        byte[] data = array.filledVolume("src", 300 * MIB, 5);
        array.volume("dst", 300 * MIB);
        array.io.hold();
        array.copies.create("src", "dst", CopyPriority.HIGHEST);
        array.io.allow(65); // 260 MiB: one checkpoint at 256 MiB
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (recordedCopied("dst") < 256 * MIB) {
            assertTrue(System.nanoTime() < deadline, "no checkpoint recorded");
            Thread.onSpinWait();
        }
        array.close();

        GatedIo held = new GatedIo();
        held.hold(); // before the engine opens: it resumes the copy as it opens
        array = new CopyArray(dir, CopyArray.maxInProgress(8), true, held);
        assertTrue(array.writeRefused("src"));
        assertTrue(array.readRefused("dst"));
        VolumeCopyInfo resumed = array.copies.get("dst");
        assertEquals(CopyState.IN_PROGRESS, resumed.state());
        assertEquals(256 * MIB, resumed.bytesCopied(), "continues from the checkpoint, not from the first byte");
        assertEquals(1, array.count("VOLUMECOPY_RESUMED"));
        array.io.release();
        array.awaitCompleted("dst");
        assertArrayEquals(data, array.contents("dst", 300 * MIB));
    }

    @Test
    void otherEnginesMayNotChangeAnActiveSourceOrTakeAnUnfinishedTargetsImage() throws Exception {
        array = new CopyArray(dir);
        array.volume("base", 8 * MIB);
        array.flashCopy("base", "snap");
        array.volume("dst", 8 * MIB);
        array.volume("spare", 8 * MIB);
        array.io.hold();
        array.copies.create("snap", "dst", null);

        for (Runnable call : List.<Runnable>of(
                () -> array.flashCopies.recreate("snap"),
                () -> array.flashCopies.disable("snap"),
                () -> array.flashCopies.create(CreateFlashCopy.of("dst")),
                () -> array.flashCopies.relationships().establish("dst", "spare", new CopyOptions(true, false, false)),
                () -> array.flashCopies.relationships().establish("spare", "dst", new CopyOptions(true, false, false)))) {
            EngineException e = assertThrows(EngineException.class, call::run);
            assertTrue(e.reason() == Reason.VOLUME_IN_COPY || e.reason() == Reason.VOLUME_IN_RELATIONSHIP,
                    e.reason() + ": " + e.getMessage());
        }
        assertEquals(dev.copyservices.agent.flashcopy.FlashCopyState.OPTIMAL, array.flashCopies.get("snap").state());
        assertEquals(0, array.flashCopies.relationships().count());
        array.flashCopies.create(CreateFlashCopy.of("base")); // the base itself is not part of the copy
    }

    private long recordedCopied(String target) {
        String id = array.volumes.find(target).orElseThrow().getId();
        return array.pool.catalog().getVolumeCopiesList().stream().filter(r -> r.getTargetId().equals(id))
                .findFirst().orElseThrow().getCopiedBytes();
    }
}
