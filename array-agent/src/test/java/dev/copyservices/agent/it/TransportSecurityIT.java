package dev.copyservices.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.api.agent.v1.Array;
import dev.copyservices.api.agent.v1.ArrayServiceGrpc;
import dev.copyservices.api.agent.v1.ErrorDetail;
import dev.copyservices.api.agent.v1.EventServiceGrpc;
import dev.copyservices.api.agent.v1.GetArrayRequest;
import dev.copyservices.api.agent.v1.GetMirroringRequest;
import dev.copyservices.api.agent.v1.ListVolumesRequest;
import dev.copyservices.api.agent.v1.MirrorServiceGrpc;
import dev.copyservices.api.agent.v1.PeerHello;
import dev.copyservices.api.agent.v1.ReplicationServiceGrpc;
import dev.copyservices.api.agent.v1.VolumeServiceGrpc;
import dev.copyservices.api.agent.v1.WatchEventsRequest;
import dev.copyservices.api.tls.ReloadingTls;
import dev.copyservices.api.tls.TlsFiles;
import dev.copyservices.kubetest.TestPki;
import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's ports with mutual TLS: it starts only with certificates or --insecure-dev, each role
 * may call only its services, the replication port takes only the configured peer site, and a
 * certificate is rotated without a restart and reported before it expires. Real agent processes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TransportSecurityIT {
    private TestPki pki;
    private Path dir;

    @BeforeAll
    void createPki(@TempDir Path dir) throws Exception {
        this.dir = dir;
        pki = TestPki.create(dir.resolve("pki"), "site-a", "site-b", "site-c");
    }

    @Test
    void agentRefusesToStartWithoutCertificatesUnlessInsecureDevAndCreatesNothing() throws Exception {
        Path pool = dir.resolve("never-created");
        Path log = dir.resolve("no-tls.log");
        Process agent = AgentProcess.launchRaw(log, "--pool-dir", pool.toString(), "--listen", "127.0.0.1:0",
                "--nbd-listen", "127.0.0.1:0");
        assertTrue(agent.waitFor(60, TimeUnit.SECONDS));
        assertNotEquals(0, agent.exitValue());
        String output = Files.readString(log);
        assertTrue(output.contains("give --tls-cert, --tls-key and --tls-ca") && output.contains("--insecure-dev"),
                output);
        assertFalse(Files.exists(pool), "a refused start created the pool");

        Process badInterval = AgentProcess.launchRaw(dir.resolve("bad-interval.log"), "--pool-dir", pool.toString(),
                "--listen", "127.0.0.1:0", "--nbd-listen", "127.0.0.1:0", "--insecure-dev", "--tls-reload-interval",
                "5min");
        assertTrue(badInterval.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, badInterval.exitValue(), "a mistyped interval was ignored in --insecure-dev");
        String interval = Files.readString(dir.resolve("bad-interval.log"));
        assertTrue(interval.contains("--tls-reload-interval '5min' is not a duration"), interval);
        assertFalse(Files.exists(pool), "a refused start created the pool");

        TestPki.Identity csi = pki.identity("csi", "node-1");
        Process wrongRole = AgentProcess.launchRaw(dir.resolve("wrong-role.log"), "--pool-dir", pool.toString(),
                "--listen", "127.0.0.1:0", "--nbd-listen", "127.0.0.1:0", "--tls-cert", csi.cert().toString(),
                "--tls-key", csi.key().toString(), "--tls-ca", pki.caCert().toString());
        assertTrue(wrongRole.waitFor(60, TimeUnit.SECONDS));
        assertNotEquals(0, wrongRole.exitValue());
        String wrong = Files.readString(dir.resolve("wrong-role.log"));
        assertTrue(wrong.contains("is not an array agent's certificate") && wrong.contains("O=array-agent"), wrong);
        assertFalse(Files.exists(pool), "a refused start created the pool");
    }

    @Test
    void insecureDevSaysSoInTheLogAndInTheArray() throws Exception {
        try (AgentProcess agent = AgentProcess.start(Files.createDirectories(dir.resolve("insecure")))) {
            assertTrue(agent.log().contains("INSECURE: started with --insecure-dev"), agent.log());
            Array array = ArrayServiceGrpc.newBlockingStub(agent.channel()).getArray(GetArrayRequest.getDefaultInstance());
            assertEquals("insecure-dev", array.getSecurity().getMode());
            assertEquals("", array.getSecurity().getIdentity());
        }
    }

    @Test
    void eachRoleMayCallOnlyItsServicesAndStrangersAreRefused() throws Exception {
        try (AgentProcess agent = tlsAgent("roles", "site-a", List.of())) {
            int port = agent.controlPort();
            for (String role : new String[] {"cli-admin", "operator"}) {
                try (Client client = client(pki.identity(role, "someone"), port)) {
                    client.volumes().listVolumes(ListVolumesRequest.getDefaultInstance());
                    client.mirrors().getMirroring(GetMirroringRequest.getDefaultInstance());
                }
            }
            try (Client csi = client(pki.identity("csi", "node-1"), port)) {
                csi.volumes().listVolumes(ListVolumesRequest.getDefaultInstance());
                ErrorDetail mirrors = VolumeCopies.fails(Status.Code.PERMISSION_DENIED, "PERMISSION_DENIED",
                        () -> csi.mirrors().getMirroring(GetMirroringRequest.getDefaultInstance()));
                assertTrue(mirrors.getMessage().contains("csi (O=csi, CN=node-1) may not call"
                        + " copyservices.agent.v1.MirrorService"), mirrors.toString());
                VolumeCopies.fails(Status.Code.PERMISSION_DENIED, "PERMISSION_DENIED", () -> EventServiceGrpc
                        .newBlockingStub(csi.channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                        .watchEvents(WatchEventsRequest.getDefaultInstance()).hasNext());
            }
            try (Client peer = client(pki.agent("site-b"), port)) {
                ErrorDetail refused = VolumeCopies.fails(Status.Code.PERMISSION_DENIED, "PERMISSION_DENIED",
                        () -> peer.volumes().listVolumes(ListVolumesRequest.getDefaultInstance()));
                assertTrue(refused.getMessage().contains("replication port, not the control port"), refused.toString());
            }
            try (Client stranger = client(pki.identity("accounting", "bob"), port)) {
                ErrorDetail refused = VolumeCopies.fails(Status.Code.PERMISSION_DENIED, "PERMISSION_DENIED",
                        () -> stranger.volumes().listVolumes(ListVolumesRequest.getDefaultInstance()));
                assertTrue(refused.getMessage().contains("names no copyservices role"), refused.toString());
                assertTrue(refused.getCorrection().contains("cli-admin"), refused.toString());
            }
            // no TLS session at all: a certificate of another CA, none, or plaintext
            assertUnavailable(port, TlsChannelCredentials.newBuilder()
                    .keyManager(pki.rogue().cert().toFile(), pki.rogue().key().toFile())
                    .trustManager(pki.caCert().toFile()).build());
            assertUnavailable(port, TlsChannelCredentials.newBuilder().trustManager(pki.caCert().toFile()).build());
            ManagedChannel plaintext = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
            try {
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> VolumeServiceGrpc
                        .newBlockingStub(plaintext).withDeadlineAfter(30, TimeUnit.SECONDS)
                        .listVolumes(ListVolumesRequest.getDefaultInstance()));
                assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
            } finally {
                plaintext.shutdownNow();
            }
            String log = agent.log();
            assertTrue(log.contains("refused on the control port"), log);
            assertTrue(log.contains("[O=csi, CN=node-1]"), "the call log names the caller:\n" + log);
            assertNoKeyMaterial(log, pki.agent("site-a"), pki.identity("csi", "node-1"));
        }
    }

    @Test
    void replicationPortAcceptsOnlyArrayAgentsOfTheConfiguredPeerSite() throws Exception {
        int replication = AgentProcess.freePort();
        try (AgentProcess agent = tlsAgent("peers", "site-a", List.of("--replication-listen", "127.0.0.1:"
                + replication, "--peer-site", "site-b"))) {
            Array array = ArrayServiceGrpc.newBlockingStub(agent.channel()).getArray(GetArrayRequest.getDefaultInstance());
            assertEquals(List.of("site-b"), array.getSecurity().getPeerSitesList());
            try (Client b = client(pki.agent("site-b"), replication)) {
                PeerHello hello = ReplicationServiceGrpc.newBlockingStub(b.channel).withDeadlineAfter(30,
                        TimeUnit.SECONDS).hello(PeerHello.newBuilder().setSite("site-b").build());
                assertEquals("site-a", hello.getSite());
            }
            try (Client c = client(pki.agent("site-c"), replication)) {
                ErrorDetail refused = VolumeCopies.fails(Status.Code.PERMISSION_DENIED, "PERMISSION_DENIED",
                        () -> ReplicationServiceGrpc.newBlockingStub(c.channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                                .hello(PeerHello.newBuilder().setSite("site-c").build()));
                assertTrue(refused.getMessage().contains("site 'site-c' is not a peer"), refused.toString());
                assertTrue(refused.getCorrection().contains("--peer-site site-c"), refused.toString());
            }
            try (Client admin = client(pki.identity("cli-admin", "someone"), replication)) {
                ErrorDetail refused = VolumeCopies.fails(Status.Code.PERMISSION_DENIED, "PERMISSION_DENIED",
                        () -> ReplicationServiceGrpc.newBlockingStub(admin.channel).withDeadlineAfter(30,
                                TimeUnit.SECONDS).hello(PeerHello.getDefaultInstance()));
                assertTrue(refused.getMessage().contains("only array agents may use the replication port"),
                        refused.toString());
            }
        }
    }

    @Test
    void aRenewedCertificateIsTakenWithoutARestartAndExpiryIsReportedAhead() throws Exception {
        TestPki rotating = TestPki.create(dir.resolve("rotating-pki"), 10, "site-a");
        TestPki.Identity own = rotating.agent("site-a");
        List<String> args = new ArrayList<>(rotating.agentArgs(own));
        args.addAll(List.of("--tls-reload-interval", "200ms"));
        try (AgentProcess agent = AgentProcess.start(Files.createDirectories(dir.resolve("rotating")), "rotating",
                "site-a", args, rotating.identity("cli-admin", "someone"), rotating.caCert())) {
            Array before = array(agent);
            assertEquals("mutual-tls", before.getSecurity().getMode());
            assertEquals("O=array-agent, CN=site-a", before.getSecurity().getIdentity());
            long daysLeft = Duration.between(Instant.now(),
                    Instant.ofEpochSecond(before.getSecurity().getCertificateNotAfter().getSeconds())).toDays();
            assertTrue(daysLeft >= 9 && daysLeft <= 10, "not after in " + daysLeft + " days");
            assertTrue(before.getNeedsAttentionList().stream().anyMatch(line -> line.contains("TLS certificate")
                    && line.contains("expires") && line.contains("renew")), before.getNeedsAttentionList().toString());
            assertTrue(agent.log().contains("WARNING") && agent.log().contains("expires at"), agent.log());

            rotating.renew(own, 365);
            Instant deadline = Instant.now().plusSeconds(30);
            Array after = array(agent);
            while (after.getSecurity().getCertificateNotAfter().equals(before.getSecurity().getCertificateNotAfter())
                    && Instant.now().isBefore(deadline)) {
                after = array(agent); // each call is a fresh look; the reload runs every 200 ms
            }
            assertNotEquals(before.getSecurity().getCertificateNotAfter(), after.getSecurity().getCertificateNotAfter(),
                    "the renewed certificate was not taken:\n" + agent.log());
            assertTrue(after.getNeedsAttentionList().stream().noneMatch(line -> line.contains("TLS certificate")),
                    after.getNeedsAttentionList().toString());
            // the agent logs the reload just after it takes the certificate, so the line may trail GetArray
            while (!agent.log().contains("TLS certificate reloaded") && Instant.now().isBefore(deadline)) {
                Thread.sleep(20); // poll interval only; the loop's exit is the log line
            }
            assertTrue(agent.log().contains("TLS certificate reloaded"), agent.log());
            // a new connection shakes hands with the renewed certificate and is served
            try (Client fresh = client(rotating.identity("operator", "op"), agent.controlPort(), rotating.caCert())) {
                fresh.volumes().listVolumes(ListVolumesRequest.getDefaultInstance());
            }
        }
    }

    private static Array array(AgentProcess agent) {
        return ArrayServiceGrpc.newBlockingStub(agent.channel()).withDeadlineAfter(30, TimeUnit.SECONDS)
                .getArray(GetArrayRequest.getDefaultInstance());
    }

    private AgentProcess tlsAgent(String poolName, String site, List<String> extra) throws Exception {
        return AgentProcess.startTls(pki, dir.resolve(poolName), poolName, site, extra);
    }

    /** The agent's log holds no line of any private key's PEM body. */
    private static void assertNoKeyMaterial(String log, TestPki.Identity... identities) throws Exception {
        assertFalse(log.contains("PRIVATE KEY"), "the log mentions a private key");
        for (TestPki.Identity identity : identities) {
            for (String line : Files.readAllLines(identity.key())) {
                if (!line.startsWith("-----") && line.length() > 16) {
                    assertFalse(log.contains(line), "the log holds a line of " + identity.key());
                }
            }
        }
    }

    private static void assertUnavailable(int port, ChannelCredentials credentials) {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port, credentials).build();
        try {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> VolumeServiceGrpc
                    .newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .listVolumes(ListVolumesRequest.getDefaultInstance()));
            assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
        } finally {
            channel.shutdownNow();
        }
    }

    private Client client(TestPki.Identity identity, int port) throws Exception {
        return client(identity, port, pki.caCert());
    }

    private static Client client(TestPki.Identity identity, int port, Path ca) throws Exception {
        ReloadingTls tls = new TlsFiles(identity.cert(), identity.key(), ca).load(Duration.ofMinutes(10));
        return new Client(tls, NettyChannelBuilder.forAddress("127.0.0.1", port, tls.agentChannelCredentials()).build());
    }

    private record Client(ReloadingTls tls, ManagedChannel channel) implements AutoCloseable {
        VolumeServiceGrpc.VolumeServiceBlockingStub volumes() {
            return VolumeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
        }

        MirrorServiceGrpc.MirrorServiceBlockingStub mirrors() {
            return MirrorServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            channel.shutdownNow();
            tls.close();
        }
    }
}
