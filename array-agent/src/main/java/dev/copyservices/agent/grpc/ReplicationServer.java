package dev.copyservices.agent.grpc;

import dev.copyservices.agent.security.AccessPolicy;
import dev.copyservices.api.tls.ReloadingTls;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import dev.copyservices.agent.mirror.PeerSide;
import dev.copyservices.api.agent.v1.ReplicationAck;
import dev.copyservices.api.agent.v1.ReplicationBatch;
import dev.copyservices.api.agent.v1.ReplicationServiceGrpc;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The replication listener: the agent-to-agent service behind mutual TLS. Clients must present an
 * array agent's certificate of the CA, from a peer site when --peer-site names them.
 */
public final class ReplicationServer implements AutoCloseable {
    private final Server server;

    public ReplicationServer(InetSocketAddress address, ReloadingTls tls, AccessPolicy policy, PeerSide peer)
            throws IOException {
        AliasingBatchMarshaller batches = new AliasingBatchMarshaller();
        // a window of a few resync runs: with gRPC's 1 MiB a 4 MiB run crossed the link in stop-and-wait steps
        this.server = NettyServerBuilder.forAddress(address, tls.serverCredentials()).maxInboundMessageSize(16 << 20)
                .flowControlWindow(16 << 20)
                .addService(ServerInterceptors.intercept(withBatchMarshaller(
                        new ReplicationGrpcService(peer, batches).bindService(), batches),
                        AccessInterceptor.replication(policy)))
                .build();
    }

    /** The service with its Replicate method reading batches through {@code batches} (no copy of their data). */
    static ServerServiceDefinition withBatchMarshaller(ServerServiceDefinition service,
            AliasingBatchMarshaller batches) {
        ServerServiceDefinition.Builder builder = ServerServiceDefinition.builder(
                service.getServiceDescriptor().getName());
        for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
            if (method.getMethodDescriptor().getFullMethodName().equals(
                    ReplicationServiceGrpc.getReplicateMethod().getFullMethodName())) {
                builder.addMethod(replicate(method, batches));
            } else {
                builder.addMethod(method);
            }
        }
        return builder.build();
    }

    @SuppressWarnings("unchecked")
    private static ServerMethodDefinition<ReplicationBatch, ReplicationAck> replicate(ServerMethodDefinition<?, ?> method,
            AliasingBatchMarshaller batches) {
        ServerMethodDefinition<ReplicationBatch, ReplicationAck> typed =
                (ServerMethodDefinition<ReplicationBatch, ReplicationAck>) method;
        MethodDescriptor<ReplicationBatch, ReplicationAck> descriptor = typed.getMethodDescriptor()
                .toBuilder(batches, typed.getMethodDescriptor().getResponseMarshaller()).build();
        return ServerMethodDefinition.create(descriptor, typed.getServerCallHandler());
    }

    public ReplicationServer start() throws IOException {
        server.start();
        return this;
    }

    public int port() {
        return server.getPort();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdown();
        if (!server.awaitTermination(3, TimeUnit.SECONDS)) {
            server.shutdownNow();
        }
    }
}
