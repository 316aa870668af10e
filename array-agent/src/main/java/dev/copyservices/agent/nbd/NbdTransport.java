package dev.copyservices.agent.nbd;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.SSLEngine;

/**
 * One NBD connection's byte stream: the socket itself, or TLS over it once the client asked for
 * NBD_OPT_STARTTLS. Everything above (negotiation, requests, replies) reads and writes through this,
 * so the upgrade in the middle of the negotiation is invisible to it.
 */
final class NbdTransport {
    private final SocketChannel ch;
    private final SocketAddress remote;
    private volatile TlsChannel tls;

    NbdTransport(SocketChannel ch) throws IOException {
        this.ch = ch;
        this.remote = ch.getRemoteAddress();
    }

    SocketAddress remote() {
        return remote;
    }

    InetAddress clientAddress() {
        return ((InetSocketAddress) remote).getAddress();
    }

    boolean secure() {
        return tls != null;
    }

    /** The client's certificate, once TLS is up (the server requires one). */
    Optional<X509Certificate> peerCertificate() {
        TlsChannel t = tls;
        return t == null ? Optional.empty() : Optional.of(t.peerCertificate());
    }

    /**
     * Runs the TLS handshake as the server, right after the STARTTLS acknowledgement; from then on
     * every byte goes through it. A failed handshake leaves the connection unusable: the caller drops it.
     */
    void startTls(SSLEngine engine) throws IOException {
        TlsChannel channel = new TlsChannel(ch, engine);
        channel.handshake();
        tls = channel;
    }

    /** Reads at least one byte into {@code dst} (blocking), or returns -1 at the end of the stream. */
    int read(ByteBuffer dst) throws IOException {
        TlsChannel t = tls;
        return t == null ? ch.read(dst) : t.read(dst);
    }

    /** Writes some of {@code srcs} (blocking); callers loop until everything is out. */
    long write(ByteBuffer[] srcs) throws IOException {
        TlsChannel t = tls;
        return t == null ? ch.write(srcs) : t.write(srcs);
    }

    /** Closes the socket, which also wakes a thread blocked reading it. */
    void close() throws IOException {
        ch.close();
    }
}
