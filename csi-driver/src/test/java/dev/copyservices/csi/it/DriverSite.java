package dev.copyservices.csi.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.copyservices.agent.it.AgentProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * One agent process and one driver process (controller and node) under a fresh temporary directory,
 * with a CSI client: what most driver integration tests start with. Closing it stops both and
 * removes the directory when nothing is left mounted under it.
 */
final class DriverSite implements AutoCloseable {
    final Path dir;
    final AgentProcess agent;
    final CsiDriverProcess driver;
    final CsiClient csi;

    private DriverSite(Path dir, AgentProcess agent, CsiDriverProcess driver) {
        this.dir = dir;
        this.agent = agent;
        this.driver = driver;
        this.csi = new CsiClient(driver.channel());
    }

    static DriverSite start(String directoryPrefix, String nodeId) throws Exception {
        Path dir = Files.createTempDirectory(directoryPrefix);
        AgentProcess agent = AgentProcess.start(dir.resolve("pool"));
        try {
            return new DriverSite(dir, agent, CsiDriverProcess.start(dir.resolve("driver"), nodeId, agent.controlAddress()));
        } catch (Exception | AssertionError e) {
            agent.close();
            throw e;
        }
    }

    /** After each test: nothing mounted under the directory, no attachment in the driver's state. */
    void assertNothingLeft() throws IOException {
        assertEquals(List.of(), NodeLeftovers.mountsUnder(dir), "left mounted");
        assertEquals(List.of(), NodeLeftovers.attachments(driver.stateDir()), "left attached");
    }

    @Override
    public void close() throws Exception {
        try {
            driver.close();
        } finally {
            agent.close();
        }
        NodeLeftovers.deleteIfNothingMounted(dir);
    }
}
