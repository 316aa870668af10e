package dev.copyservices.operator.agent;

import dev.copyservices.api.tls.ReloadingTls;
import dev.copyservices.api.tls.TlsFiles;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The operator's identity toward the agents: its certificate (subject O=operator), key and the
 * agents' CA, from copyservices.agent.tls.cert / .key / .ca (environment COPYSERVICES_AGENT_TLS_CERT,
 * ...), re-read when they change; or plaintext with copyservices.agent.insecure-dev=true. Made at
 * start-up, so that an operator without either stops at once with the reason.
 */
@ApplicationScoped
@Startup
public class AgentCredentials {
    private static final Logger LOG = Logger.getLogger(AgentCredentials.class);

    private final ReloadingTls tls;
    private final ChannelCredentials credentials;

    @Inject
    public AgentCredentials(@ConfigProperty(name = "copyservices.agent.tls.cert") Optional<String> cert,
            @ConfigProperty(name = "copyservices.agent.tls.key") Optional<String> key,
            @ConfigProperty(name = "copyservices.agent.tls.ca") Optional<String> ca,
            @ConfigProperty(name = "copyservices.agent.insecure-dev", defaultValue = "false") boolean insecureDev) {
        TlsFiles files;
        try {
            files = TlsFiles.fromOptions(cert.map(Path::of).orElse(null), key.map(Path::of).orElse(null),
                    ca.map(Path::of).orElse(null), insecureDev);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(e.getMessage().replace("--tls-cert", "COPYSERVICES_AGENT_TLS_CERT")
                    .replace("--tls-key", "COPYSERVICES_AGENT_TLS_KEY").replace("--tls-ca", "COPYSERVICES_AGENT_TLS_CA")
                    .replace("--insecure-dev", "COPYSERVICES_AGENT_INSECURE_DEV=true"), e);
        }
        if (files == null) {
            LOG.warn("INSECURE: COPYSERVICES_AGENT_INSECURE_DEV=true: the agents are called in plaintext; for a laptop"
                    + " or a test only");
            this.tls = null;
            this.credentials = InsecureChannelCredentials.create();
            return;
        }
        try {
            this.tls = files.load(TlsFiles.DEFAULT_RELOAD_INTERVAL);
            this.credentials = tls.agentChannelCredentials();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        LOG.info("mutual TLS with the agents as " + tls.identity().describe() + " (certificate valid until "
                + tls.certificate().getNotAfter().toInstant() + ")");
    }

    ChannelCredentials credentials() {
        return credentials;
    }

    @PreDestroy
    void close() {
        if (tls != null) {
            tls.close();
        }
    }
}
