package dev.copyservices.kubetest;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A real Kubernetes API server for integration tests: etcd and kube-apiserver as child processes on
 * free loopback ports, their data and logs under one directory, and a kubeconfig with an admin token.
 *
 * <p>The binaries come from {@code bin/install-test-kube} (built from source through the Go module
 * proxy, since CI has no download site); the directory is the system property {@code kube.bin}.
 */
public final class LocalKubeApiServer implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Path dir;
    private final Path kubeconfig;
    private final String server;
    private final String token;
    private final boolean ownSession;
    private final List<Process> processes = new ArrayList<>();

    /** The loopback ports of one server: etcd's client and peer ports and the API server's. */
    public record Ports(int etcdClient, int etcdPeer, int api) {
        public static Ports free() throws IOException {
            return new Ports(freePort(), freePort(), freePort());
        }
    }

    private LocalKubeApiServer(Path dir, String server, String token, boolean ownSession) {
        this.dir = dir;
        this.server = server;
        this.token = token;
        this.ownSession = ownSession;
        this.kubeconfig = dir.resolve("kubeconfig");
    }

    /** Starts etcd and kube-apiserver with their state under {@code dir}, and waits until /readyz answers ok. */
    public static LocalKubeApiServer start(Path dir) throws IOException, InterruptedException {
        return start(dir, List.of());
    }

    /**
     * As {@link #start(Path)}, with more kube-apiserver flags (for example {@code --allow-privileged=true},
     * which clusters that run privileged pods set).
     */
    public static LocalKubeApiServer start(Path dir, List<String> extraApiServerFlags) throws IOException, InterruptedException {
        return start(dir, Ports.free(), newToken(), false, extraApiServerFlags);
    }

    /** An admin bearer token for {@link #start(Path, Ports, String, boolean)}. */
    public static String newToken() {
        return HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    }

    /**
     * Starts etcd and kube-apiserver on the given ports with the given admin token, over the state
     * {@code dir} may hold from an earlier start (etcd's data survives). With {@code ownSession} each
     * process runs in a session of its own (setsid), so that it outlives the terminal and the JVM
     * that started it once {@link #detach()} hands it over.
     */
    public static LocalKubeApiServer start(Path dir, Ports ports, String token, boolean ownSession)
            throws IOException, InterruptedException {
        return start(dir, ports, token, ownSession, List.of());
    }

    private static LocalKubeApiServer start(Path dir, Ports ports, String token, boolean ownSession,
            List<String> extraApiServerFlags) throws IOException, InterruptedException {
        Path bin = binDirectory();
        Files.createDirectories(dir);
        LocalKubeApiServer kube = new LocalKubeApiServer(dir, "https://127.0.0.1:" + ports.api(), token, ownSession);
        try {
            kube.startEtcd(bin, ports.etcdClient(), ports.etcdPeer());
            kube.startApiServer(bin, ports.etcdClient(), ports.api(), extraApiServerFlags);
            kube.writeKubeconfig();
            kube.awaitReady();
        } catch (IOException | InterruptedException | RuntimeException e) {
            kube.close();
            throw e;
        }
        return kube;
    }

    private static Path binDirectory() {
        String configured = System.getProperty("kube.bin");
        Path bin = Path.of(configured != null ? configured : ".tools/kube/bin");
        for (String name : List.of("etcd", "kube-apiserver")) {
            if (!Files.isExecutable(bin.resolve(name))) {
                throw new IllegalStateException("no " + name + " in " + bin.toAbsolutePath()
                        + ": run bin/install-test-kube, which builds etcd and kube-apiserver there");
            }
        }
        return bin;
    }

    private void startEtcd(Path bin, int clientPort, int peerPort) throws IOException {
        String client = "http://127.0.0.1:" + clientPort;
        String peer = "http://127.0.0.1:" + peerPort;
        launch("etcd", List.of(bin.resolve("etcd").toString(),
                "--name", "test",
                "--data-dir", dir.resolve("etcd-data").toString(),
                "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "test=" + peer,
                "--unsafe-no-fsync", "--log-level", "warn"));
    }

    private void startApiServer(Path bin, int etcdPort, int apiPort, List<String> extraFlags) throws IOException {
        Path tokens = dir.resolve("tokens.csv");
        Files.writeString(tokens, token + ",admin,admin-uid,system:masters\n");
        KeyPairGenerator generator;
        try {
            generator = KeyPairGenerator.getInstance("RSA");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        generator.initialize(2048);
        KeyPair serviceAccountKey = generator.generateKeyPair();
        Path privateKey = dir.resolve("service-account.key");
        Path publicKey = dir.resolve("service-account.pub");
        Files.writeString(privateKey, pem("PRIVATE KEY", serviceAccountKey.getPrivate().getEncoded()));
        Files.writeString(publicKey, pem("PUBLIC KEY", serviceAccountKey.getPublic().getEncoded()));
        List<String> command = new ArrayList<>(List.of(bin.resolve("kube-apiserver").toString(),
                "--etcd-servers", "http://127.0.0.1:" + etcdPort,
                "--bind-address", "127.0.0.1",
                "--advertise-address", "127.0.0.1",
                // the default reconciler refuses a loopback address; a test server has no Service endpoints to keep
                "--endpoint-reconciler-type", "none",
                "--secure-port", Integer.toString(apiPort),
                "--cert-dir", dir.resolve("apiserver-certs").toString(),
                "--token-auth-file", tokens.toString(),
                "--authorization-mode", "RBAC",
                "--service-account-issuer", "https://kubernetes.default.svc",
                "--service-account-key-file", publicKey.toString(),
                "--service-account-signing-key-file", privateKey.toString(),
                "--service-cluster-ip-range", "10.0.0.0/24",
                "--disable-admission-plugins", "ServiceAccount"));
        command.addAll(extraFlags);
        launch("kube-apiserver", command);
    }

    private void launch(String name, List<String> args) throws IOException {
        Path log = dir.resolve(name + ".log");
        List<String> command = new ArrayList<>();
        if (ownSession) {
            command.add("setsid");
        }
        command.addAll(args);
        Process process = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        processes.add(process);
    }

    private void writeKubeconfig() throws IOException {
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: test
                  cluster:
                    server: %s
                    insecure-skip-tls-verify: true
                users:
                - name: admin
                  user:
                    token: %s
                contexts:
                - name: test
                  context:
                    cluster: test
                    user: admin
                    namespace: default
                current-context: test
                """.formatted(server, token));
    }

    /** Polls /readyz until it answers 200, a process exits, or the start timeout passes. */
    private void awaitReady() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().sslContext(trustingContext()).build();
        HttpRequest readyz = HttpRequest.newBuilder(URI.create(server + "/readyz"))
                .header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(5))
                .build();
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        String last = "no answer";
        while (Instant.now().isBefore(deadline)) {
            for (Process process : processes) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("a test API server process exited with " + process.exitValue()
                            + "; logs in " + dir + ":\n" + logTails());
                }
            }
            try {
                HttpResponse<String> response = http.send(readyz, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
                last = response.statusCode() + " " + response.body();
            } catch (IOException e) {
                last = e.toString();
            }
            // Polling a readiness endpoint: the API server offers no notification of readiness.
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new IllegalStateException("kube-apiserver not ready after " + START_TIMEOUT + " (last: " + last
                + "); logs in " + dir + ":\n" + logTails());
    }

    private String logTails() {
        StringBuilder out = new StringBuilder();
        for (String name : List.of("etcd", "kube-apiserver")) {
            try {
                List<String> lines = Files.readAllLines(dir.resolve(name + ".log"), StandardCharsets.UTF_8);
                out.append("--- ").append(name).append(".log (end)\n")
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size())))
                        .append('\n');
            } catch (IOException e) {
                out.append("--- ").append(name).append(".log unreadable: ").append(e).append('\n');
            }
        }
        return out.toString();
    }

    public Path kubeconfig() {
        return kubeconfig;
    }

    public String server() {
        return server;
    }

    public String token() {
        return token;
    }

    /** Runs kubectl against this server; stdin may be null. */
    public Kubectl.Result kubectl(String stdin, String... args) {
        return Kubectl.run(kubeconfig, stdin, args);
    }

    /** Hands etcd and kube-apiserver over to the caller (etcd first): {@link #close()} no longer stops them. */
    public List<ProcessHandle> detach() {
        List<ProcessHandle> handles = processes.stream().map(Process::toHandle).toList();
        processes.clear();
        return handles;
    }

    @Override
    public void close() {
        for (Process process : processes.reversed()) {
            process.destroy();
        }
        for (Process process : processes.reversed()) {
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
        processes.clear();
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The API server's certificate is self-signed per run; tests talk to it on loopback only. */
    private static SSLContext trustingContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, new SecureRandom());
            return context;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
