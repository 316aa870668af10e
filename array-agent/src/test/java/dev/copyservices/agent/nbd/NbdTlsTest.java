package dev.copyservices.agent.nbd;

import static dev.copyservices.agent.nbd.NbdProtocol.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.security.NbdTlsPolicy;
import dev.copyservices.api.tls.ReloadingTls;
import dev.copyservices.api.tls.TlsFiles;
import dev.copyservices.kubetest.TestPki;
import io.grpc.util.CertificateUtils;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * NBD_OPT_STARTTLS on the wire with the JDK's TLS client: the negotiation goes on encrypted, large
 * pipelined requests (replies sent by several server threads while the reader decrypts the next
 * request) come back byte for byte, and the option's misuse is answered as the protocol says.
 */
class NbdTlsTest extends NbdServerTestBase {
    private static final int CHUNK = 4 << 20;

    private static TestPki pki;
    private static ReloadingTls agentTls;

    @BeforeAll
    static void createPki(@TempDir Path pkiDir) throws Exception {
        pki = TestPki.create(pkiDir, "site-a");
        TestPki.Identity agent = pki.agent("site-a");
        agentTls = new TlsFiles(agent.cert(), agent.key(), pki.caCert()).load(Duration.ofMinutes(10));
    }

    @AfterAll
    static void closeTls() {
        agentTls.close();
    }

    private int startTls(NbdTlsPolicy.Mode mode) throws Exception {
        volume("vol", SIZE, false);
        return start(NbdServer.Options.defaults(), NbdTlsPolicy.of(agentTls, mode));
    }

    @Test
    void pipelinedLargeRequestsThroughTlsComeBackByteForByte() throws Exception {
        int port = startTls(NbdTlsPolicy.Mode.OFFERED);
        try (RawNbdClient c = new RawNbdClient(port)) {
            c.greet(FLAG_C_FIXED_NEWSTYLE | FLAG_C_NO_ZEROES);
            assertEquals(REP_ACK, c.startTls(client("cli-admin")).type());
            assertEquals(SIZE, c.go("vol").size());
            byte[] first = pattern(CHUNK, 1);
            byte[] second = pattern(CHUNK, 2);
            // both writes and a read of each are on the wire before the first reply is read
            c.write(0, 1, 0, first);
            c.write(0, 2, CHUNK, second);
            c.request(0, CMD_FLUSH, 3, 0, 0);
            Map<Long, RawNbdClient.Reply> replies = new HashMap<>();
            for (int i = 0; i < 3; i++) {
                RawNbdClient.Reply r = c.readReply(0);
                assertEquals(0, r.error(), "request " + r.cookie());
                replies.put(r.cookie(), r);
            }
            assertEquals(3, replies.size());
            assertArrayEquals(first, c.read(4, 0, CHUNK));
            assertArrayEquals(second, c.read(5, CHUNK, CHUNK));
            c.disconnect();
        }
        byte[] file = fileBytes("vol");
        assertArrayEquals(pattern(CHUNK, 1), java.util.Arrays.copyOfRange(file, 0, CHUNK));
        assertArrayEquals(pattern(CHUNK, 2), java.util.Arrays.copyOfRange(file, CHUNK, 2 * CHUNK));
    }

    @Test
    void startTlsWithDataOrAfterTlsIsInvalidAndWithoutTlsUnsupported() throws Exception {
        int port = startTls(NbdTlsPolicy.Mode.OFFERED);
        try (RawNbdClient c = new RawNbdClient(port)) {
            c.greet(FLAG_C_FIXED_NEWSTYLE | FLAG_C_NO_ZEROES);
            c.option(OPT_STARTTLS, new byte[] {1});
            assertEquals(REP_ERR_INVALID, c.readOptionReply().type());
            assertEquals(REP_ACK, c.startTls(client("csi")).type());
            RawNbdClient.OptionReply again = c.startTls(client("csi"));
            assertEquals(REP_ERR_INVALID, again.type());
            assertEquals("TLS is already started", again.text());
            c.go("vol");
            c.read(1, 0, 4096);
        }
    }

    @Test
    void requiredTlsAnswersTlsReqdUntilTlsAndACertificateOfAnotherRoleIsRefusedByPolicy() throws Exception {
        int port = startTls(NbdTlsPolicy.Mode.REQUIRED);
        try (RawNbdClient c = new RawNbdClient(port)) {
            c.greet(FLAG_C_FIXED_NEWSTYLE | FLAG_C_NO_ZEROES);
            for (int option : new int[] {OPT_LIST, OPT_INFO, OPT_GO, OPT_STRUCTURED_REPLY}) {
                c.option(option, option == OPT_LIST || option == OPT_STRUCTURED_REPLY ? new byte[0]
                        : RawNbdClient.infoRequest("vol"));
                RawNbdClient.OptionReply r = c.readOptionReply();
                assertEquals(REP_ERR_TLS_REQD, r.type(), "option " + option);
                assertTrue(r.text().contains("serves NBD over TLS only"), r.text());
            }
            assertEquals(REP_ACK, c.startTls(client("operator")).type());
            c.option(OPT_GO, RawNbdClient.infoRequest("vol"));
            RawNbdClient.OptionReply refused = c.readOptionReply();
            assertEquals(REP_ERR_POLICY, refused.type());
            assertTrue(refused.text().contains("may not open volumes over NBD"), refused.text());
            c.option(OPT_LIST, new byte[0]);
            assertEquals(REP_ERR_POLICY, c.readOptionReply().type(), "the list would name the volumes");
        }
        try (RawNbdClient c = new RawNbdClient(port)) {
            c.greet(FLAG_C_FIXED_NEWSTYLE | FLAG_C_NO_ZEROES);
            assertEquals(REP_ACK, c.startTls(client("cli-admin")).type());
            c.go("vol");
            c.read(1, 0, 4096);
        }
    }

    /** A JDK TLS client context with the identity O={@code role} of the test CA, trusting that CA. */
    private static SSLContext client(String role) throws Exception {
        TestPki.Identity identity = pki.identity(role, "tester");
        X509Certificate[] chain;
        PrivateKey key;
        try (InputStream in = Files.newInputStream(identity.cert())) {
            chain = CertificateUtils.getX509Certificates(in);
        }
        try (InputStream in = Files.newInputStream(identity.key())) {
            key = CertificateUtils.getPrivateKey(in);
        }
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("client", key, new char[0], chain);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(pki.caCert())) {
            trust.setCertificateEntry("ca", CertificateUtils.getX509Certificates(in)[0]);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }
}
