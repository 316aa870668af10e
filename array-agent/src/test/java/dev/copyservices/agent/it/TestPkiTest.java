package dev.copyservices.agent.it;

import dev.copyservices.kubetest.TestPki;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The test PKI makes what the replication link needs: openssl accepts each agent's certificate against
 * the CA for 127.0.0.1 and localhost and refuses the rogue one, and a gRPC server and client with
 * mutual TLS (the same grpc-java TLS the agent uses) connect with two agent identities and refuse a
 * rogue client, a client that trusts another CA, and a host name the certificate does not name.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestPkiTest {
    private TestPki pki;

    @BeforeAll
    void createPki(@TempDir Path dir) throws Exception {
        pki = TestPki.create(dir.resolve("pki"), "site-a", "site-b");
    }

    @Test
    void agentCertificatesVerifyAgainstTheCaForBothNamesAndTheRogueOneDoesNot() throws Exception {
        for (String name : new String[] {"site-a", "site-b"}) {
            Path cert = pki.agent(name).cert();
            TestPki.openssl("verify", "-CAfile", pki.caCert().toString(), "-verify_ip", "127.0.0.1", cert.toString());
            TestPki.openssl("verify", "-CAfile", pki.caCert().toString(), "-verify_hostname", "localhost",
                    cert.toString());
            String text = TestPki.openssl("x509", "-in", cert.toString(), "-noout", "-text");
            assertTrue(text.contains("IP Address:127.0.0.1") && text.contains("DNS:localhost"), text);
        }
        Tools.Result rogue = Tools.run("openssl", "verify", "-CAfile", pki.caCert().toString(),
                pki.rogue().cert().toString());
        assertNotEquals(0, rogue.exitCode(), "the CA accepted the rogue certificate:\n" + rogue.output());
        TestPki.openssl("verify", "-CAfile", pki.rogueCaCert().toString(), pki.rogue().cert().toString());
        Tools.Result wrongName = Tools.run("openssl", "verify", "-CAfile", pki.caCert().toString(), "-verify_hostname",
                "other.example", pki.agent("site-a").cert().toString());
        assertNotEquals(0, wrongName.exitCode(), "a name the certificate lacks verified:\n" + wrongName.output());
    }

    @Test
    void keysArePkcs8PemAndBelongToTheirCertificates() throws Exception {
        for (TestPki.Identity identity : new TestPki.Identity[] {pki.agent("site-a"), pki.agent("site-b"),
                pki.rogue()}) {
            assertTrue(Files.readString(identity.key()).startsWith("-----BEGIN PRIVATE KEY-----"),
                    identity.key() + " is not PKCS#8 PEM");
            String fromCert = TestPki.openssl("x509", "-in", identity.cert().toString(), "-noout", "-pubkey");
            String fromKey = TestPki.openssl("pkey", "-in", identity.key().toString(), "-pubout");
            assertEquals(fromKey, fromCert, identity.name() + ": key and certificate do not match");
        }
        assertNotEquals(Files.readString(pki.agent("site-a").key()), Files.readString(pki.agent("site-b").key()));
    }

    @Test
    void mutualTlsConnectsAgentsAndRefusesStrangers() throws Exception {
        TestPki.Identity a = pki.agent("site-a");
        TestPki.Identity b = pki.agent("site-b");
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0),
                TlsServerCredentials.newBuilder().keyManager(b.cert().toFile(), b.key().toFile())
                        .trustManager(pki.caCert().toFile()).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE).build())
                .addService(new HealthStatusManager().getHealthService()).build().start();
        try {
            int port = server.getPort();
            assertServing(port, client(a, pki.caCert()), null);
            assertServing(port, client(a, pki.caCert()), "localhost");
            assertRefused(port, client(pki.rogue(), pki.caCert()), null, "a client with the rogue certificate");
            assertRefused(port, client(a, pki.rogueCaCert()), null, "a client trusting only the rogue CA");
            assertRefused(port, TlsChannelCredentials.newBuilder().trustManager(pki.caCert().toFile()).build(), null,
                    "a client without a certificate");
            assertRefused(port, client(a, pki.caCert()), "other.example", "a host name the certificate lacks");
        } finally {
            server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    private static ChannelCredentials client(TestPki.Identity identity, Path trusted) throws Exception {
        return TlsChannelCredentials.newBuilder().keyManager(identity.cert().toFile(), identity.key().toFile())
                .trustManager(trusted.toFile()).build();
    }

    private static HealthCheckResponse check(int port, ChannelCredentials credentials, String authority)
            throws InterruptedException {
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress("127.0.0.1", port, credentials);
        if (authority != null) {
            builder.overrideAuthority(authority + ":" + port);
        }
        ManagedChannel channel = builder.build();
        try {
            return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance());
        } finally {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    private static void assertServing(int port, ChannelCredentials credentials, String authority)
            throws InterruptedException {
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, check(port, credentials, authority).getStatus());
    }

    private static void assertRefused(int port, ChannelCredentials credentials, String authority, String who) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> check(port, credentials,
                authority), who + " was served");
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), who + ": " + e);
    }
}
