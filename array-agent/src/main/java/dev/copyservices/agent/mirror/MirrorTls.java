package dev.copyservices.agent.mirror;

import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The replication link's mutual TLS: this agent's certificate and key (PEM, PKCS#8 key) and the CA
 * that signs the peers' certificates. Both ends present a certificate; each trusts only the CA's.
 */
public record MirrorTls(Path certificate, Path key, Path authority) {

    /** Refuses files that are missing, so that the agent stops at start-up and not at the first mirror. */
    public MirrorTls {
        for (Path file : new Path[] {certificate, key, authority}) {
            if (!Files.isReadable(file)) {
                throw new IllegalArgumentException("TLS file " + file + " cannot be read; give --tls-cert, --tls-key"
                        + " and --tls-ca as readable PEM files");
            }
        }
    }

    SslContext server() throws IOException {
        try {
            return GrpcSslContexts.forServer(certificate.toFile(), key.toFile()).trustManager(authority.toFile())
                    .clientAuth(ClientAuth.REQUIRE).build();
        } catch (IllegalArgumentException | javax.net.ssl.SSLException e) {
            throw new IOException("the TLS files cannot be used (" + e.getMessage() + "); check that --tls-key is the"
                    + " PKCS#8 PEM key of --tls-cert", e);
        }
    }

    SslContext client() throws IOException {
        try {
            return GrpcSslContexts.forClient().keyManager(certificate.toFile(), key.toFile())
                    .trustManager(authority.toFile()).build();
        } catch (IllegalArgumentException | javax.net.ssl.SSLException e) {
            throw new IOException("the TLS files cannot be used (" + e.getMessage() + ")", e);
        }
    }

    /** Server contexts for the replication listener, built once at start-up so that bad files stop the agent. */
    public io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder serverBuilder(java.net.InetSocketAddress address)
            throws IOException {
        return io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder.forAddress(address).sslContext(server());
    }
}
