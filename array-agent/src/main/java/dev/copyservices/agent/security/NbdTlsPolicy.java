package dev.copyservices.agent.security;

import dev.copyservices.agent.nbd.NbdTls;
import dev.copyservices.api.tls.CertificateIdentity;
import dev.copyservices.api.tls.ReloadingTls;
import dev.copyservices.api.tls.Role;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

/**
 * TLS on the NBD port with the agent's own identity: clients present a certificate of the CA, and
 * only the roles that move data may open volumes (the CSI node, an administrator's qemu-io or
 * nbdcopy). The operator and other agents never read volumes over NBD, so their certificates do not
 * open them either. Host mapping still applies on top: TLS says who, the attachment says from where.
 */
public final class NbdTlsPolicy {
    static final Set<Role> MAY_OPEN_EXPORTS = Set.of(Role.CSI, Role.CLI_ADMIN);

    /** Whether plaintext NBD is still served next to TLS. */
    public enum Mode {
        /** STARTTLS is offered; plaintext clients are served too (host mapping still applies). */
        OFFERED,
        /** Every client must start TLS before anything else. */
        REQUIRED;

        /** {@code offered} or {@code required}, as --nbd-tls takes them. */
        public static Mode parse(String value) {
            for (Mode mode : values()) {
                if (mode.name().equalsIgnoreCase(value)) {
                    return mode;
                }
            }
            throw new IllegalArgumentException("--nbd-tls '" + value + "' is unknown; give offered (TLS for clients"
                    + " that ask, the default) or required (every NBD client must use TLS)");
        }
    }

    private NbdTlsPolicy() {
    }

    public static NbdTls of(ReloadingTls tls, Mode mode) throws IOException {
        SSLContext context = tls.serverSslContext();
        return new NbdTls(() -> engine(context), mode == Mode.REQUIRED, certificate -> {
            CertificateIdentity client = CertificateIdentity.of(certificate);
            if (MAY_OPEN_EXPORTS.stream().anyMatch(client::hasRole)) {
                return Optional.empty();
            }
            return Optional.of("the certificate " + client.describe() + " may not open volumes over NBD; NBD clients"
                    + " present a certificate with O=" + Role.CSI.subjectName() + " (the CSI node) or O="
                    + Role.CLI_ADMIN.subjectName() + " (an administrator)");
        });
    }

    private static SSLEngine engine(SSLContext context) {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        engine.setNeedClientAuth(true);
        // TLS 1.2 only: with RSA certificates the GnuTLS clients NBD users have (qemu, libnbd's
        // nbdinfo, nbdcopy and nbdfuse, as in Debian 12) send no client certificate to this engine
        // under TLS 1.3 ("certificate_required"); ECDSA ones work. A client offered both picks 1.3,
        // so 1.3 stays off until the cause is known. 1.2 gives them ECDHE with AES-GCM.
        engine.setEnabledProtocols(new String[] {"TLSv1.2"});
        return engine;
    }
}
