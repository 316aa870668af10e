package dev.copyservices.agent.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.array.ArrayLimits;
import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;
import dev.copyservices.agent.nbd.Export;
import dev.copyservices.agent.pool.Pool;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VolumeEngineTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;
    private Pool pool;
    private VolumeEngine engine;

    private VolumeEngine open(ArrayLimits limits) throws IOException {
        pool = Pool.open(dir, "test-array", "site-a");
        engine = VolumeEngine.open(pool, limits);
        return engine;
    }

    private void reopen() throws IOException {
        engine.close();
        pool.close();
        open(ArrayLimits.defaults());
    }

    @AfterEach
    void closeAll() throws IOException {
        if (engine != null) {
            engine.close();
        }
        if (pool != null) {
            pool.close();
        }
    }

    private static EngineException refused(Reason reason, Runnable call) {
        EngineException e = assertThrows(EngineException.class, call::run);
        assertEquals(reason, e.reason(), e.getMessage());
        assertFalse(e.correction().isBlank());
        return e;
    }

    @Test
    void createdVolumeIsThinAndSurvivesRestart() throws IOException {
        open(ArrayLimits.defaults());
        VolumeInfo created = engine.create("data 1", 1L << 40, false, Map.of("k8s/pvc", "ns/claim"));
        assertEquals(1L << 40, created.sizeBytes());
        assertTrue(created.allocatedBytes() < MIB, "a new 1 TiB volume allocated " + created.allocatedBytes());

        reopen();
        VolumeInfo again = engine.get("data 1");
        assertEquals(created.id(), again.id());
        assertEquals(1L << 40, again.sizeBytes());
        assertEquals(Map.of("k8s/pvc", "ns/claim"), again.attributes());
        assertEquals(created.created(), again.created());
    }

    @Test
    void createWithSameNameAndSizeReturnsTheExistingVolume() throws IOException {
        open(ArrayLimits.defaults());
        VolumeInfo first = engine.create("v", MIB, false, Map.of());
        assertEquals(first.id(), engine.create("v", MIB, false, Map.of()).id());
        EngineException e = refused(Reason.VOLUME_EXISTS, () -> engine.create("v", 2 * MIB, false, Map.of()));
        assertTrue(e.getMessage().contains("1 MiB"), e.getMessage());
        assertEquals(1, engine.count());
    }

    @Test
    void badNamesSizesAndAttributesAreRefusedAndChangeNothing() throws IOException {
        open(ArrayLimits.defaults());
        refused(Reason.INVALID_NAME, () -> engine.create("", MIB, false, Map.of()));
        refused(Reason.INVALID_NAME, () -> engine.create("a".repeat(31), MIB, false, Map.of()));
        refused(Reason.INVALID_NAME, () -> engine.create("slash/no", MIB, false, Map.of()));
        refused(Reason.INVALID_NAME, () -> engine.create(" padded", MIB, false, Map.of()));
        refused(Reason.INVALID_SIZE, () -> engine.create("v", 0, false, Map.of()));
        refused(Reason.INVALID_SIZE, () -> engine.create("v", 1000, false, Map.of()));
        refused(Reason.INVALID_SIZE, () -> engine.create("v", Long.MAX_VALUE - 511, false, Map.of()));
        refused(Reason.INVALID_ATTRIBUTE, () -> engine.create("v", MIB, false, Map.of("bad key", "x")));
        refused(Reason.INVALID_NAME, () -> engine.get(""));
        refused(Reason.INVALID_NAME, () -> engine.delete("", true));
        assertEquals(0, engine.count());
        assertEquals(Set.of(), pool.directory().dataFileIds());
        engine.create("a".repeat(30), MIB, false, Map.of());
        engine.create("Ok-name_1.x y", MIB, false, Map.of());
    }

    @Test
    void volumeLimitIsEnforcedWithTheLimitInTheMessage() throws IOException {
        open(new ArrayLimits(2, 4, 1, 8, 64));
        engine.create("a", MIB, false, Map.of());
        engine.create("b", MIB, false, Map.of());
        EngineException e = refused(Reason.VOLUME_LIMIT_REACHED, () -> engine.create("c", MIB, false, Map.of()));
        assertTrue(e.getMessage().contains("2"), e.getMessage());
        engine.delete("a", false);
        engine.create("c", MIB, false, Map.of());
    }

    @Test
    void resizeGrowsKeepsDataAndRefusesShrink() throws IOException {
        open(ArrayLimits.defaults());
        engine.create("v", MIB, false, Map.of());
        Export export = engine.open("v", () -> { }).orElseThrow();
        export.device().write(MIB - 4, ByteBuffer.wrap(new byte[] {1, 2, 3, 4}));
        export.close();

        assertEquals(4 * MIB, engine.resize("v", 4 * MIB).sizeBytes());
        refused(Reason.SHRINK_NOT_SUPPORTED, () -> engine.resize("v", 2 * MIB));
        assertEquals(4 * MIB, engine.resize("v", 4 * MIB).sizeBytes());

        reopen();
        assertEquals(4 * MIB, engine.get("v").sizeBytes());
        ByteBuffer tail = ByteBuffer.allocate(8);
        engine.open("v", () -> { }).orElseThrow().device().read(MIB - 4, tail);
        assertArrayEquals(new byte[] {1, 2, 3, 4, 0, 0, 0, 0}, tail.array());
    }

    @Test
    void updateChangesAccessAndAttributesDurably() throws IOException {
        open(ArrayLimits.defaults());
        engine.create("v", MIB, false, Map.of("a", "1", "b", "2"));
        VolumeInfo updated = engine.update("v", true, Map.of("c", "3"), List.of("a"));
        assertTrue(updated.readOnly());
        assertEquals(Map.of("b", "2", "c", "3"), updated.attributes());
        reopen();
        assertTrue(engine.get("v").readOnly());
        assertEquals(Map.of("b", "2", "c", "3"), engine.get("v").attributes());
        assertTrue(engine.open("v", () -> { }).orElseThrow().readOnly());
    }

    @Test
    void listFiltersByAttributesAndSortsByName() throws IOException {
        open(ArrayLimits.defaults());
        engine.create("b", MIB, false, Map.of("team", "x"));
        engine.create("a", MIB, false, Map.of("team", "x", "tier", "gold"));
        engine.create("c", MIB, false, Map.of("team", "y"));
        assertEquals(List.of("a", "b"), engine.list(Map.of("team", "x")).stream().map(VolumeInfo::name).toList());
        assertEquals(List.of("a", "b", "c"), engine.list(Map.of()).stream().map(VolumeInfo::name).toList());
    }

    @Test
    void deleteRefusesWhileConnectedUnlessForcedAndRevokesConnections() throws IOException {
        open(ArrayLimits.defaults());
        engine.create("v", MIB, false, Map.of());
        AtomicBoolean revoked = new AtomicBoolean();
        engine.open("v", () -> revoked.set(true)).orElseThrow();
        assertEquals(1, engine.get("v").nbdConnections());
        refused(Reason.VOLUME_IN_USE, () -> engine.delete("v", false));
        assertEquals(1, engine.count());

        engine.delete("v", true);
        assertTrue(revoked.get());
        refused(Reason.VOLUME_NOT_FOUND, () -> engine.get("v"));
        assertEquals(Set.of(), pool.directory().dataFileIds());
        reopen();
        assertEquals(0, engine.count());
    }

    @Test
    void orphanDataFilesFromAnInterruptedCreateAreRemovedAtOpen() throws IOException {
        open(ArrayLimits.defaults());
        engine.create("kept", MIB, false, Map.of());
        Files.write(pool.directory().volumeFile("orphan-from-crash"), new byte[512]);
        reopen();
        assertEquals(1, pool.directory().dataFileIds().size());
        assertEquals(1, engine.count());
    }

    @Test
    void trimAndWriteZeroesGiveSpaceBackAndReadAsZero() throws IOException {
        open(ArrayLimits.defaults());
        engine.create("v", 8 * MIB, false, Map.of());
        BlockDevice device = engine.open("v", () -> { }).orElseThrow().device();
        byte[] ones = new byte[(int) (4 * MIB)];
        java.util.Arrays.fill(ones, (byte) 1);
        device.write(0, ByteBuffer.wrap(ones));
        device.flush();
        long before = engine.get("v").allocatedBytes();
        assertTrue(before >= 4 * MIB, "allocated " + before);

        device.writeZeroes(0, 2 * MIB);
        device.trim(2 * MIB, 2 * MIB);
        assertTrue(engine.get("v").allocatedBytes() < before, "space was not given back");
        ByteBuffer read = ByteBuffer.allocate((int) (2 * MIB));
        device.read(0, read);
        assertArrayEquals(new byte[(int) (2 * MIB)], read.array());
    }
}
