package dev.copyservices.local;

import dev.copyservices.kubetest.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The environment's mutual-TLS identities, made with openssl at the first start and kept in its pki
 * directory (valid for a year; `down --purge` and a new `up` make new ones): one CA, an array-agent
 * certificate per site (CN = the site, shared by the site's agents), an operator certificate per site
 * and one cli-admin certificate for the person at the keyboard.
 */
final class Pki {
    private static final int VALID_DAYS = 365;
    static final String ADMIN = "admin";

    private final Path dir;

    private Pki(Path dir) {
        this.dir = dir;
    }

    /** The paths of an environment's PKI, made or not (for printing them). */
    static Pki at(Path dir) {
        return new Pki(dir);
    }

    static Pki createOrLoad(Path dir) throws IOException, InterruptedException {
        Pki pki = new Pki(dir);
        List<String> stems = new ArrayList<>(Layout.SITES);
        for (String site : Layout.SITES) {
            stems.add("operator-" + site);
        }
        stems.add("cli-admin-" + ADMIN);
        boolean complete = Files.exists(pki.ca()) && stems.stream().allMatch(s -> Files.exists(pki.cert(s))
                && Files.exists(pki.key(s)));
        if (!complete) {
            TestPki made = TestPki.create(dir, VALID_DAYS, Layout.SITES.toArray(String[]::new));
            if (!made.caCert().equals(pki.ca())) {
                throw new IllegalStateException("the PKI's CA is at " + made.caCert() + ", not " + pki.ca());
            }
            for (String site : Layout.SITES) {
                made.identity("operator", site);
            }
            made.identity("cli-admin", ADMIN);
        }
        return pki;
    }

    Path ca() {
        return dir.resolve(TestPki.CA_NAME + ".pem");
    }

    private Path cert(String stem) {
        return dir.resolve(stem + ".pem");
    }

    private Path key(String stem) {
        return dir.resolve(stem + ".key");
    }

    /** The --tls-* options of the agents of {@code site}. */
    List<String> agentArgs(String site) {
        return List.of("--tls-cert", cert(site).toString(), "--tls-key", key(site).toString(), "--tls-ca", ca().toString());
    }

    /** The operator's identity at {@code site}, as its COPYSERVICES_AGENT_TLS_* environment. */
    Map<String, String> operatorEnvironment(String site) {
        return Map.of("COPYSERVICES_AGENT_TLS_CERT", cert("operator-" + site).toString(),
                "COPYSERVICES_AGENT_TLS_KEY", key("operator-" + site).toString(),
                "COPYSERVICES_AGENT_TLS_CA", ca().toString());
    }

    Path adminCert() {
        return cert("cli-admin-" + ADMIN);
    }

    Path adminKey() {
        return key("cli-admin-" + ADMIN);
    }
}
