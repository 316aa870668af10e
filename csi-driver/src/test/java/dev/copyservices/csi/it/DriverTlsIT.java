package dev.copyservices.csi.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.it.AgentProcess;
import dev.copyservices.kubetest.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The driver reaches agents over mutual TLS with its csi certificate, and refuses to start without one. */
class DriverTlsIT {
    @TempDir
    Path dir;

    @Test
    void driverWithACsiCertificateProvisionsOnATlsAgentAndNeverLogsItsKey() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("pki"), "site-a");
        List<String> agentArgs = new ArrayList<>(pki.agentArgs(pki.agent("site-a")));
        try (AgentProcess agent = AgentProcess.start(Files.createDirectories(dir.resolve("pool")), "node-1", "site-a",
                agentArgs, pki.identity("cli-admin", "it"), pki.caCert())) {
            TestPki.Identity csi = pki.identity("csi", "node-1");
            List<String> args = new ArrayList<>(List.of("--agent", agent.controlAddress()));
            args.addAll(pki.agentArgs(csi));
            try (CsiDriverProcess driver = CsiDriverProcess.startWithArgs(dir.resolve("driver"), "node-1", args)) {
                CsiClient client = new CsiClient(driver.channel());
                assertFalse(client.create("pvc-tls", 1 << 20, CsiClient.block()).getVolumeId().isEmpty());
                assertTrue(driver.log().contains("mutual TLS with the agents as O=csi, CN=node-1"), driver.log());
                assertTrue(agent.log().contains("[O=csi, CN=node-1]"), "the agent's call log names the driver");
                for (String line : Files.readAllLines(csi.key())) {
                    if (!line.startsWith("-----")) {
                        assertFalse(driver.log().contains(line), "the driver's log holds its key");
                    }
                }
            }
        }
    }

    @Test
    void driverWithoutCertificatesOrInsecureDevRefusesToStart() throws Exception {
        Path log = dir.resolve("refused.log");
        Process driver = AgentProcess.sameJdk(new ProcessBuilder(AgentProcess.root().resolve("bin/csi-driver")
                .toString(), "--endpoint", "unix://" + dir.resolve("csi.sock"), "--mode", "controller", "--agent",
                "127.0.0.1:1")).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(driver.waitFor(60, TimeUnit.SECONDS));
        assertNotEquals(0, driver.exitValue());
        String output = Files.readString(log);
        assertTrue(output.contains("no TLS identity: give --tls-cert, --tls-key and --tls-ca"), output);
        assertFalse(Files.exists(dir.resolve("csi.sock")), "a refused start left a socket");
    }
}
