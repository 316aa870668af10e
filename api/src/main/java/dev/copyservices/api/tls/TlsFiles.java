package dev.copyservices.api.tls;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The three PEM files of a mutual-TLS identity: a certificate, its private key (PKCS#8) and the CA
 * whose certificates the other end must present. Every component takes them as --tls-cert,
 * --tls-key and --tls-ca.
 */
public record TlsFiles(Path certificate, Path key, Path authority) {

    /** The interval at which long-running components look for rotated files. */
    public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofMinutes(1);

    /** Refuses files that cannot be read, so that a component stops at start-up and not at its first call. */
    public TlsFiles {
        for (Path file : new Path[] {certificate, key, authority}) {
            if (file == null || !Files.isReadable(file)) {
                throw new IllegalArgumentException("TLS file " + file + " cannot be read; give --tls-cert, --tls-key"
                        + " and --tls-ca as readable PEM files");
            }
        }
    }

    /**
     * The files given as three optional options, or none when {@code insecureDev}: exactly one of
     * the two must be chosen, and the message says how.
     */
    public static TlsFiles fromOptions(Path certificate, Path key, Path authority, boolean insecureDev) {
        boolean anyGiven = certificate != null || key != null || authority != null;
        if (insecureDev) {
            if (anyGiven) {
                throw new IllegalArgumentException("--insecure-dev turns TLS off; give it or --tls-cert, --tls-key and"
                        + " --tls-ca, not both");
            }
            return null;
        }
        if (certificate == null || key == null || authority == null) {
            throw new IllegalArgumentException(anyGiven
                    ? "give all three of --tls-cert, --tls-key and --tls-ca"
                    : "no TLS identity: give --tls-cert, --tls-key and --tls-ca (mutual TLS), or --insecure-dev for a"
                            + " laptop or a test, which turns off encryption and authorization");
        }
        return new TlsFiles(certificate, key, authority);
    }

    /** Loads the files and re-reads them every {@code reloadInterval} when they change. */
    public ReloadingTls load(Duration reloadInterval) throws java.io.IOException {
        return new ReloadingTls(this, reloadInterval);
    }
}
