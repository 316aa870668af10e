package dev.copyservices.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.nbd.RawNbdClient;
import dev.copyservices.api.agent.v1.AttachVolumeRequest;
import dev.copyservices.api.agent.v1.CreateVolumeRequest;
import dev.copyservices.api.agent.v1.UpdateVolumeRequest;
import dev.copyservices.api.agent.v1.VolumeServiceGrpc;
import dev.copyservices.kubetest.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS on the NBD port (NBD_OPT_STARTTLS with client certificates) on a real agent, driven by
 * qemu-io (tls-creds-x509) and nbdinfo (nbds://): data goes through TLS byte for byte, only csi and
 * cli-admin certificates of the agents' CA open volumes, host mapping still applies, read-only
 * stays read-only, and with --nbd-tls required plaintext clients are refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NbdTlsIT {
    private static final long MIB = 1 << 20;

    private TestPki pki;
    private Path dir;

    @BeforeAll
    void createPki(@TempDir Path dir) throws Exception {
        this.dir = dir;
        pki = TestPki.create(dir.resolve("pki"), "site-a");
    }

    @Test
    void qemuIoAndNbdinfoReadAndWriteThroughTlsWithAnAdministratorsCertificate() throws Exception {
        try (AgentProcess agent = tlsAgent("offered")) {
            createAttached(agent, "db");
            Path admin = clientDir("admin", pki.identity("cli-admin", "admin"));
            Tools.Result written = qemuIoTls(agent, admin, "db", "write -P 0x6c 0 3M", "write -P 0x2d 5M 1M",
                    "read -P 0x6c 0 3M", "read -P 0x2d 5M 1M", "read -P 0 3M 2M");
            assertVerified(written);
            // the bytes written through TLS are the volume's: a plaintext client (offered mode) reads them
            Tools.qemuIoOk(agent.nbdUri("db"), List.of("read -P 0x6c 0 3M", "read -P 0x2d 5M 1M"));
            Tools.Result info = Tools.run("nbdinfo", "--size", tlsUri(agent, admin, "db"));
            info.assertOk("nbdinfo over TLS");
            assertEquals(String.valueOf(8 * MIB), info.output().strip());
            assertFalse(agent.log().contains("failed the TLS handshake"), agent.log());
        }
    }

    @Test
    void tlsSaysWhoButTheVolumeOpensOnlyForAttachedHostsAndReadOnlyStaysReadOnly() throws Exception {
        try (AgentProcess agent = tlsAgent("mapping")) {
            volumes(agent).createVolume(CreateVolumeRequest.newBuilder().setName("loose").setSizeBytes(8 * MIB).build());
            Path csi = clientDir("csi", pki.identity("csi", "node-1"));
            Tools.Result unattached = qemuIoTls(agent, csi, "loose", "read 0 4k");
            assertNotEquals(0, unattached.exitCode(), unattached.output());
            assertTrue(agent.log().contains("refused export 'loose': volume 'loose' is attached to no host"), agent.log());

            createAttached(agent, "ro");
            assertVerified(qemuIoTls(agent, csi, "ro", "write -P 0x41 0 1M"));
            volumes(agent).updateVolume(UpdateVolumeRequest.newBuilder().setName("ro").setReadOnly(true).build());
            // the export is announced read-only through TLS too: qemu will not open it for writing
            Tools.Result write = qemuIoTls(agent, csi, "ro", "write -P 0x42 0 4k");
            assertNotEquals(0, write.exitCode(), write.output());
            assertTrue(write.output().contains("Permission denied"), write.output());
            assertVerified(qemuIoTls(true, agent, csi, "ro", "read -P 0x41 0 1M"));
        }
    }

    @Test
    void certificatesOfAnotherCaFailTheHandshakeAndOtherRolesMayNotOpenVolumes() throws Exception {
        try (AgentProcess agent = tlsAgent("roles")) {
            createAttached(agent, "db");
            // nbdinfo: qemu checks its own certificate against the CA before it connects at all
            Tools.Result rogue = Tools.run("nbdinfo", "--size", tlsUri(agent, clientDir("rogue", pki.rogue()), "db"));
            assertNotEquals(0, rogue.exitCode(), rogue.output());
            awaitLog(agent, "NBD client 127.0.0.1 failed the TLS handshake");

            Tools.Result operator = qemuIoTls(agent, clientDir("operator", pki.identity("operator", "site-a")), "db",
                    "read 0 4k");
            assertNotEquals(0, operator.exitCode(), operator.output());
            assertTrue(operator.output().contains("may not open volumes over NBD"), operator.output());
            assertTrue(agent.log().contains("refused: the certificate O=operator, CN=site-a may not open volumes over"
                    + " NBD; NBD clients present a certificate with O=csi (the CSI node) or O=cli-admin"), agent.log());
        }
    }

    @Test
    void anAgentRequiringTlsRefusesPlaintextClientsWithTlsRequired() throws Exception {
        try (AgentProcess agent = tlsAgent("required", "--nbd-tls", "required")) {
            createAttached(agent, "db");
            RawNbdClient.OptionReply plain = RawNbdClient.refusalOfGo("127.0.0.1", agent.nbdPort(), "db");
            assertNotNull(plain, "a plaintext client was let in");
            assertEquals(RawNbdClient.REP_ERR_TLS_REQD, plain.type());
            assertTrue(plain.text().contains("serves NBD over TLS only"), plain.text());
            Tools.Result qemu = Tools.qemuIo(agent.nbdUri("db"), List.of("read 0 4k"));
            assertNotEquals(0, qemu.exitCode(), qemu.output());
            assertTrue(agent.log().contains("negotiated without TLS, which this agent requires"), agent.log());

            Path admin = clientDir("admin-required", pki.identity("cli-admin", "admin"));
            assertVerified(qemuIoTls(agent, admin, "db", "write -P 0x77 1M 1M", "read -P 0x77 1M 1M"));
        }
    }

    @Test
    void nbdTlsOptionsThatCannotWorkStopTheAgentWithAHintAndCreateNothing() throws Exception {
        Path pool = dir.resolve("never-created");
        Process unknown = AgentProcess.launchRaw(dir.resolve("unknown.log"), concat(pki.agentArgs(pki.agent("site-a")),
                "--pool-dir", pool.toString(), "--listen", "127.0.0.1:0", "--nbd-listen", "127.0.0.1:0",
                "--nbd-tls", "sometimes"));
        assertTrue(unknown.waitFor(60, TimeUnit.SECONDS));
        assertNotEquals(0, unknown.exitValue());
        String output = Files.readString(dir.resolve("unknown.log"));
        assertTrue(output.contains("--nbd-tls 'sometimes' is unknown; give offered"), output);

        Process insecure = AgentProcess.launchRaw(dir.resolve("insecure.log"), "--pool-dir", pool.toString(),
                "--listen", "127.0.0.1:0", "--nbd-listen", "127.0.0.1:0", "--insecure-dev", "--nbd-tls", "required");
        assertTrue(insecure.waitFor(60, TimeUnit.SECONDS));
        assertNotEquals(0, insecure.exitValue());
        output = Files.readString(dir.resolve("insecure.log"));
        assertTrue(output.contains("--nbd-tls required needs --tls-cert, --tls-key and --tls-ca"), output);
        assertFalse(Files.exists(pool), "a refused start created the pool");
    }

    @Test
    void anInsecureDevAgentAnswersStartTlsUnsupported() throws Exception {
        try (AgentProcess agent = AgentProcess.start(Files.createDirectories(dir.resolve("insecure")))) {
            volumes(agent).createVolume(CreateVolumeRequest.newBuilder().setName("db").setSizeBytes(8 * MIB).build());
            Tools.Result tls = qemuIoTls(agent, clientDir("admin-insecure", pki.identity("cli-admin", "admin")), "db",
                    "read 0 4k");
            assertNotEquals(0, tls.exitCode(), "a TLS client believed it had TLS: " + tls.output());
            assertNull(RawNbdClient.refusalOfGo("127.0.0.1", agent.nbdPort(), "db"));
        }
    }

    private AgentProcess tlsAgent(String pool, String... more) throws Exception {
        return AgentProcess.startTls(pki, dir.resolve(pool), pool, "site-a", List.of(more));
    }

    private static VolumeServiceGrpc.VolumeServiceBlockingStub volumes(AgentProcess agent) {
        return VolumeServiceGrpc.newBlockingStub(agent.channel());
    }

    private static void createAttached(AgentProcess agent, String name) {
        volumes(agent).createVolume(CreateVolumeRequest.newBuilder().setName(name).setSizeBytes(8 * MIB).build());
        volumes(agent).attachVolume(AttachVolumeRequest.newBuilder().setName(name).setHost(AgentProcess.TEST_HOST)
                .addAddresses("127.0.0.1").build());
    }

    /** A directory as GnuTLS clients (qemu, libnbd) read it: ca-cert.pem, client-cert.pem, client-key.pem. */
    private Path clientDir(String name, TestPki.Identity identity) throws Exception {
        Path clientDir = Files.createDirectories(dir.resolve("clients").resolve(name));
        Files.copy(pki.caCert(), clientDir.resolve("ca-cert.pem"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(identity.cert(), clientDir.resolve("client-cert.pem"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(identity.key(), clientDir.resolve("client-key.pem"), StandardCopyOption.REPLACE_EXISTING);
        return clientDir;
    }

    private static String tlsUri(AgentProcess agent, Path clientDir, String volume) {
        return "nbds://127.0.0.1:" + agent.nbdPort() + "/" + volume + "?tls-certificates=" + clientDir;
    }

    /** qemu-io over NBD with TLS: the x509 credentials object and the nbd driver's tls-creds. */
    private static Tools.Result qemuIoTls(AgentProcess agent, Path clientDir, String volume, String... commands)
            throws Exception {
        return qemuIoTls(false, agent, clientDir, volume, commands);
    }

    private static Tools.Result qemuIoTls(boolean readOnly, AgentProcess agent, Path clientDir, String volume,
            String... commands) throws Exception {
        return Tools.qemuIoOn(readOnly, List.of("--object", "tls-creds-x509,id=tls0,endpoint=client,dir=" + clientDir,
                "--image-opts", "driver=raw,file.driver=nbd,file.host=127.0.0.1,file.port=" + agent.nbdPort()
                        + ",file.export=" + volume + ",file.tls-creds=tls0"), List.of(commands));
    }

    private static void assertVerified(Tools.Result result) {
        Tools.assertVerified(result, "qemu-io over TLS");
    }

    /** The agent logs a failed handshake after the client has gone; waits for the line, with a deadline. */
    private static void awaitLog(AgentProcess agent, String line) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!agent.log().contains(line)) {
            assertTrue(System.nanoTime() < deadline, "no '" + line + "' in the log:\n" + agent.log());
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }

    private static String[] concat(List<String> first, String... rest) {
        List<String> all = new ArrayList<>(first);
        all.addAll(List.of(rest));
        return all.toArray(String[]::new);
    }
}
