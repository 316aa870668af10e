package dev.copyservices.agent.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.pool.catalog.Catalog;
import dev.copyservices.agent.pool.catalog.VolumeRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogStoreTest {
    @TempDir
    Path dir;

    @Test
    void committedCatalogReadsBackWhole() throws IOException {
        CatalogStore store = new CatalogStore(dir);
        assertTrue(store.load().isEmpty());
        Catalog catalog = Catalog.newBuilder().setGeneration(3).setArrayName("a")
                .addVolumes(VolumeRecord.newBuilder().setId("1").setName("v").setSizeBytes(512)).build();
        store.commit(catalog);
        assertEquals(catalog, store.load().orElseThrow());
    }

    @Test
    void leftoverTemporaryFromAnInterruptedCommitIsIgnored() throws IOException {
        CatalogStore store = new CatalogStore(dir);
        Catalog committed = Catalog.newBuilder().setGeneration(1).build();
        store.commit(committed);
        Files.write(dir.resolve("catalog.pb.tmp"), new byte[] {1, 2, 3});
        assertEquals(committed, store.load().orElseThrow());
        assertTrue(Files.notExists(dir.resolve("catalog.pb.tmp")));
    }

    @Test
    void damagedCatalogIsDetectedInsteadOfHalfRead() throws IOException {
        CatalogStore store = new CatalogStore(dir);
        store.commit(Catalog.newBuilder().setGeneration(1).setArrayName("array").build());
        byte[] bytes = Files.readAllBytes(dir.resolve(CatalogStore.FILE));
        bytes[bytes.length - 1] ^= 0x40;
        Files.write(dir.resolve(CatalogStore.FILE), bytes);
        IOException e = assertThrows(CatalogStore.CorruptCatalogException.class, store::load);
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());

        Files.write(dir.resolve(CatalogStore.FILE), new byte[] {9, 9});
        assertThrows(CatalogStore.CorruptCatalogException.class, store::load);
    }

    @Test
    void secondOwnerOfAPoolIsRefused() throws IOException {
        try (PoolDirectory first = PoolDirectory.open(dir)) {
            IOException e = assertThrows(IOException.class, () -> PoolDirectory.open(dir));
            assertTrue(e.getMessage().contains("in use by another agent"), e.getMessage());
        }
        PoolDirectory.open(dir).close();
    }
}
