package dev.copyservices.agent.grpc;

import dev.copyservices.agent.array.ArrayEngine;
import dev.copyservices.agent.flashcopy.FlashCopyEngine;
import dev.copyservices.agent.events.EventLog;
import dev.copyservices.agent.volume.VolumeEngine;
import dev.copyservices.agent.volumecopy.VolumeCopyEngine;
import dev.copyservices.agent.security.TransportSecurity;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** The agent's gRPC endpoint: the copyservices services, health and server reflection. */
public final class ControlServer implements AutoCloseable {
    private final Server server;
    private final HealthStatusManager health = new HealthStatusManager();

    public ControlServer(InetSocketAddress address, TransportSecurity security, ArrayEngine array,
            VolumeEngine volumes, FlashCopyEngine flashCopies, VolumeCopyEngine volumeCopies,
            dev.copyservices.agent.mirror.MirrorEngine mirrors, EventLog events) throws IOException {
        // the log runs first (interceptors run last-given first), so that refusals are logged like any call
        ServerInterceptor[] chain = security.insecure()
                ? new ServerInterceptor[] {new CallLogInterceptor()}
                : new ServerInterceptor[] {AccessInterceptor.control(security.policy()), new CallLogInterceptor()};
        NettyServerBuilder builder = security.tls().isPresent()
                ? NettyServerBuilder.forAddress(address, security.tls().get().serverCredentials())
                : NettyServerBuilder.forAddress(address);
        this.server = builder
                .addService(ServerInterceptors.intercept(new ArrayGrpcService(array, security), chain))
                .addService(ServerInterceptors.intercept(new VolumeGrpcService(volumes), chain))
                .addService(ServerInterceptors.intercept(new FlashCopyGrpcService(flashCopies), chain))
                .addService(ServerInterceptors.intercept(
                        new FlashCopyRelationshipGrpcService(flashCopies.relationships()), chain))
                .addService(ServerInterceptors.intercept(new FlashCopyGroupGrpcService(flashCopies.groups()), chain))
                .addService(ServerInterceptors.intercept(new VolumeCopyGrpcService(volumeCopies), chain))
                .addService(ServerInterceptors.intercept(new MirrorGrpcService(mirrors), chain))
                .addService(ServerInterceptors.intercept(new EventGrpcService(events), chain))
                .addService(ServerInterceptors.intercept(health.getHealthService(), chain))
                .addService(ServerInterceptors.intercept(ProtoReflectionServiceV1.newInstance(), chain))
                .build();
        // not SERVING until the whole agent is up: a probe must not send work to a half-started agent
        health.setStatus("", io.grpc.health.v1.HealthCheckResponse.ServingStatus.NOT_SERVING);
    }

    public ControlServer start() throws IOException {
        server.start();
        return this;
    }

    public int port() {
        return server.getPort();
    }

    /** Tells health checkers the agent serves; set once the data path is up too. */
    public void markServing() {
        health.setStatus("", io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING);
    }

    @Override
    public void close() throws InterruptedException {
        health.enterTerminalState();
        server.shutdown();
        if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
            server.shutdownNow();
        }
    }
}
