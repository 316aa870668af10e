package dev.copyservices.agent.security;

import dev.copyservices.agent.nbd.NbdTls;
import dev.copyservices.api.tls.ReloadingTls;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * How the agent's gRPC ports are protected: mutual TLS with the agent's certificate (kept current
 * from its files) and the access policy, or, with --insecure-dev, neither.
 */
public final class TransportSecurity implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TransportSecurity.class.getName());
    private final ReloadingTls tls;
    private final AccessPolicy policy;
    private final Duration expiryWarning;
    private final NbdTlsPolicy.Mode nbdTls;
    private final ScheduledExecutorService expiryWatch = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "tls-expiry-watch");
        thread.setDaemon(true);
        return thread;
    });

    private TransportSecurity(ReloadingTls tls, AccessPolicy policy, Duration expiryWarning, NbdTlsPolicy.Mode nbdTls) {
        this.tls = tls;
        this.policy = policy;
        this.expiryWarning = expiryWarning;
        this.nbdTls = nbdTls;
    }

    public static TransportSecurity mutualTls(ReloadingTls tls, Set<String> peerSites, Duration expiryWarning,
            NbdTlsPolicy.Mode nbdTls) {
        return new TransportSecurity(tls, new AccessPolicy(peerSites), expiryWarning, nbdTls);
    }

    /** --insecure-dev: plaintext and no authorization; the replication link (which needs certificates) is off. */
    public static TransportSecurity insecureDev() {
        return new TransportSecurity(null, new AccessPolicy(Set.of()), Duration.ZERO, null);
    }

    public boolean insecure() {
        return tls == null;
    }

    /** The agent's TLS identity; absent in insecure-dev. */
    public Optional<ReloadingTls> tls() {
        return Optional.ofNullable(tls);
    }

    /** TLS for the NBD port (STARTTLS), with the agent's identity; absent in insecure-dev. */
    public Optional<NbdTls> nbdTls() throws IOException {
        return tls == null ? Optional.empty() : Optional.of(NbdTlsPolicy.of(tls, nbdTls));
    }

    public AccessPolicy policy() {
        return policy;
    }

    /** When the agent's certificate (as last reloaded) expires; empty with --insecure-dev. */
    public Optional<Instant> certificateNotAfter() {
        return tls == null ? Optional.empty() : Optional.of(tls.certificate().getNotAfter().toInstant());
    }

    /**
     * A line for the array's needs-attention list when the certificate expires within the warning
     * period (or has expired), so that it shows in {@code csctl array show} and the StorageArray status.
     */
    public Optional<String> expiryAttention(Instant now) {
        if (tls == null) {
            return Optional.empty();
        }
        Instant notAfter = tls.certificate().getNotAfter().toInstant();
        if (now.isAfter(notAfter)) {
            return Optional.of("the agent's TLS certificate (" + tls.identity().describe() + ") expired at " + notAfter
                    + ": clients and peers refuse it; renew " + tls.files().certificate() + " (it is re-read without"
                    + " a restart)");
        }
        if (now.plus(expiryWarning).isAfter(notAfter)) {
            long days = Duration.between(now, notAfter).toDays();
            return Optional.of("the agent's TLS certificate (" + tls.identity().describe() + ") expires at " + notAfter
                    + " (in " + days + " day(s)); renew " + tls.files().certificate() + " before then (it is re-read"
                    + " without a restart)");
        }
        return Optional.empty();
    }

    /**
     * Says at start-up how the ports are protected (loudly when they are not), and from then on warns
     * in the log twice a day while the certificate is close to its expiry.
     */
    public void announce() {
        if (tls == null) {
            LOG.warning("INSECURE: started with --insecure-dev: the control port is plaintext and anyone who reaches"
                    + " it may do anything, and every NBD client may open every volume, attached or not; for a laptop"
                    + " or a test only. Give --tls-cert, --tls-key and --tls-ca instead");
            return;
        }
        LOG.info("mutual TLS as " + tls.identity().describe() + " (certificate valid until "
                + tls.certificate().getNotAfter().toInstant() + "); replication accepts "
                + (policy.peerSites().isEmpty() ? "any array agent of the CA" : "sites " + policy.peerSites())
                + "; NBD: TLS " + (nbdTls == NbdTlsPolicy.Mode.REQUIRED ? "required of every client"
                        : "offered (plaintext clients served too)") + ", volumes open only to the hosts they are"
                + " attached to");
        warnIfExpiring();
        expiryWatch.scheduleWithFixedDelay(this::warnIfExpiring, 12, 12, TimeUnit.HOURS);
    }

    private void warnIfExpiring() {
        expiryAttention(Instant.now()).ifPresent(LOG::warning);
    }

    @Override
    public void close() {
        expiryWatch.shutdownNow();
        if (tls != null) {
            tls.close();
        }
    }
}
