package dev.copyservices.api.tls;

import io.grpc.ChannelCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import io.grpc.util.CertificateUtils;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Logger;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;

/**
 * A mutual-TLS identity loaded from {@link TlsFiles} and kept current: the files are looked at every
 * reload interval and re-read when they changed, so a rotated certificate (or CA) is used for new
 * connections without a restart. Connections already open keep the certificate they shook hands with.
 * A new certificate whose key does not match (a rotation caught half-written) is not taken; the
 * previous pair stays in use and the files are read again at the next look.
 *
 * <p>Peers are checked by certificate, not by host name: agents are reached at pod or node
 * addresses that certificates rarely name. A client accepts only a server certificate of the CA
 * that carries the array-agent role; servers check the client's role per call (see the agent).
 */
public final class ReloadingTls implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ReloadingTls.class.getName());

    private final TlsFiles files;
    private final ScheduledExecutorService reloader;
    private final AdvancedTlsX509KeyManager keys = new AdvancedTlsX509KeyManager();
    private final List<AdvancedTlsX509TrustManager> trusts = new CopyOnWriteArrayList<>();
    private volatile List<FileStamp> keyStamps;
    private volatile FileStamp caStamp;
    private volatile X509Certificate certificate;

    /** What tells a changed file: its modification time and size. */
    private record FileStamp(FileTime modified, long size) {
        static FileStamp of(Path file) throws IOException {
            return new FileStamp(Files.getLastModifiedTime(file), Files.size(file));
        }
    }

    ReloadingTls(TlsFiles files, Duration reloadInterval) throws IOException {
        this.files = files;
        try {
            loadIdentity();
            caStamp = FileStamp.of(files.authority());
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            throw new IOException("the TLS files cannot be used (" + e.getMessage() + "); check that --tls-cert is a"
                    + " PEM certificate and --tls-key its PKCS#8 PEM private key", e);
        }
        this.reloader = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "tls-reload");
            thread.setDaemon(true);
            return thread;
        });
        long millis = Math.max(1, reloadInterval.toMillis());
        reloader.scheduleWithFixedDelay(this::reloadChanged, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** Server side: the client must present a certificate of the CA; what it may do is the server's rule. */
    public ServerCredentials serverCredentials() throws IOException {
        return TlsServerCredentials.newBuilder().keyManager(keys).trustManager(trustManager(false))
                .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE).build();
    }

    /** Client side: presents this identity and accepts only an array agent's certificate of the CA. */
    public ChannelCredentials agentChannelCredentials() throws IOException {
        return TlsChannelCredentials.newBuilder().keyManager(keys).trustManager(trustManager(true)).build();
    }

    /**
     * Server side for protocols other than gRPC (NBD's STARTTLS): this identity, and client
     * certificates of the CA; the caller requires one on its engines and decides what it may do.
     */
    public SSLContext serverSslContext() throws IOException {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {keys}, new TrustManager[] {trustManager(false)}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("no TLS context for the agent's identity (" + e.getMessage() + ")", e);
        }
    }

    /** The certificate new connections are presented with. */
    public X509Certificate certificate() {
        return certificate;
    }

    public CertificateIdentity identity() {
        return CertificateIdentity.of(certificate);
    }

    public TlsFiles files() {
        return files;
    }

    private void loadIdentity() throws IOException, GeneralSecurityException {
        List<FileStamp> stamps = List.of(FileStamp.of(files.certificate()), FileStamp.of(files.key()));
        X509Certificate[] chain;
        try (InputStream in = Files.newInputStream(files.certificate())) {
            chain = CertificateUtils.getX509Certificates(in);
        }
        if (chain.length == 0) {
            throw new CertificateException(files.certificate() + " holds no certificate");
        }
        PrivateKey key;
        try (InputStream in = Files.newInputStream(files.key())) {
            key = CertificateUtils.getPrivateKey(in);
        }
        requireKeyOf(chain[0], key);
        keys.updateIdentityCredentials(chain, key);
        certificate = chain[0];
        keyStamps = stamps;
    }

    /** Signs with the key and verifies with the certificate: a cheap, algorithm-neutral match test. */
    private void requireKeyOf(X509Certificate leaf, PrivateKey key) throws GeneralSecurityException {
        String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256with" + key.getAlgorithm();
        byte[] probe = "copyservices key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(probe);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(leaf.getPublicKey());
        verifier.update(probe);
        if (!verifier.verify(signature)) {
            throw new CertificateException(files.key() + " is not the private key of " + files.certificate());
        }
    }

    private void reloadChanged() {
        try {
            if (!List.of(FileStamp.of(files.certificate()), FileStamp.of(files.key())).equals(keyStamps)) {
                loadIdentity();
                LOG.info("TLS certificate reloaded from " + files.certificate() + ": " + identity().describe()
                        + ", valid until " + certificate.getNotAfter().toInstant());
            }
            FileStamp ca = FileStamp.of(files.authority());
            if (!ca.equals(caStamp)) {
                for (AdvancedTlsX509TrustManager trust : trusts) {
                    trust.updateTrustCredentials(files.authority().toFile());
                }
                caStamp = ca;
                LOG.info("TLS CA reloaded from " + files.authority());
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            LOG.warning("TLS files changed but cannot be used yet (" + e.getMessage() + "); keeping the previous ones"
                    + " and looking again");
        }
    }

    private AdvancedTlsX509TrustManager trustManager(boolean serverMustBeAgent) throws IOException {
        try {
            AdvancedTlsX509TrustManager.Builder builder = AdvancedTlsX509TrustManager.newBuilder()
                    .setVerification(AdvancedTlsX509TrustManager.Verification.CERTIFICATE_ONLY_VERIFICATION);
            if (serverMustBeAgent) {
                builder.setSslSocketAndEnginePeerVerifier(new AgentServerCheck());
            }
            AdvancedTlsX509TrustManager trust = builder.build();
            trust.updateTrustCredentials(files.authority().toFile());
            trusts.add(trust);
            return trust;
        } catch (GeneralSecurityException e) {
            throw new IOException("the CA file " + files.authority() + " cannot be used (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public void close() {
        reloader.shutdownNow();
    }
    /** Refuses, during the handshake, a server whose certificate (of the CA) is not an array agent's. */
    private static final class AgentServerCheck implements AdvancedTlsX509TrustManager.SslSocketAndEnginePeerVerifier {
        @Override
        public void verifyPeerCertificate(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            check(chain);
        }

        @Override
        public void verifyPeerCertificate(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            check(chain);
        }

        private static void check(X509Certificate[] chain) throws CertificateException {
            CertificateIdentity server = CertificateIdentity.of(chain[0]);
            if (!server.hasRole(Role.ARRAY_AGENT)) {
                throw new CertificateException("the server's certificate (" + server.describe() + ") is not an array"
                        + " agent's; agents' certificates carry O=" + Role.ARRAY_AGENT.subjectName());
            }
        }
    }
}
