package dev.copyservices.agent.grpc;

import dev.copyservices.api.tls.CertificateIdentity;
import io.grpc.Grpc;
import io.grpc.ServerCall;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/** The identity in the client certificate of a call's TLS connection; empty on a plaintext one. */
final class CallerIdentity {
    private CallerIdentity() {
    }

    static Optional<CertificateIdentity> of(ServerCall<?, ?> call) {
        SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        if (session == null) {
            return Optional.empty();
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate leaf
                    ? Optional.of(CertificateIdentity.of(leaf)) : Optional.empty();
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty(); // the server requires client certificates, so the handshake did not end here
        }
    }
}
