package dev.copyservices.csi.it;

import dev.copyservices.agent.it.AgentProcess;
import dev.copyservices.csi.v1.IdentityGrpc;
import dev.copyservices.csi.v1.ProbeRequest;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real driver process started with bin/csi-driver (controller and node together), with a gRPC
 * channel to its unix socket. Ready once Probe answers ready, polled with a deadline.
 */
final class CsiDriverProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path socket;
    private final Path stateDir;
    private final Path log;
    private final Process process;
    private final EventLoopGroup group;
    private final ManagedChannel channel;

    private CsiDriverProcess(Path dir, String nodeId, String mode, List<String> agentArgs, Path kubeconfig)
            throws IOException {
        Files.createDirectories(dir);
        this.socket = dir.resolve("csi.sock");
        this.stateDir = dir.resolve("state");
        this.log = dir.resolve("driver.log");
        List<String> command = new ArrayList<>(List.of(AgentProcess.root().resolve("bin/csi-driver").toString(),
                "--endpoint", "unix://" + socket, "--node-id", nodeId, "--state-dir", stateDir.toString(),
                "--mode", mode));
        command.addAll(agentArgs);
        if (!agentArgs.contains("--tls-cert")) {
            command.add("--insecure-dev"); // as the test agents run
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        AgentProcess.sameJdk(builder);
        if (kubeconfig != null) {
            builder.environment().put("KUBECONFIG", kubeconfig.toString());
        }
        this.process = builder.start();
        this.group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        this.channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollDomainSocketChannel.class).eventLoopGroup(group).usePlaintext()
                .withOption(ChannelOption.SO_KEEPALIVE, null).build();
    }

    /** Controller and node in one process. */
    static CsiDriverProcess start(Path dir, String nodeId, String... agents) throws IOException, InterruptedException {
        return startInMode("both", dir, nodeId, agents);
    }

    /** mode: controller, node or both. */
    static CsiDriverProcess startInMode(String mode, Path dir, String nodeId, String... agents)
            throws IOException, InterruptedException {
        List<String> agentArgs = new ArrayList<>();
        for (String agent : agents) {
            agentArgs.add("--agent");
            agentArgs.add(agent);
        }
        CsiDriverProcess driver = new CsiDriverProcess(dir, nodeId, mode, agentArgs, null);
        driver.awaitServing(true);
        return driver;
    }

    /** A driver with these arguments after the common ones (e.g. --agent and --tls-* options), ready. */
    static CsiDriverProcess startWithArgs(Path dir, String nodeId, List<String> args)
            throws IOException, InterruptedException {
        CsiDriverProcess driver = new CsiDriverProcess(dir, nodeId, "both", args, null);
        driver.awaitServing(true);
        return driver;
    }

    /**
     * A driver that takes its agents from the StorageArray resources of the cluster in kubeconfig;
     * returns once it answers Probe, ready or not (it is not while it has no agent).
     */
    static CsiDriverProcess startWithStorageArrays(String mode, Path dir, String nodeId, Path kubeconfig)
            throws IOException, InterruptedException {
        CsiDriverProcess driver = new CsiDriverProcess(dir, nodeId, mode, List.of("--storage-arrays"), kubeconfig);
        driver.awaitServing(false);
        return driver;
    }

    private void awaitServing(boolean ready) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("csi-driver exited with " + process.exitValue() + ":\n" + log());
            }
            if (Files.exists(socket)) {
                try {
                    if (IdentityGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
                            .probe(ProbeRequest.getDefaultInstance()).getReady().getValue()) {
                        return;
                    }
                } catch (StatusRuntimeException notYet) {
                    if (!ready && notYet.getStatus().getCode() == io.grpc.Status.Code.FAILED_PRECONDITION) {
                        return;
                    }
                    // not listening yet, or not ready: ask again
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("csi-driver not ready after " + START_TIMEOUT + ":\n" + log());
            }
            channel.resetConnectBackoff();
            Thread.sleep(50);
        }
    }

    ManagedChannel channel() {
        return channel;
    }

    Path socket() {
        return socket;
    }

    Path stateDir() {
        return stateDir;
    }

    String log() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Override
    public void close() {
        channel.shutdownNow();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
