package dev.copyservices.agent.nbd;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * TLS (server side) over a blocking socket channel with an {@link SSLEngine}. One thread may read
 * while another writes, as an NBD connection does (the reader role reads requests while workers
 * send replies): reads and writes have locks of their own, and the engine allows wrap and unwrap
 * at the same time. The read side may need to send (a TLS 1.3 key update answer, a close_notify),
 * which it does under the write lock; the write side never takes the read lock.
 */
final class TlsChannel {
    private static final ByteBuffer[] NOTHING = {ByteBuffer.allocate(0)};

    private final SocketChannel ch;
    private final SSLEngine engine;
    private final Object readLock = new Object();
    private final Object writeLock = new Object();
    // Owned by readLock: netIn is kept ready for filling from the socket, appIn ready for draining.
    private ByteBuffer netIn;
    private ByteBuffer appIn;
    // Owned by writeLock.
    private ByteBuffer netOut;

    TlsChannel(SocketChannel ch, SSLEngine engine) {
        this.ch = ch;
        this.engine = engine;
        int packet = engine.getSession().getPacketBufferSize();
        this.netIn = ByteBuffer.allocate(packet);
        this.appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize()).flip();
        this.netOut = ByteBuffer.allocate(packet);
    }

    void handshake() throws IOException {
        engine.beginHandshake();
        while (true) {
            switch (engine.getHandshakeStatus()) {
                case NEED_WRAP -> {
                    synchronized (writeLock) {
                        wrapAndSend(NOTHING);
                    }
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    synchronized (readLock) {
                        if (!unwrapOnce()) {
                            throw new EOFException("peer closed the connection during the TLS handshake");
                        }
                    }
                }
                case NEED_TASK -> runTasks();
                case FINISHED, NOT_HANDSHAKING -> {
                    return;
                }
            }
        }
    }

    X509Certificate peerCertificate() {
        try {
            return (X509Certificate) engine.getSession().getPeerCertificates()[0];
        } catch (SSLPeerUnverifiedException e) {
            throw new IllegalStateException("TLS without a client certificate; the engine must require one", e);
        }
    }

    int read(ByteBuffer dst) throws IOException {
        synchronized (readLock) {
            while (!appIn.hasRemaining()) {
                if (!unwrapOnce()) {
                    return -1;
                }
            }
            int n = Math.min(appIn.remaining(), dst.remaining());
            dst.put(dst.position(), appIn, appIn.position(), n).position(dst.position() + n);
            appIn.position(appIn.position() + n);
            return n;
        }
    }

    long write(ByteBuffer[] srcs) throws IOException {
        synchronized (writeLock) {
            return wrapAndSend(srcs);
        }
    }

    /**
     * One step of decryption: unwraps what has arrived, reading more from the socket when a record
     * is incomplete. Returns false at the end of the stream (the peer closed, cleanly or not).
     */
    private boolean unwrapOnce() throws IOException {
        netIn.flip();
        appIn.compact();
        SSLEngineResult result;
        try {
            result = engine.unwrap(netIn, appIn);
        } finally {
            netIn.compact();
            appIn.flip();
        }
        switch (result.getStatus()) {
            case OK -> {
                afterOperation(result);
                return true;
            }
            case BUFFER_UNDERFLOW -> {
                if (!netIn.hasRemaining()) { // a record larger than the buffer: grow it
                    netIn = grow(netIn.flip(), engine.getSession().getPacketBufferSize()).compact();
                }
                if (ch.read(netIn) < 0) {
                    closeInbound();
                    return false;
                }
                return true;
            }
            case BUFFER_OVERFLOW -> {
                appIn = grow(appIn, engine.getSession().getApplicationBufferSize());
                return true;
            }
            case CLOSED -> {
                afterOperation(result); // answers the close_notify when the engine wants to
                return false;
            }
            default -> throw new SSLException("unexpected TLS state " + result.getStatus());
        }
    }

    /** Encrypts {@code srcs} (or a handshake message when they are empty) and sends every record. */
    private long wrapAndSend(ByteBuffer[] srcs) throws IOException {
        long consumed = 0;
        do {
            netOut.clear();
            SSLEngineResult result = engine.wrap(srcs, netOut);
            switch (result.getStatus()) {
                case OK -> {
                    netOut.flip();
                    while (netOut.hasRemaining()) {
                        ch.write(netOut);
                    }
                    consumed += result.bytesConsumed();
                    if (result.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                        runTasks();
                    }
                    if (result.bytesConsumed() == 0 && result.bytesProduced() == 0) {
                        return consumed;
                    }
                }
                case BUFFER_OVERFLOW -> netOut = ByteBuffer.allocate(netOut.capacity() * 2);
                case CLOSED -> throw new SSLException("the TLS session is closed");
                default -> throw new SSLException("unexpected TLS state " + result.getStatus());
            }
        } while (remaining(srcs) > 0 || engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP);
        return consumed;
    }

    private void afterOperation(SSLEngineResult result) throws IOException {
        switch (result.getHandshakeStatus()) {
            case NEED_TASK -> runTasks();
            case NEED_WRAP -> {
                synchronized (writeLock) {
                    wrapAndSend(NOTHING);
                }
            }
            default -> {
                // nothing to do: data, or more to read
            }
        }
    }

    private void closeInbound() {
        try {
            engine.closeInbound();
        } catch (SSLException e) {
            // the peer went away without close_notify: the end of the stream all the same
        }
    }

    private void runTasks() {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }

    /** A larger buffer in the same (draining) mode holding what {@code buffer} had left. */
    private static ByteBuffer grow(ByteBuffer buffer, int atLeast) {
        ByteBuffer larger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.remaining() + atLeast));
        larger.put(buffer).flip();
        return larger;
    }

    private static long remaining(ByteBuffer[] buffers) {
        long n = 0;
        for (ByteBuffer b : buffers) {
            n += b.remaining();
        }
        return n;
    }
}
