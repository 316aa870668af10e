package dev.copyservices.agent;

import dev.copyservices.agent.array.ArrayEngine;
import dev.copyservices.agent.array.ArrayLimits;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import dev.copyservices.agent.flashcopy.FlashCopyEngine;
import dev.copyservices.agent.volumecopy.CopyIo;
import dev.copyservices.agent.mirror.MirrorEngine;
import dev.copyservices.agent.nbd.NbdServer;
import dev.copyservices.agent.security.NbdTlsPolicy;
import dev.copyservices.agent.security.TransportSecurity;
import dev.copyservices.api.tls.CertificateIdentity;
import dev.copyservices.api.tls.ReloadingTls;
import dev.copyservices.api.tls.Role;
import dev.copyservices.api.tls.TlsFiles;
import dev.copyservices.agent.volumecopy.VolumeCopyEngine;
import picocli.CommandLine.Option;

/** {@code array-agent}: parses the command line, starts the agent, stops it cleanly on SIGTERM/SIGINT. */
@Command(name = "array-agent", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Serves a storage pool's volumes over NBD and a gRPC control API.")
public final class Main implements Callable<Integer> {
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    @Option(names = "--pool-dir", required = true, description = "Directory of the storage pool (created if missing).")
    Path poolDir;

    @Option(names = "--listen", defaultValue = "127.0.0.1:7400", description = "gRPC control address (default ${DEFAULT-VALUE}).")
    String listen;

    @Option(names = "--nbd-listen", defaultValue = "127.0.0.1:10809", description = "NBD address (default ${DEFAULT-VALUE}).")
    String nbdListen;

    @Option(names = "--name", description = "Array name (default: the host name).")
    String name;

    @Option(names = "--site", defaultValue = "default", description = "Site this array belongs to (default ${DEFAULT-VALUE}).")
    String site;

    @Option(names = "--max-volumes", defaultValue = "2048", description = "Volumes per array, counting repositories, copy targets and mirror volumes (default ${DEFAULT-VALUE}).")
    int maxVolumes;

    @Option(names = "--max-flashcopies-per-base", defaultValue = "4", description = "FlashCopies per base volume (default ${DEFAULT-VALUE}).")
    int maxFlashCopiesPerBase;

    @Option(names = "--max-flashcopies", description = "FlashCopies per array (default: half of --max-volumes).")
    Integer maxFlashCopies;

    @Option(names = "--max-copies-in-progress", defaultValue = "8", description = "VolumeCopies in progress at once (default ${DEFAULT-VALUE}).")
    int maxCopiesInProgress;

    @Option(names = "--max-mirrors", defaultValue = "64", description = "Remote mirrors per array (default ${DEFAULT-VALUE}).")
    int maxMirrors;

    @Option(names = "--max-nbd-connections-per-client", defaultValue = "64", description = "NBD connections one client"
            + " address may hold at once; past it, the client's NBD_OPT_GO is refused with a message (default ${DEFAULT-VALUE}).")
    int maxNbdConnectionsPerClient;

    @Option(names = "--cow-chunk-size", defaultValue = "16KiB", description = "FlashCopy copy-on-write chunk: a power"
            + " of two from 512 bytes to 64KiB (default ${DEFAULT-VALUE}, the seed's 32 blocks of 512 bytes). Applies to"
            + " FlashCopies created from now on.")
    String cowChunkSize;

    @Option(names = "--replication-listen", paramLabel = "HOST:PORT", description = "Address of the agent-to-agent"
            + " replication listener (mutual TLS, with the --tls-* identity); needed for remote mirrors.")
    String replicationListen;

    @Option(names = "--replication-advertise", paramLabel = "HOST:PORT", description = "The replication address peers"
            + " are told to reach this agent at (default: --replication-listen), e.g. behind a proxy or NAT.")
    String replicationAdvertise;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "This agent's certificate (PEM), subject"
            + " O=array-agent, CN=<its site>, for the control and replication ports (mutual TLS). Re-read when it"
            + " changes.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "The certificate's private key (PKCS#8 PEM).")
    Path tlsKey;

    @Option(names = "--tls-ca", paramLabel = "FILE", description = "The CA (PEM) whose certificates callers and"
            + " peers must present.")
    Path tlsCa;

    @Option(names = "--insecure-dev", description = "No TLS: a plaintext control port on which anyone may do"
            + " anything, and no replication link. For a laptop or a test only; array show says so.")
    boolean insecureDev;

    @Option(names = "--nbd-tls", defaultValue = "offered", paramLabel = "MODE", description = "TLS on the NBD port"
            + " (STARTTLS, client certificates of the CA): offered (default; plaintext clients are served too) or"
            + " required. Needs --tls-cert, --tls-key and --tls-ca.")
    String nbdTls;

    @Option(names = "--peer-site", paramLabel = "SITE", description = "A site whose agents the replication port"
            + " accepts (their certificates' CN). Repeatable; without it, any array agent of the CA is accepted.")
    java.util.List<String> peerSites = new java.util.ArrayList<>();

    @Option(names = "--tls-reload-interval", defaultValue = "60s", paramLabel = "DURATION", description = "How often"
            + " the TLS files are looked at for a rotation (default ${DEFAULT-VALUE}).")
    String tlsReloadInterval;

    @Option(names = "--tls-expiry-warning-days", defaultValue = "30", paramLabel = "DAYS", description = "Report the"
            + " certificate in the log and in array show this many days before it expires (default ${DEFAULT-VALUE}).")
    int tlsExpiryWarningDays;

    @Option(names = "--mirror-write-timeout", defaultValue = "5s", paramLabel = "DURATION", description = "How long a"
            + " write waits for the peer before a synchronous mirror goes Unsynchronized and the write completes"
            + " locally (default ${DEFAULT-VALUE}; e.g. 500ms, 5s).")
    String mirrorWriteTimeout;

    @Option(names = "--metrics-listen", paramLabel = "HOST:PORT", description = "Serve Prometheus metrics over"
            + " plain HTTP at http://HOST:PORT/metrics (default: no metrics listener). They name volumes, copies and"
            + " peers; keep the address where only the monitoring reaches it.")
    String metricsListen;

    @Option(names = "--disable-feature", paramLabel = "FEATURE", description = "Refuse new objects of a copy service"
            + " (flashcopy, volumecopy, mirror); existing ones keep working. Repeatable.")
    java.util.List<String> disabledFeatures = new java.util.ArrayList<>();

    public static void main(String[] args) {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tL%1$tz %4$s %3$s: %5$s%6$s%n");
        }
        CommandLine commandLine = new CommandLine(new Main());
        commandLine.setExecutionExceptionHandler((e, cl, parsed) -> {
            cl.getErr().println("array-agent: " + e.getMessage());
            return 1;
        });
        System.exit(commandLine.execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Agent.Config config;
        try {
            config = config(security());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
        }
        Agent agent = Agent.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
        return 0;
    }

    /** The TLS identity and access rules, or --insecure-dev; refuses an identity that is not an agent's. */
    private TransportSecurity security() throws java.io.IOException {
        TlsFiles files;
        long reloadMillis;
        try {
            files = TlsFiles.fromOptions(tlsCert, tlsKey, tlsCa, insecureDev);
            for (String peer : peerSites) {
                if (!IDENTIFIER.matcher(peer).matches()) {
                    throw new IllegalArgumentException("--peer-site '" + peer + "' is not a site name; use 1-63"
                            + " letters, digits, '.', '_' or '-'");
                }
            }
            // checked in both modes, so that a mistyped value is never silently ignored
            reloadMillis = parseMillis("--tls-reload-interval", tlsReloadInterval);
            if (tlsExpiryWarningDays < 0) {
                throw new IllegalArgumentException("--tls-expiry-warning-days must be 0 or more");
            }
            NbdTlsPolicy.Mode nbdTlsMode = NbdTlsPolicy.Mode.parse(nbdTls);
            if (files == null) {
                if (nbdTlsMode == NbdTlsPolicy.Mode.REQUIRED) {
                    throw new IllegalArgumentException("--nbd-tls required needs --tls-cert, --tls-key and --tls-ca:"
                            + " NBD TLS uses the agent's certificate");
                }
                if (replicationListen != null) {
                    throw new IllegalArgumentException("--replication-listen needs --tls-cert, --tls-key and --tls-ca:"
                            + " the replication link is always mutual TLS, also with --insecure-dev");
                }
                if (!peerSites.isEmpty()) {
                    throw new IllegalArgumentException("--peer-site needs --replication-listen and TLS");
                }
                return TransportSecurity.insecureDev();
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
        }
        ReloadingTls tls = files.load(java.time.Duration.ofMillis(reloadMillis));
        CertificateIdentity own = tls.identity();
        if (!own.hasRole(Role.ARRAY_AGENT)) {
            tls.close();
            throw new IllegalArgumentException("--tls-cert " + tlsCert + " (" + own.describe() + ") is not an array"
                    + " agent's certificate, and clients would refuse it; issue the agent's certificate with subject"
                    + " O=" + Role.ARRAY_AGENT.subjectName() + ", CN=<its site>");
        }
        return TransportSecurity.mutualTls(tls, java.util.Set.copyOf(peerSites),
                java.time.Duration.ofDays(tlsExpiryWarningDays), NbdTlsPolicy.Mode.parse(nbdTls));
    }

    private Agent.Config config(TransportSecurity security) {
        String arrayName = name != null ? name : hostName();
        for (String[] id : new String[][] {{"--name", arrayName}, {"--site", site}}) {
            if (!IDENTIFIER.matcher(id[1]).matches()) {
                throw new IllegalArgumentException(id[0] + " '" + id[1] + "' is not allowed; use 1-63 letters, digits,"
                        + " '.', '_' or '-', starting with a letter or digit");
            }
        }
        ArrayLimits limits = new ArrayLimits(maxVolumes, maxFlashCopiesPerBase,
                maxFlashCopies != null ? maxFlashCopies : Math.max(1, maxVolumes / 2), maxCopiesInProgress, maxMirrors);
        for (String feature : disabledFeatures) {
            if (!feature.equals("flashcopy") && !feature.equals("volumecopy") && !feature.equals("mirror")) {
                throw new IllegalArgumentException("--disable-feature '" + feature + "' is unknown; features:"
                        + " flashcopy, volumecopy, mirror");
            }
        }
        long chunk = dev.copyservices.api.Sizes.parse(cowChunkSize);
        if (chunk > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("--cow-chunk-size " + cowChunkSize + " is too large; give at most 64KiB");
        }
        FlashCopyEngine.Options flashCopy = new FlashCopyEngine.Options(!disabledFeatures.contains("flashcopy"),
                (int) chunk);
        HostPort replication = replicationListen == null ? null : HostPort.parse("--replication-listen",
                replicationListen);
        ReloadingTls tls = replication == null ? null : security.tls().orElseThrow();
        if (replication == null && replicationAdvertise != null) {
            throw new IllegalArgumentException("--replication-advertise needs --replication-listen");
        }
        if (replication == null && !peerSites.isEmpty()) {
            throw new IllegalArgumentException("--peer-site needs --replication-listen");
        }
        String advertised = replication == null ? null : replicationAdvertise != null
                ? HostPort.parse("--replication-advertise", replicationAdvertise).toString() : replication.toString();
        if (replication != null && replication.port() == 0 && replicationAdvertise == null) {
            throw new IllegalArgumentException("--replication-listen needs a fixed port (peers record it), or give"
                    + " --replication-advertise");
        }
        MirrorEngine.Options mirror = new MirrorEngine.Options(!disabledFeatures.contains("mirror"), tls, advertised,
                parseMillis("--mirror-write-timeout", mirrorWriteTimeout), 64 << 10);
        if (maxNbdConnectionsPerClient < 1) {
            throw new IllegalArgumentException("--max-nbd-connections-per-client must be at least 1");
        }
        return new Agent.Config(poolDir, HostPort.parse("--listen", listen), HostPort.parse("--nbd-listen", nbdListen),
                arrayName, site, limits, flashCopy, new VolumeCopyEngine.Options(!disabledFeatures.contains("volumecopy"),
                        CopyIo.DIRECT), mirror, replication,
                NbdServer.Options.defaults().withMaxConnectionsPerClient(maxNbdConnectionsPerClient), security,
                metricsListen == null ? null : HostPort.parse("--metrics-listen", metricsListen));
    }

    private static long parseMillis(String option, String value) {
        java.util.regex.Matcher m = Pattern.compile("(\\d{1,7})(ms|s)").matcher(value);
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new IllegalArgumentException(option + " '" + value + "' is not a duration; give e.g. 500ms or 5s");
        }
        long n = Long.parseLong(m.group(1));
        return m.group(2).equals("s") ? n * 1000 : n;
    }

    private static String hostName() {
        try {
            String host = InetAddress.getLocalHost().getHostName();
            int dot = host.indexOf('.');
            return dot > 0 ? host.substring(0, dot) : host;
        } catch (UnknownHostException e) {
            return "array";
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"array-agent " + ArrayEngine.version()};
        }
    }
}
