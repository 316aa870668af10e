package dev.copyservices.agent.nbd;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;

/** Blocking read/write helpers over a connection: the protocol has no use for short reads. */
final class Wire {
    private Wire() {
    }

    /** Fills {@code buf} to its limit, or throws {@link EOFException} if the peer closes first. */
    static void readFully(NbdTransport ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            if (ch.read(buf) < 0) {
                throw new EOFException("peer closed the connection");
            }
        }
    }

    static void writeFully(NbdTransport ch, ByteBuffer... bufs) throws IOException {
        for (ByteBuffer buf : bufs) {
            while (buf.hasRemaining()) {
                ch.write(bufs);
            }
        }
    }
}
