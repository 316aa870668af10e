package dev.copyservices.agent.it;

import io.grpc.ManagedChannel;
import dev.copyservices.api.tls.ReloadingTls;
import dev.copyservices.api.tls.TlsFiles;
import dev.copyservices.kubetest.TestPki;
import io.grpc.ManagedChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real agent process started with bin/array-agent, as a user would. Waits for the health service to
 * say SERVING (polling with a deadline), and can be killed with SIGKILL and started again on the same
 * pool and ports.
 */
public final class AgentProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path poolDir;
    private final String name;
    private final String site;
    private final Path log;
    private final int controlPort;
    private final int nbdPort;
    private final List<String> extraArgs;
    /** The test's own TLS identity toward the agent; null for an agent started with --insecure-dev. */
    private final ReloadingTls client;
    private Process process;
    private ManagedChannel channel;

    private AgentProcess(Path poolDir, String name, String site, List<String> extraArgs, ReloadingTls client)
            throws IOException {
        this.poolDir = poolDir;
        this.name = name;
        this.site = site;
        this.client = client;
        this.extraArgs = client != null || extraArgs.contains("--insecure-dev") ? extraArgs
                : concat(extraArgs, List.of("--insecure-dev"));
        this.log = Files.createTempFile("agent", ".log");
        this.controlPort = freePort();
        this.nbdPort = freePort();
    }

    public static AgentProcess start(Path poolDir, String... extraArgs) throws IOException, InterruptedException {
        return start(poolDir, "it-array", "it", List.of(extraArgs));
    }

    /**
     * An agent with its own array name and site, on a plaintext control port (--insecure-dev is
     * added): the many tests about volumes and copies, not about security.
     */
    public static AgentProcess start(Path poolDir, String name, String site, List<String> extraArgs)
            throws IOException, InterruptedException {
        if (extraArgs.contains("--tls-cert")) {
            throw new IllegalArgumentException("an agent with --tls-cert needs the test's client identity: use the"
                    + " start(..., TestPki.Identity client, Path ca) form");
        }
        AgentProcess agent = new AgentProcess(poolDir, name, site, List.copyOf(extraArgs), null);
        agent.launch();
        return agent;
    }

    /**
     * An agent with mutual TLS (its --tls-* arguments in {@code extraArgs}), which the test reaches as
     * {@code client} (e.g. a cli-admin identity) trusting {@code ca}.
     */
    public static AgentProcess start(Path poolDir, String name, String site, List<String> extraArgs,
            TestPki.Identity client, Path ca) throws IOException, InterruptedException {
        ReloadingTls tls = new TlsFiles(client.cert(), client.key(), ca).load(Duration.ofMinutes(10));
        AgentProcess agent = new AgentProcess(poolDir, name, site, List.copyOf(extraArgs), tls);
        try {
            agent.launch();
        } catch (IOException | InterruptedException | RuntimeException e) {
            tls.close();
            throw e;
        }
        return agent;
    }

    /**
     * An agent of {@code pki} with site {@code site}'s certificate, array {@code name} and pool
     * {@code poolDir}, reached by the test as a cli-admin; {@code extraArgs} follow the --tls-* ones.
     */
    public static AgentProcess startTls(TestPki pki, Path poolDir, String name, String site, List<String> extraArgs)
            throws IOException, InterruptedException {
        return start(Files.createDirectories(poolDir), name, site, concat(pki.agentArgs(pki.agent(site)), extraArgs),
                pki.identity("cli-admin", "it"), pki.caCert());
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }

    public static Path root() {
        return Path.of(System.getProperty("copyservices.root", "..")).toAbsolutePath().normalize();
    }

    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * A port free now and never handed out before in this JVM: the kernel may offer a just-closed
     * ephemeral port again, and an agent's control and NBD ports must differ.
     */
    public static int freePort() throws IOException {
        while (true) {
            try (ServerSocket socket = new ServerSocket(0)) {
                if (HANDED_OUT.add(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            }
        }
    }

    /** Starts the agent process without waiting, e.g. to see it refuse to start. */
    public static Process launchRaw(Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(root().resolve("bin/array-agent").toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        sameJdk(builder);
        return builder.start();
    }

    /** The launchers take JAVA_HOME when it is new enough: run them on the JDK running the tests. */
    public static ProcessBuilder sameJdk(ProcessBuilder builder) {
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        return builder;
    }

    public void launch() throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("--pool-dir", poolDir.toString(), "--listen",
                "127.0.0.1:" + controlPort, "--nbd-listen", "127.0.0.1:" + nbdPort, "--name", name, "--site", site));
        args.addAll(extraArgs);
        ProcessBuilder builder = new ProcessBuilder(command(args)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        sameJdk(builder);
        process = builder.start();
        channel = client == null ? ManagedChannelBuilder.forAddress("127.0.0.1", controlPort).usePlaintext().build()
                : NettyChannelBuilder.forAddress("127.0.0.1", controlPort, client.agentChannelCredentials()).build();
        awaitServing();
    }

    private static List<String> command(List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(root().resolve("bin/array-agent").toString());
        command.addAll(args);
        return command;
    }

    private void awaitServing() throws InterruptedException, IOException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("agent exited with " + process.exitValue() + ":\n" + log());
            }
            try {
                // wait-for-ready: the call itself waits for the listener, so this loop does not spin
                HealthCheckResponse response = health.withWaitForReady().withDeadlineAfter(2, TimeUnit.SECONDS)
                        .check(HealthCheckRequest.getDefaultInstance());
                if (response.getStatus() == HealthCheckResponse.ServingStatus.SERVING) {
                    return;
                }
            } catch (io.grpc.StatusRuntimeException notYet) {
                // not listening yet, or NOT_SERVING while it recovers: ask again
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("agent not serving after " + START_TIMEOUT + ":\n" + log());
            }
            channel.resetConnectBackoff();
        }
    }

    public ManagedChannel channel() {
        return channel;
    }

    public int controlPort() {
        return controlPort;
    }

    public String controlAddress() {
        return "127.0.0.1:" + controlPort;
    }

    public int nbdPort() {
        return nbdPort;
    }

    /** Whether the agent runs with mutual TLS, and so lets only attached hosts open its exports. */
    public boolean secure() {
        return client != null;
    }

    /**
     * Attaches a volume to this machine (host "it-host" at 127.0.0.1), as a user does before a host
     * may open its export; a no-op if it is attached already.
     */
    public void attachTestHost(String volume) {
        dev.copyservices.api.agent.v1.VolumeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30,
                TimeUnit.SECONDS).attachVolume(dev.copyservices.api.agent.v1.AttachVolumeRequest.newBuilder()
                .setName(volume).setHost(TEST_HOST).addAddresses("127.0.0.1").build());
    }

    /** The host name the tests' NBD clients are attached as. */
    public static final String TEST_HOST = "it-host";

    /**
     * {@link #nbdUri} after attaching the test host to the volume on a TLS agent, which serves a
     * volume only to attached hosts; on an --insecure-dev agent just the URI.
     */
    public String attachedNbdUri(String volume) {
        if (secure()) {
            attachTestHost(volume);
        }
        return nbdUri(volume);
    }

    /** nbd://127.0.0.1:PORT/NAME with the name escaped for a URI. */
    public String nbdUri(String volume) {
        return "nbd://127.0.0.1:" + nbdPort + "/" + volume.replace("%", "%25").replace(" ", "%20");
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    /** The file the agent's output goes to, across restarts. */
    public Path logFile() {
        return log;
    }

    public String name() {
        return name;
    }

    public Path poolDir() {
        return poolDir;
    }

    /** SIGKILL: no shutdown hook, no flush, no unlock; exactly what a crash does to the process. */
    public void kill9() throws InterruptedException {
        channel.shutdownNow();
        process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor();
    }

    public Process process() {
        return process;
    }

    @Override
    public void close() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow();
        }
        if (client != null) {
            client.close();
        }
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
            }
        }
    }
}
