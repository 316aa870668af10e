package dev.copyservices.local;

import dev.copyservices.api.agent.v1.ActivateMirroringRequest;
import dev.copyservices.api.agent.v1.ArrayServiceGrpc;
import dev.copyservices.api.agent.v1.GetArrayRequest;
import dev.copyservices.api.agent.v1.GetMirroringRequest;
import dev.copyservices.api.agent.v1.MirrorServiceGrpc;
import dev.copyservices.kubetest.Kubectl;
import dev.copyservices.kubetest.LocalKubeApiServer;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import dev.copyservices.api.tls.ReloadingTls;
import dev.copyservices.api.tls.TlsFiles;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One site of the environment: etcd and kube-apiserver with the CRDs, the agents of node-1 and
 * node-2 (replication over mutual TLS, mirroring activated, a StorageArray each) and the operator.
 * Starting it starts only what is not running, so a stopped or crashed site comes back on the same
 * ports with the same data.
 */
final class LocalSite {
    static final String ETCD = "etcd";
    static final String API_SERVER = "kube-apiserver";
    static final String OPERATOR = "operator";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final String site;
    private final Layout layout;
    private final Ports ports;
    private final Launcher launcher;
    private final Pki pki;

    LocalSite(String site, Layout layout, Ports ports, Launcher launcher, Pki pki) {
        this.site = site;
        this.layout = layout;
        this.ports = ports;
        this.launcher = launcher;
        this.pki = pki;
    }

    /** Components in start order; stopping goes the other way. */
    static List<String> components() {
        List<String> components = new ArrayList<>(List.of(ETCD, API_SERVER));
        components.addAll(Layout.NODES);
        components.add(OPERATOR);
        return components;
    }

    Path siteKubeconfig() {
        return layout.kube(site).resolve("kubeconfig");
    }

    String apiServer() throws IOException {
        return "https://127.0.0.1:" + ports.of(site + ".api");
    }

    String token() throws IOException {
        Path file = layout.token(site);
        if (!Files.exists(file)) {
            Files.writeString(file, LocalKubeApiServer.newToken());
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        }
        return Files.readString(file).strip();
    }

    String controlAddress(String node) throws IOException {
        return ports.address(site + "." + node + ".control");
    }

    String nbdAddress(String node) throws IOException {
        return ports.address(site + "." + node + ".nbd");
    }

    String replicationAddress(String node) throws IOException {
        return ports.address(site + "." + node + ".replication");
    }

    int operatorHttpPort() throws IOException {
        return ports.of(site + ".operator.http");
    }

    void start() throws IOException, InterruptedException {
        Files.createDirectories(layout.site(site));
        ProcessRecords records = ProcessRecords.load(layout.processes(site));
        if (records.alive(ETCD).isEmpty() || records.alive(API_SERVER).isEmpty()) {
            records.stop(List.of(API_SERVER), false);
            records.stop(List.of(ETCD), false);
            LocalKubeApiServer.Ports kubePorts = new LocalKubeApiServer.Ports(ports.of(site + ".etcd.client"),
                    ports.of(site + ".etcd.peer"), ports.of(site + ".api"));
            ports.save();
            List<ProcessHandle> kube = LocalKubeApiServer.start(layout.kube(site), kubePorts, token(), true).detach();
            records.put(ETCD, kube.get(0));
            records.put(API_SERVER, kube.get(1));
        }
        kubectl(null, "apply", "-f", launcher.root().resolve("crds").toString());
        kubectl(null, "wait", "--for", "condition=Established", "--timeout", "60s", "crd", "--all");
        for (String node : Layout.NODES) {
            if (records.alive(node).isEmpty()) {
                records.put(node, startAgent(node));
            }
            activateMirroring(node);
        }
        kubectl(storageArrays(), "apply", "-f", "-");
        if (records.alive(OPERATOR).isEmpty()) {
            records.put(OPERATOR, startOperator());
        }
        kubectl(null, "wait", "--for", "condition=Ready", "--timeout", "120s", "storagearrays", "--all");
    }

    private ProcessHandle startAgent(String node) throws IOException, InterruptedException {
        Files.createDirectories(layout.pool(site, node));
        String array = Layout.arrayName(site, node);
        List<String> command = new ArrayList<>(List.of(launcher.root().resolve("bin/array-agent").toString(),
                "--pool-dir", layout.pool(site, node).toString(),
                "--listen", controlAddress(node), "--nbd-listen", nbdAddress(node),
                "--name", array, "--site", site,
                "--replication-listen", replicationAddress(node),
                "--peer-site", Layout.SITES.stream().filter(other -> !other.equals(site)).findFirst().orElseThrow()));
        command.addAll(pki.agentArgs(site));
        ports.save();
        Path log = layout.log(site, node);
        ProcessHandle agent = launcher.start(command, Map.of(), log);
        try (Channel channel = new Channel(controlAddress(node), pki)) {
            awaitUp(agent, log, "agent " + array, () -> {
                ArrayServiceGrpc.newBlockingStub(channel.channel).withDeadlineAfter(2, TimeUnit.SECONDS)
                        .getArray(GetArrayRequest.getDefaultInstance());
                return true;
            });
        }
        return agent;
    }

    private void activateMirroring(String node) throws IOException {
        try (Channel channel = new Channel(controlAddress(node), pki)) {
            MirrorServiceGrpc.MirrorServiceBlockingStub mirrors = MirrorServiceGrpc.newBlockingStub(channel.channel)
                    .withDeadlineAfter(20, TimeUnit.SECONDS);
            if (!mirrors.getMirroring(GetMirroringRequest.getDefaultInstance()).getActivated()) {
                mirrors.activateMirroring(ActivateMirroringRequest.getDefaultInstance());
            }
        }
    }

    private String storageArrays() throws IOException {
        StringBuilder yaml = new StringBuilder();
        for (String node : Layout.NODES) {
            yaml.append("""
                    apiVersion: copyservices.dev/v1alpha1
                    kind: StorageArray
                    metadata: {name: %s}
                    spec: {endpoint: "%s", site: %s, replicationEndpoint: "%s"}
                    ---
                    """.formatted(node, controlAddress(node), site, replicationAddress(node)));
        }
        return yaml.toString();
    }

    private ProcessHandle startOperator() throws IOException, InterruptedException {
        int port = operatorHttpPort();
        ports.save();
        Path log = layout.log(site, OPERATOR);
        Map<String, String> environment = new java.util.HashMap<>(pki.operatorEnvironment(site));
        environment.put("KUBECONFIG", siteKubeconfig().toString());
        environment.put("COPYSERVICES_JAVA_OPTS", "-Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port=" + port);
        ProcessHandle operator = launcher.start(List.of(launcher.root().resolve("bin/operator").toString()),
                environment, log);
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                .timeout(Duration.ofSeconds(2)).build();
        awaitUp(operator, log, "operator of " + site,
                () -> http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
        return operator;
    }

    private interface Probe {
        boolean up() throws Exception;
    }

    /** Polls the probe until it answers true; fails with the log's end if the process exits or time runs out. */
    private static void awaitUp(ProcessHandle process, Path log, String what, Probe probe) throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException(what + " exited at start; the end of " + log + ":\n" + Launcher.tail(log, 20));
            }
            try {
                if (probe.up()) {
                    return;
                }
            } catch (StatusRuntimeException | IOException notYet) {
                // not listening yet
            } catch (Exception e) {
                throw new IllegalStateException(what + ": " + e, e);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + " did not come up in " + START_TIMEOUT.toSeconds() + " s; the end of "
                        + log + ":\n" + Launcher.tail(log, 20));
            }
            // polling: neither the agent nor the operator can tell a waiting process that it is up
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    /**
     * Stops the site's processes: the operator and the agents together, then the API server, then
     * etcd. SIGTERM, or SIGKILL to every process at once when {@code kill} (a site failure).
     */
    void stop(boolean kill) throws IOException {
        ProcessRecords records = ProcessRecords.load(layout.processes(site));
        List<String> first = new ArrayList<>(Layout.NODES);
        first.add(OPERATOR);
        if (kill) {
            List<String> all = new ArrayList<>(first);
            all.addAll(List.of(API_SERVER, ETCD));
            records.stop(all, true);
            return;
        }
        records.stop(first, false);
        records.stop(List.of(API_SERVER), false);
        records.stop(List.of(ETCD), false);
    }

    ProcessRecords records() throws IOException {
        return ProcessRecords.load(layout.processes(site));
    }

    Kubectl.Result kubectl(String stdin, String... args) {
        Kubectl.Result result = Kubectl.run(siteKubeconfig(), stdin, args);
        if (!result.ok()) {
            throw new IllegalStateException(site + ": kubectl " + String.join(" ", args) + " failed: " + result.stderr()
                    + result.stdout());
        }
        return result;
    }

    /** A channel to an agent's control API for one call sequence, as the environment's cli-admin. */
    private static final class Channel implements AutoCloseable {
        final ReloadingTls tls;
        final ManagedChannel channel;

        Channel(String address, Pki pki) throws IOException {
            this.tls = new TlsFiles(pki.adminCert(), pki.adminKey(), pki.ca()).load(Duration.ofHours(1));
            this.channel = NettyChannelBuilder.forTarget(address, tls.agentChannelCredentials()).build();
        }

        @Override
        public void close() {
            channel.shutdownNow();
            tls.close();
        }
    }
}
