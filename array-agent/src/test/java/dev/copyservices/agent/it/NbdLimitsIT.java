package dev.copyservices.agent.it;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.nbd.RawNbdClient;
import dev.copyservices.api.agent.v1.CreateVolumeRequest;
import dev.copyservices.api.agent.v1.VolumeServiceGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The agent's per-client NBD connection limit, met by a real NBD client (nbdinfo, qemu-io). */
class NbdLimitsIT {
    @Test
    void aClientPastItsConnectionLimitGetsTheAgentsMessageAndConnectsAgainOnceOneIsClosed() throws Exception {
        Path dir = Files.createTempDirectory("nbd-limits-it");
        try (AgentProcess agent = AgentProcess.start(dir.resolve("pool"), "--max-nbd-connections-per-client", "2")) {
            VolumeServiceGrpc.newBlockingStub(agent.channel()).createVolume(CreateVolumeRequest.newBuilder()
                    .setName("vol").setSizeBytes(16L << 20).build());
            RawNbdClient one = RawNbdClient.negotiated(agent.nbdPort(), "vol");
            try (RawNbdClient two = RawNbdClient.negotiated(agent.nbdPort(), "vol")) {
                // libnbd shows the server's reason text in its debug output only
                Tools.Result refused = Tools.run("env", "LIBNBD_DEBUG=1", "nbdinfo", agent.nbdUri("vol"));
                assertNotEquals(0, refused.exitCode(), refused.output());
                assertTrue(refused.output().contains("close some first"), "nbdinfo sees the agent's reason: "
                        + refused.output());
                one.close();
                // the agent counts the closed connection until its thread has ended it: retry for a while
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
                Tools.Result admitted;
                do {
                    admitted = Tools.qemuIo(agent.nbdUri("vol"), List.of("write -P 0x5c 0 64k", "read -P 0x5c 0 64k"));
                } while (admitted.exitCode() != 0 && System.nanoTime() < deadline && pause());
                admitted.assertOk("qemu-io once a connection was closed");
                two.read(1, 0, 4096); // the connections within the limit were never disturbed
            }
            assertTrue(agent.process().isAlive());
        }
    }

    private static boolean pause() throws InterruptedException {
        Thread.sleep(50); // polling: the agent tells no client when a connection's place is free
        return true;
    }
}
