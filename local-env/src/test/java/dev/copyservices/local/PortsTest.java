package dev.copyservices.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PortsTest {
    @Test
    void aPortChosenOnceIsTheSameAfterReloadingAndKeysGetDistinctPorts(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ports.properties");
        Ports ports = Ports.load(file);
        int api = ports.of("site-a.api");
        int agent = ports.of("site-a.node-1.control");
        assertNotEquals(api, agent);
        assertEquals(api, ports.of("site-a.api"));
        ports.save();
        Ports again = Ports.load(file);
        assertEquals(api, again.of("site-a.api"), "a crashed site comes back on the same address");
        assertEquals("127.0.0.1:" + agent, again.address("site-a.node-1.control"));
        assertNotEquals(api, again.of("site-b.api"));
    }

    @Test
    void nothingIsWrittenUntilAPortIsChosen(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ports.properties");
        Ports.load(file).save();
        assertEquals(false, Files.exists(file));
    }
}
