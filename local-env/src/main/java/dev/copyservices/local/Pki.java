package dev.copyservices.local;

import dev.copyservices.kubetest.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The replication link's certificates: one CA and a certificate per agent, made with openssl at the
 * first start and kept in the environment's pki directory (valid for a year; `down --purge` and a new
 * `up` make new ones).
 */
final class Pki {
    private static final int VALID_DAYS = 365;

    private final Path dir;

    private Pki(Path dir) {
        this.dir = dir;
    }

    static Pki createOrLoad(Path dir) throws IOException, InterruptedException {
        Pki pki = new Pki(dir);
        List<String> agents = new ArrayList<>();
        for (String site : Layout.SITES) {
            for (String node : Layout.NODES) {
                agents.add(Layout.arrayName(site, node));
            }
        }
        boolean complete = Files.exists(pki.ca()) && agents.stream().allMatch(a -> Files.exists(pki.cert(a))
                && Files.exists(pki.key(a)));
        if (!complete) {
            TestPki made = TestPki.create(dir, VALID_DAYS, agents.toArray(String[]::new));
            if (!made.caCert().equals(pki.ca())) {
                throw new IllegalStateException("the PKI's CA is at " + made.caCert() + ", not " + pki.ca());
            }
        }
        return pki;
    }

    private Path ca() {
        return dir.resolve(TestPki.CA_NAME + ".pem");
    }

    private Path cert(String agent) {
        return dir.resolve(agent + ".pem");
    }

    private Path key(String agent) {
        return dir.resolve(agent + ".key");
    }

    List<String> agentArgs(String agent) {
        return List.of("--tls-cert", cert(agent).toString(), "--tls-key", key(agent).toString(), "--tls-ca", ca().toString());
    }
}
