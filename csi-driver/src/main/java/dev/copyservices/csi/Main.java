package dev.copyservices.csi;

import dev.copyservices.api.tls.ReloadingTls;
import dev.copyservices.api.tls.TlsFiles;
import dev.copyservices.csi.metrics.CsiMetrics;
import dev.copyservices.csi.agent.Agents;
import dev.copyservices.csi.agent.GrpcAgent;
import dev.copyservices.csi.agent.StorageArrayAgents;
import dev.copyservices.csi.common.OperationLocks;
import dev.copyservices.csi.controller.ControllerService;
import dev.copyservices.csi.controller.GroupControllerService;
import dev.copyservices.csi.controller.GroupSnapshots;
import dev.copyservices.csi.controller.Snapshots;
import dev.copyservices.csi.controller.VolumeOperations;
import dev.copyservices.csi.controller.VolumeProvisioner;
import dev.copyservices.csi.identity.IdentityService;
import dev.copyservices.csi.node.Commands;
import dev.copyservices.csi.node.FileSystems;
import dev.copyservices.csi.node.Mounts;
import dev.copyservices.csi.node.NbdAttacher;
import dev.copyservices.csi.node.NodeAddress;
import dev.copyservices.csi.node.NodeExpander;
import dev.copyservices.csi.node.NodePublisher;
import dev.copyservices.csi.node.NodeService;
import dev.copyservices.csi.node.NodeStager;
import dev.copyservices.csi.node.VolumeStats;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.grpc.BindableService;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code csi-driver}: the CSI plugin block.copyservices.dev on a unix socket, in controller mode, node mode or both. */
@Command(name = "csi-driver", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "CSI driver block.copyservices.dev: volumes, snapshots and clones from the array agents.")
public final class Main implements Callable<Integer> {
    private static final Logger LOG = Logger.getLogger(Main.class.getName());
    /** Held so the level sticks: the client warns at start that v1alpha1 is not a stable version, which users cannot act on. */
    private static final Logger VERSION_WARNINGS = Logger.getLogger("io.fabric8.kubernetes.client.dsl.internal.VersionUsageUtils");

    enum Mode { controller, node, both }

    @Option(names = "--endpoint", required = true, paramLabel = "unix:///PATH", description = "Unix socket to serve CSI on.")
    String endpoint;

    @Option(names = "--node-id", paramLabel = "NAME", description = "This node's name (needed in node mode).")
    String nodeId;

    @Option(names = "--agent", paramLabel = "HOST:PORT", description = "An agent's control address;"
            + " repeat for several. In node mode the first is the agent of this node (its array is the node's topology).")
    List<String> agentEndpoints = new ArrayList<>();

    @Option(names = "--storage-arrays", description = "Take the agents from the cluster's StorageArray resources"
            + " (in-cluster service account, or $KUBECONFIG) instead of --agent, following them as they change;"
            + " in node mode this node's agent is the StorageArray named after --node-id.")
    boolean fromStorageArrays;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "The driver's certificate (PEM), subject"
            + " O=csi, for mutual TLS with the agents. Re-read when it changes.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "Its private key (PKCS#8 PEM).")
    Path tlsKey;

    @Option(names = "--tls-ca", paramLabel = "FILE", description = "The CA (PEM) of the agents' certificates.")
    Path tlsCa;

    @Option(names = "--insecure-dev", description = "Talk plaintext to agents started with --insecure-dev. For a"
            + " laptop or a test only.")
    boolean insecureDev;

    @Option(names = "--mode", defaultValue = "both", description = "controller, node or both (default ${DEFAULT-VALUE}).")
    Mode mode;

    @Option(names = "--state-dir", defaultValue = "/var/lib/copyservices-csi", paramLabel = "DIR", description = "Where"
            + " the node keeps its attachments (nbdfuse mounts) (default ${DEFAULT-VALUE}).")
    Path stateDir;

    @Option(names = "--node-address", paramLabel = "IP", description = "The address this node's NBD clients connect to"
            + " agents from, which NodeStageVolume attaches volumes to (default: the local address the kernel routes"
            + " toward the agent).")
    String nodeAddress;

    @Option(names = "--restore-wait", defaultValue = "30", paramLabel = "SECONDS", description = "How long CreateVolume"
            + " waits for a restore from a snapshot before answering ABORTED for the CO to retry (default ${DEFAULT-VALUE}).")
    int restoreWaitSeconds;

    @Option(names = "--metrics-listen", paramLabel = "HOST:PORT", description = "Serve Prometheus metrics over"
            + " plain HTTP at http://HOST:PORT/metrics (default: none).")
    String metricsListen;

    public static void main(String[] args) {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tL%1$tz %4$s %3$s: %5$s%6$s%n");
        }
        VERSION_WARNINGS.setLevel(java.util.logging.Level.SEVERE);
        CommandLine commandLine = new CommandLine(new Main());
        commandLine.setExecutionExceptionHandler((e, cl, parsed) -> {
            cl.getErr().println("csi-driver: " + e.getMessage());
            return 1;
        });
        System.exit(commandLine.execute(args));
    }

    @Override
    public Integer call() throws Exception {
        boolean node = mode != Mode.controller;
        boolean controller = mode != Mode.node;
        if (node && (nodeId == null || nodeId.isBlank())) {
            throw new IllegalArgumentException("--node-id is needed in node mode (the name of this node)");
        }
        if (restoreWaitSeconds < 1) {
            throw new IllegalArgumentException("--restore-wait must be at least 1 second");
        }
        if (fromStorageArrays == !agentEndpoints.isEmpty()) {
            throw new IllegalArgumentException(fromStorageArrays
                    ? "give either --agent or --storage-arrays, not both"
                    : "no agents: give --agent HOST:PORT (repeatable) or, in a cluster, --storage-arrays");
        }
        NodeAddress address = new NodeAddress(Optional.ofNullable(nodeAddress)); // checked before anything starts
        Path socket = CsiServer.socketPath(endpoint);
        List<AutoCloseable> closeAtExit = new ArrayList<>();
        TlsFiles tlsFiles = TlsFiles.fromOptions(tlsCert, tlsKey, tlsCa, insecureDev);
        ChannelCredentials credentials;
        if (tlsFiles == null) {
            LOG.warning("INSECURE: --insecure-dev: the agents are called in plaintext; for a laptop or a test only");
            credentials = InsecureChannelCredentials.create();
        } else {
            ReloadingTls tls = tlsFiles.load(TlsFiles.DEFAULT_RELOAD_INTERVAL);
            closeAtExit.add(tls);
            credentials = tls.agentChannelCredentials();
            LOG.info("mutual TLS with the agents as " + tls.identity().describe() + " (certificate valid until "
                    + tls.certificate().getNotAfter().toInstant() + ")");
        }
        Agents agents;
        if (fromStorageArrays) {
            KubernetesClient kubernetes = new KubernetesClientBuilder().build();
            StorageArrayAgents source;
            try {
                source = StorageArrayAgents.watch(kubernetes, node ? nodeId : null,
                        agentEndpoint -> new GrpcAgent(agentEndpoint, credentials));
            } catch (KubernetesClientException e) {
                kubernetes.close();
                throw new IllegalStateException("cannot list the StorageArray resources at "
                        + kubernetes.getMasterUrl() + " (" + rootCause(e) + "); run the driver in a pod whose"
                        + " service account may list and watch storagearrays, or point $KUBECONFIG at the cluster", e);
            }
            closeAtExit.add(source);
            closeAtExit.add(kubernetes);
            agents = new Agents(source);
        } else {
            List<GrpcAgent> clients = agentEndpoints.stream().map(e -> new GrpcAgent(e, credentials)).toList();
            closeAtExit.addAll(clients);
            agents = new Agents(clients);
        }
        OperationLocks locks = new OperationLocks();
        List<BindableService> services = new ArrayList<>();
        services.add(new IdentityService(agents, version()));
        if (controller) {
            VolumeOperations volumes = new VolumeOperations(agents, locks);
            services.add(new ControllerService(new VolumeProvisioner(agents, locks, Duration.ofSeconds(restoreWaitSeconds)),
                    volumes, new Snapshots(agents, volumes, locks)));
            services.add(new GroupControllerService(new GroupSnapshots(agents, volumes, locks)));
        }
        if (node) {
            Commands commands = new Commands();
            Mounts mounts = new Mounts();
            NbdAttacher attacher = new NbdAttacher(stateDir, commands, mounts);
            services.add(new NodeService(nodeId, address, agents,
                    locks, new NodeStager(attacher, new FileSystems(commands), mounts,
                    commands), new NodePublisher(attacher, mounts, commands), new VolumeStats(mounts, commands),
                    new NodeExpander(attacher, new FileSystems(commands), mounts)));
        }
        List<io.grpc.ServerInterceptor> interceptors = new ArrayList<>();
        if (metricsListen != null) {
            CsiMetrics metrics = CsiMetrics.start(metricsAddress(metricsListen));
            closeAtExit.add(metrics);
            interceptors.add(metrics);
            LOG.info("metrics http://" + metricsListen.substring(0, metricsListen.lastIndexOf(':') + 1) + metrics.port()
                    + "/metrics");
        }
        CsiServer server = CsiServer.start(socket, services, interceptors);
        LOG.info("csi-driver " + version() + " (" + mode + ") serving " + IdentityService.NAME + " on " + socket
                + " with agents " + (fromStorageArrays ? "from the StorageArray resources: " : "") + agents.endpoints());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            for (AutoCloseable closeable : closeAtExit) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    LOG.warning("closing " + closeable + " at exit: " + e);
                }
            }
        }));
        server.awaitTermination();
        return 0;
    }

    private static java.net.InetSocketAddress metricsAddress(String text) {
        int colon = text.lastIndexOf(':');
        int port = -1;
        if (colon > 0) {
            try {
                port = Integer.parseInt(text.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--metrics-listen '" + text + "' is not HOST:PORT, e.g. 127.0.0.1:9401");
        }
        String host = text.substring(0, colon);
        return new java.net.InetSocketAddress(host.startsWith("[") && host.endsWith("]")
                ? host.substring(1, host.length() - 1) : host, port);
    }

    private static String rootCause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.toString();
    }

    static String version() {
        String version = Main.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"csi-driver " + version()};
        }
    }
}
