package dev.copyservices.agent.nbd;

import static dev.copyservices.agent.nbd.NbdProtocol.REPLY_HEADER_SIZE;
import static dev.copyservices.agent.nbd.NbdProtocol.SIMPLE_REPLY_MAGIC;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes simple replies for one connection. Replies come from many threads in completion order;
 * the lock keeps each one (header and data, sent with one gathering write) whole on the wire.
 * The lock is per connection, so connections never wait for each other.
 */
final class ReplyWriter {
    private final SocketChannel ch;
    private final Runnable onFailure;
    private final ReentrantLock lock = new ReentrantLock();
    private final ByteBuffer header = ByteBuffer.allocateDirect(REPLY_HEADER_SIZE);
    private final ByteBuffer[] gather = new ByteBuffer[2];

    /** @param onFailure run when a reply cannot be sent whole: the stream is then unframeable */
    ReplyWriter(SocketChannel ch, Runnable onFailure) {
        this.ch = ch;
        this.onFailure = onFailure;
    }

    /** Sends a reply; {@code data} (may be null) goes out only when {@code error} is 0. */
    void reply(long cookie, int error, ByteBuffer data) {
        lock.lock();
        try {
            header.clear();
            header.putInt(SIMPLE_REPLY_MAGIC).putInt(error).putLong(cookie).flip();
            if (error != 0 || data == null || !data.hasRemaining()) {
                Wire.writeFully(ch, header);
            } else {
                gather[0] = header;
                gather[1] = data;
                try {
                    while (data.hasRemaining()) {
                        ch.write(gather);
                    }
                } finally {
                    gather[1] = null;
                }
            }
        } catch (IOException e) {
            onFailure.run();
        } finally {
            lock.unlock();
        }
    }
}
