package dev.copyservices.agent.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.array.ArrayLimits;
import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.events.EventSink;
import dev.copyservices.agent.pool.Pool;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The events the volume engine reports: one per change that happened, none for refusals or no-ops. */
class VolumeEventsTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    private record Published(EventSink.Severity severity, String reason, String kind, String name, String message) {
    }

    @Test
    void createResizeAndDeleteEachPublishOneInfoEvent() throws Exception {
        List<Published> published = new ArrayList<>();
        EventSink sink = (severity, reason, kind, name, message, correction) ->
                published.add(new Published(severity, reason, kind, name, message));
        try (Pool pool = Pool.open(dir, "a", "s"); VolumeEngine engine = VolumeEngine.open(pool, ArrayLimits.defaults(),
                VolumeLifecycle.NONE, sink)) {
            engine.create("db", 64 * MIB, false, Map.of());
            engine.create("db", 64 * MIB, false, Map.of()); // a retry: nothing happened
            engine.resize("db", 64 * MIB); // the current size: nothing happened
            engine.resize("db", 128 * MIB);
            assertThrows(EngineException.class, () -> engine.resize("db", MIB));
            engine.update("db", true, Map.of(), List.of());
            engine.delete("db", false);
        }
        assertEquals(List.of("VOLUME_CREATED", "VOLUME_RESIZED", "VOLUME_DELETED"),
                published.stream().map(Published::reason).toList());
        for (Published p : published) {
            assertEquals(EventSink.Severity.INFO, p.severity());
            assertEquals("Volume", p.kind());
            assertEquals("db", p.name());
        }
        assertTrue(published.get(1).message().contains("from 64 MiB to 128 MiB"), published.get(1).message());
    }
}
