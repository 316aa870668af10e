package dev.copyservices.agent.nbd;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/** Blocking read/write helpers over a socket channel: the protocol has no use for short reads. */
final class Wire {
    private Wire() {
    }

    /** Fills {@code buf} to its limit, or throws {@link EOFException} if the peer closes first. */
    static void readFully(SocketChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            if (ch.read(buf) < 0) {
                throw new EOFException("peer closed the connection");
            }
        }
    }

    static void writeFully(SocketChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }
}
