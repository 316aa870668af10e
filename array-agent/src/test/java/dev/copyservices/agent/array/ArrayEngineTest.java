package dev.copyservices.agent.array;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.copyservices.agent.pool.Pool;
import dev.copyservices.agent.volume.VolumeEngine;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the array reports about itself, beyond the catalog's identity. */
class ArrayEngineTest {

    @TempDir
    Path dir;
    private Pool pool;
    private VolumeEngine volumes;

    @AfterEach
    void closeAll() throws IOException {
        if (volumes != null) {
            volumes.close();
        }
        if (pool != null) {
            pool.close();
        }
    }

    @Test
    void copyModeCountsAreAskedAtEachInfoNotFixedAtStart() throws IOException {
        pool = Pool.open(dir, "lab", "rack 3");
        volumes = VolumeEngine.open(pool, ArrayLimits.defaults());
        AtomicInteger relationships = new AtomicInteger(5);
        AtomicInteger groups = new AtomicInteger(2);
        ArrayEngine array = new ArrayEngine(pool, volumes, () -> new CopyServiceFigures(relationships.get(),
                groups.get(), 0, 0, List.of(), List.of()), ArrayLimits.defaults(), "127.0.0.1:10809",
                List.of("flashcopy"));

        ArrayInfo first = array.info();
        assertEquals(5, first.copies().flashCopyRelationships());
        assertEquals(2, first.copies().flashCopyGroups());

        relationships.set(6);
        groups.set(0);
        ArrayInfo later = array.info();
        assertEquals(6, later.copies().flashCopyRelationships());
        assertEquals(0, later.copies().flashCopyGroups());
        assertEquals("lab", later.name());
    }
}
