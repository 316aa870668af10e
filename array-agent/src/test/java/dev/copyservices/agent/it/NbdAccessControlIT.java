package dev.copyservices.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.nbd.RawNbdClient;
import dev.copyservices.api.agent.v1.AttachVolumeRequest;
import dev.copyservices.api.agent.v1.Attachment;
import dev.copyservices.api.agent.v1.CreateVolumeRequest;
import dev.copyservices.api.agent.v1.DetachVolumeRequest;
import dev.copyservices.api.agent.v1.ErrorDetail;
import dev.copyservices.api.agent.v1.GetVolumeRequest;
import dev.copyservices.api.agent.v1.Volume;
import dev.copyservices.api.agent.v1.VolumeServiceGrpc;
import dev.copyservices.kubetest.TestPki;
import io.grpc.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * NBD export access (the seeds' host mapping) on a real agent with TLS: a volume's export opens
 * only for clients at the addresses of the hosts it is attached to, detaching ends that host's
 * connections, attachments survive kill -9, and bad requests change nothing. Clients are qemu-io
 * and a raw NBD client bound to a second loopback address (127.0.0.2) to play another host.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NbdAccessControlIT {
    private static final long MIB = 1 << 20;
    private static final String OTHER_HOST = "127.0.0.2";

    private TestPki pki;
    private Path dir;

    @BeforeAll
    void createPki(@TempDir Path dir) throws Exception {
        this.dir = dir;
        pki = TestPki.create(dir.resolve("pki"), "site-a");
    }

    private AgentProcess tlsAgent(String pool) throws Exception {
        return AgentProcess.startTls(pki, dir.resolve(pool), pool, "site-a", List.of());
    }

    private static VolumeServiceGrpc.VolumeServiceBlockingStub volumes(AgentProcess agent) {
        return VolumeServiceGrpc.newBlockingStub(agent.channel());
    }

    private static Volume create(AgentProcess agent, String name) {
        return volumes(agent).createVolume(CreateVolumeRequest.newBuilder().setName(name).setSizeBytes(8 * MIB).build());
    }

    private static Volume attach(AgentProcess agent, String volume, String host, String... addresses) {
        return volumes(agent).attachVolume(AttachVolumeRequest.newBuilder().setName(volume).setHost(host)
                .addAllAddresses(List.of(addresses)).build());
    }

    private static Volume get(AgentProcess agent, String volume) {
        return volumes(agent).getVolume(GetVolumeRequest.newBuilder().setName(volume).build());
    }

    @Test
    void aVolumeOpensOnlyForTheHostsItIsAttachedTo() throws Exception {
        try (AgentProcess agent = tlsAgent("mapping")) {
            create(agent, "db");
            Tools.Result unattached = Tools.qemuIo(agent.nbdUri("db"), List.of("read 0 4096"));
            assertNotEquals(0, unattached.exitCode(), unattached.output());
            assertTrue(agent.log().contains("refused export 'db': volume 'db' is attached to no host; attach it first:"
                    + " csctl volume attach db --host HOST --address 127.0.0.1"), agent.log());

            Volume attached = attach(agent, "db", AgentProcess.TEST_HOST, "127.0.0.1");
            assertEquals(List.of(Attachment.newBuilder().setHost(AgentProcess.TEST_HOST).addAddresses("127.0.0.1")
                    .build()), attached.getAttachmentsList());
            Tools.qemuIoOk(agent.nbdUri("db"), List.of("write -P 0x5a 0 1M", "read -P 0x5a 0 1M"));

            RawNbdClient.OptionReply other = RawNbdClient.refusalOfGo(OTHER_HOST, agent.nbdPort(), "db");
            assertNotNull(other, "a client at an address of no attached host was let in");
            assertEquals(RawNbdClient.REP_ERR_POLICY, other.type());
            assertEquals("volume 'db' is not attached to a host at 127.0.0.2; attach it first: csctl volume attach db"
                    + " --host HOST --address 127.0.0.2", other.text());

            attach(agent, "db", "node-2", OTHER_HOST);
            assertNull(RawNbdClient.refusalOfGo(OTHER_HOST, agent.nbdPort(), "db"));
            assertEquals(2, get(agent, "db").getAttachmentsCount());
        }
    }

    @Test
    void detachEndsTheHostsOpenConnectionsAndRefusesNewOnes() throws Exception {
        try (AgentProcess agent = tlsAgent("detach")) {
            create(agent, "db");
            attach(agent, "db", AgentProcess.TEST_HOST, "127.0.0.1");
            attach(agent, "db", "node-2", OTHER_HOST);
            try (RawNbdClient detached = RawNbdClient.negotiated(agent.nbdPort(), "db")) {
                detached.read(1, 0, 4096);
                Volume after = volumes(agent).detachVolume(DetachVolumeRequest.newBuilder().setName("db")
                        .setHost(AgentProcess.TEST_HOST).build());
                assertEquals(List.of("node-2"), after.getAttachmentsList().stream().map(Attachment::getHost).toList());
                assertThrows(IOException.class, () -> detached.read(2, 0, 4096),
                        "the detached host's connection goes on serving");
            }
            Tools.Result refused = Tools.qemuIo(agent.nbdUri("db"), List.of("read 0 4096"));
            assertNotEquals(0, refused.exitCode(), refused.output());
            assertNull(RawNbdClient.refusalOfGo(OTHER_HOST, agent.nbdPort(), "db"), "the other host lost access too");
            // detaching again is fine: the host is not attached, which is what was asked
            volumes(agent).detachVolume(DetachVolumeRequest.newBuilder().setName("db").setHost(AgentProcess.TEST_HOST)
                    .build());
        }
    }

    @Test
    void attachmentsSurviveKill9() throws Exception {
        try (AgentProcess agent = tlsAgent("restart")) {
            create(agent, "db");
            attach(agent, "db", AgentProcess.TEST_HOST, "127.0.0.1");
            Tools.qemuIoOk(agent.nbdUri("db"), List.of("write -P 0x11 0 64k"));
            agent.kill9();
            agent.launch();
            assertEquals(1, get(agent, "db").getAttachmentsCount());
            Tools.qemuIoOk(agent.nbdUri("db"), List.of("read -P 0x11 0 64k"));
            assertNotNull(RawNbdClient.refusalOfGo(OTHER_HOST, agent.nbdPort(), "db"));
        }
    }

    @Test
    void badAttachRequestsAreRefusedWithAHintAndChangeNothing() throws Exception {
        try (AgentProcess agent = tlsAgent("bad")) {
            create(agent, "db");
            attach(agent, "db", AgentProcess.TEST_HOST, "127.0.0.1");
            Volume before = get(agent, "db");
            ErrorDetail hostName = VolumeCopies.fails(Status.Code.INVALID_ARGUMENT, "INVALID_ATTACHMENT",
                    () -> attach(agent, "db", "node 1", "10.0.0.1"));
            assertTrue(hostName.getCorrection().contains("node name"), hostName.getCorrection());
            ErrorDetail dns = VolumeCopies.fails(Status.Code.INVALID_ARGUMENT, "INVALID_ATTACHMENT",
                    () -> attach(agent, "db", AgentProcess.TEST_HOST, "localhost"));
            assertTrue(dns.getCorrection().contains("IPv4 or IPv6 address"), dns.getCorrection());
            VolumeCopies.fails(Status.Code.INVALID_ARGUMENT, "INVALID_ATTACHMENT",
                    () -> attach(agent, "db", AgentProcess.TEST_HOST));
            VolumeCopies.fails(Status.Code.NOT_FOUND, "VOLUME_NOT_FOUND",
                    () -> attach(agent, "missing", AgentProcess.TEST_HOST, "127.0.0.1"));
            assertEquals(before.getAttachmentsList(), get(agent, "db").getAttachmentsList());
            Tools.qemuIoOk(agent.nbdUri("db"), List.of("read 0 4096"));
        }
    }

    @Test
    void anInsecureDevAgentServesEveryClientAndSaysSo() throws Exception {
        try (AgentProcess agent = AgentProcess.start(Files.createDirectories(dir.resolve("insecure")))) {
            create(agent, "open");
            Tools.qemuIoOk(agent.nbdUri("open"), List.of("write -P 1 0 4096", "read -P 1 0 4096"));
            assertNull(RawNbdClient.refusalOfGo(OTHER_HOST, agent.nbdPort(), "open"));
            assertTrue(agent.log().contains("every NBD client may open every volume, attached or not"), agent.log());
        }
    }
}
