package dev.copyservices.agent.grpc;

import dev.copyservices.agent.mirror.MirrorTls;
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

/** The replication listener: the agent-to-agent service behind mutual TLS (clients must present a CA-signed certificate). */
public final class ReplicationServer implements AutoCloseable {
    private final Server server;

    public ReplicationServer(InetSocketAddress address, MirrorTls tls, PeerSide peer) throws IOException {
        AliasingBatchMarshaller batches = new AliasingBatchMarshaller();
        // a window of a few resync runs: with gRPC's 1 MiB a 4 MiB run crossed the link in stop-and-wait steps
        this.server = tls.serverBuilder(address).maxInboundMessageSize(16 << 20).flowControlWindow(16 << 20)
                .addService(withBatchMarshaller(new ReplicationGrpcService(peer, batches).bindService(), batches))
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
