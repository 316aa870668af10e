package dev.copyservices.agent.nbd;

import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;

/**
 * TLS on the NBD port (NBD_OPT_STARTTLS): how to make a server engine that requires a client
 * certificate, whether plaintext negotiation is refused, and which certificates may open exports.
 *
 * @param engines a new server-mode engine per connection, requiring a client certificate
 * @param required when true, every option but STARTTLS and ABORT is answered NBD_REP_ERR_TLS_REQD
 *     until TLS is up
 * @param refusalOf why a client with this certificate may not open exports, or empty if it may
 */
public record NbdTls(Supplier<SSLEngine> engines, boolean required,
        Function<X509Certificate, Optional<String>> refusalOf) {
    public NbdTls {
        Objects.requireNonNull(engines, "engines");
        Objects.requireNonNull(refusalOf, "refusalOf");
    }
}
