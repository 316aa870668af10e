package dev.copyservices.agent.grpc;

import dev.copyservices.agent.mirror.MirrorTls;
import dev.copyservices.agent.mirror.PeerSide;
import io.grpc.Server;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** The replication listener: the agent-to-agent service behind mutual TLS (clients must present a CA-signed certificate). */
public final class ReplicationServer implements AutoCloseable {
    private final Server server;

    public ReplicationServer(InetSocketAddress address, MirrorTls tls, PeerSide peer) throws IOException {
        this.server = tls.serverBuilder(address).maxInboundMessageSize(16 << 20)
                .addService(new ReplicationGrpcService(peer)).build();
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
