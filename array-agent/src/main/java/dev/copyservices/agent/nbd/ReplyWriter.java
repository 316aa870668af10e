package dev.copyservices.agent.nbd;

import static dev.copyservices.agent.nbd.NbdProtocol.REPLY_HEADER_SIZE;
import static dev.copyservices.agent.nbd.NbdProtocol.SIMPLE_REPLY_MAGIC;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes simple replies for one connection. Replies come from many threads in completion order;
 * the lock keeps each one (header and data, sent with one gathering write) whole on the wire.
 * The lock is per connection, so connections never wait for each other.
 *
 * <p>A reply without data never waits for the lock: when another thread is sending, it is queued
 * and that thread sends it along with any others queued meanwhile, in one write. Under load this
 * turns many small writes (and as many wake-ups of the client) into a few, and keeps threads
 * from parking on the lock, which costs more than the 16 bytes they want to send.
 */
final class ReplyWriter {
    /** Replies per batched write; the queue itself is bounded by the requests in flight. */
    private static final int BATCH = 64;

    private final NbdTransport ch;
    private final Runnable onFailure;
    private final ReentrantLock lock = new ReentrantLock();
    private final ConcurrentLinkedQueue<Header> queued = new ConcurrentLinkedQueue<>();
    // Owned by the lock holder.
    private final ByteBuffer headers = ByteBuffer.allocateDirect(REPLY_HEADER_SIZE * BATCH);
    private final ByteBuffer[] gather = new ByteBuffer[2];
    private boolean failed;

    /** @param onFailure run when a reply cannot be sent whole: the stream is then unframeable */
    ReplyWriter(NbdTransport ch, Runnable onFailure) {
        this.ch = ch;
        this.onFailure = onFailure;
    }

    /**
     * Sends a reply; {@code data} (may be null) goes out only when {@code error} is 0. A reply
     * with data is on the wire when this returns, so its buffer may be reused; one without data
     * may still be queued for the thread that holds the lock.
     */
    void reply(long cookie, int error, ByteBuffer data) {
        if (error != 0 || data == null || !data.hasRemaining()) {
            // Queue first, then try the lock: either we get it, or its holder finds our reply
            // when it looks at the queue after unlocking.
            queued.add(new Header(cookie, error));
            if (!lock.tryLock()) {
                return;
            }
            sendQueuedAndUnlock();
            return;
        }
        lock.lock();
        try {
            if (!failed) {
                headers.clear();
                put(headers, cookie, 0);
                headers.flip();
                gather[0] = headers;
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
            fail();
        }
        sendQueuedAndUnlock();
    }

    /** Called holding the lock: sends what is queued, unlocks, and repeats if more arrived. */
    private void sendQueuedAndUnlock() {
        do {
            try {
                Header h;
                while ((h = queued.poll()) != null) {
                    if (failed) {
                        continue; // the stream is gone: drop what is left
                    }
                    headers.clear();
                    do {
                        put(headers, h.cookie, h.error);
                    } while (headers.hasRemaining() && (h = queued.poll()) != null);
                    headers.flip();
                    Wire.writeFully(ch, headers);
                }
            } catch (IOException e) {
                fail();
            } finally {
                lock.unlock();
            }
        } while (!queued.isEmpty() && lock.tryLock());
    }

    private void fail() {
        if (!failed) {
            failed = true;
            onFailure.run();
        }
    }

    private static void put(ByteBuffer buf, long cookie, int error) {
        buf.putInt(SIMPLE_REPLY_MAGIC).putInt(error).putLong(cookie);
    }

    private record Header(long cookie, int error) {
    }
}
