package dev.copyservices.api.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.kubetest.TestPki;
import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReloadingTlsTest {
    private TestPki pki;

    @BeforeAll
    void createPki(@TempDir Path dir) throws Exception {
        pki = TestPki.create(dir.resolve("pki"), "site-a");
    }

    @Test
    void clientAcceptsAnAgentCertificateOfTheCaWhateverHostNameItWasReachedBy() throws Exception {
        try (ReloadingTls agent = load(pki.agent("site-a"), Duration.ofMinutes(1));
                ReloadingTls csi = load(pki.identity("csi", "node-1"), Duration.ofMinutes(1))) {
            Server server = serve(agent);
            try {
                assertEquals(HealthCheckResponse.ServingStatus.SERVING,
                        check(server.getPort(), csi.agentChannelCredentials(), "not-in-the-certificate.example"));
            } finally {
                server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void clientRefusesAServerWhoseCertificateIsNotAnAgents() throws Exception {
        try (ReloadingTls impostor = load(pki.identity("operator", "impostor"), Duration.ofMinutes(1));
                ReloadingTls csi = load(pki.identity("csi", "node-1"), Duration.ofMinutes(1))) {
            Server server = serve(impostor);
            try {
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                        () -> check(server.getPort(), csi.agentChannelCredentials(), null));
                assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
            } finally {
                server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void serverRefusesAClientWithoutACertificateOfTheCa() throws Exception {
        try (ReloadingTls agent = load(pki.agent("site-a"), Duration.ofMinutes(1))) {
            Server server = serve(agent);
            try {
                ChannelCredentials rogue = TlsChannelCredentials.newBuilder()
                        .keyManager(pki.rogue().cert().toFile(), pki.rogue().key().toFile())
                        .trustManager(new RecordingTrust(new AtomicReference<>())).build();
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                        () -> check(server.getPort(), rogue, null));
                assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
            } finally {
                server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aRenewedCertificateIsPresentedToNewConnectionsWithoutARestart() throws Exception {
        TestPki.Identity identity = pki.identity("array-agent", "rotating");
        try (ReloadingTls agent = load(identity, Duration.ofMillis(100));
                ReloadingTls cli = load(pki.identity("cli-admin", "admin"), Duration.ofMinutes(1))) {
            Server server = serve(agent);
            try {
                X509Certificate before = presented(server.getPort(), cli);
                TestPki.Identity renewed = pki.renew(identity, 30);
                assertEquals(identity.cert(), renewed.cert(), "renewed in place");
                BigInteger expected = read(renewed.cert()).getSerialNumber();
                assertTrue(!expected.equals(before.getSerialNumber()), "the file holds the new certificate");
                Instant deadline = Instant.now().plusSeconds(20);
                X509Certificate now = presented(server.getPort(), cli);
                while (!now.getSerialNumber().equals(expected) && Instant.now().isBefore(deadline)) {
                    now = presented(server.getPort(), cli);
                }
                assertEquals(expected, now.getSerialNumber(), "the server still presents the old certificate");
                assertEquals("rotating", agent.identity().name());
                assertEquals(expected, agent.certificate().getSerialNumber());
            } finally {
                server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void unusableFilesStopLoadingWithTheFileNamed(@TempDir Path dir) throws Exception {
        Path notACertificate = Files.writeString(dir.resolve("cert.pem"), "hello");
        TestPki.Identity a = pki.agent("site-a");
        java.io.IOException e = assertThrows(java.io.IOException.class,
                () -> new TlsFiles(notACertificate, a.key(), pki.caCert()).load(Duration.ofMinutes(1)));
        assertTrue(e.getMessage().contains("--tls-cert"), e.getMessage());
    }

    private static X509Certificate read(Path pem) throws Exception {
        try (java.io.InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsRefused() throws Exception {
        TestPki.Identity a = pki.agent("site-a");
        TestPki.Identity other = pki.identity("csi", "mismatch");
        java.io.IOException e = assertThrows(java.io.IOException.class,
                () -> new TlsFiles(a.cert(), other.key(), pki.caCert()).load(Duration.ofMinutes(1)));
        assertTrue(e.getMessage().contains("is not the private key of"), e.getMessage());
    }

    private static ReloadingTls load(TestPki.Identity identity, Duration interval) throws Exception {
        return new TlsFiles(identity.cert(), identity.key(), identity.cert().resolveSibling(TestPki.CA_NAME + ".pem"))
                .load(interval);
    }

    private static Server serve(ReloadingTls tls) throws Exception {
        return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0), tls.serverCredentials())
                .addService(new HealthStatusManager().getHealthService()).build().start();
    }

    /** The certificate the server presents to a new connection (the client records it and trusts it). */
    private static X509Certificate presented(int port, ReloadingTls client) throws Exception {
        AtomicReference<X509Certificate> seen = new AtomicReference<>();
        ChannelCredentials credentials = TlsChannelCredentials.newBuilder()
                .keyManager(client.files().certificate().toFile(), client.files().key().toFile())
                .trustManager(new RecordingTrust(seen)).build();
        check(port, credentials, null);
        return seen.get();
    }

    private static HealthCheckResponse.ServingStatus check(int port, ChannelCredentials credentials, String authority)
            throws InterruptedException {
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress("127.0.0.1", port, credentials);
        if (authority != null) {
            builder.overrideAuthority(authority + ":" + port);
        }
        ManagedChannel channel = builder.build();
        try {
            return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance()).getStatus();
        } finally {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** Trusts any server and remembers its certificate: the test looks at what was presented, not at trust. */
    private record RecordingTrust(AtomicReference<X509Certificate> seen) implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            seen.set(chain[0]);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
