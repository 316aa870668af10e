package dev.copyservices.csi;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The CSI services on a unix domain socket (netty's epoll transport, which gRPC's shaded netty carries). */
public final class CsiServer implements AutoCloseable {
    private final Path socket;
    private final EventLoopGroup group;
    private final Server server;

    private CsiServer(Path socket, EventLoopGroup group, Server server) {
        this.socket = socket;
        this.group = group;
        this.server = server;
    }

    /** Parses unix:///path (or unix:/path) into the socket's path. */
    public static Path socketPath(String endpoint) {
        String path;
        if (endpoint.startsWith("unix://")) {
            path = endpoint.substring("unix://".length());
        } else if (endpoint.startsWith("unix:")) {
            path = endpoint.substring("unix:".length());
        } else {
            throw new IllegalArgumentException("--endpoint '" + endpoint + "' is not a unix socket; give unix:///PATH");
        }
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("--endpoint '" + endpoint + "' needs an absolute path: unix:///PATH");
        }
        return Path.of(path);
    }

    public static CsiServer start(Path socket, List<BindableService> services) throws IOException {
        return start(socket, services, List.of());
    }

    /** With {@code interceptors} around every service (the metrics). */
    public static CsiServer start(Path socket, List<BindableService> services, List<ServerInterceptor> interceptors)
            throws IOException {
        if (!Epoll.isAvailable()) {
            throw new IOException("the epoll transport is not available here (" + Epoll.unavailabilityCause()
                    + "); the CSI driver runs on Linux x86_64");
        }
        Files.createDirectories(socket.toAbsolutePath().getParent());
        // a socket file left by a driver that was killed would make the bind fail
        Files.deleteIfExists(socket);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .channelType(EpollServerDomainSocketChannel.class)
                .bossEventLoopGroup(group)
                .workerEventLoopGroup(group)
                // TCP keepalive means nothing on a unix socket; netty warns about it on every connection
                .withChildOption(ChannelOption.SO_KEEPALIVE, null);
        services.forEach(service -> builder.addService(ServerInterceptors.intercept(service, interceptors)));
        Server server = builder.build().start();
        return new CsiServer(socket, group, server);
    }

    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    @Override
    public void close() {
        server.shutdown();
        try {
            if (!server.awaitTermination(10, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        try {
            Files.deleteIfExists(socket);
        } catch (IOException ignored) {
            // the next start removes it
        }
    }
}
