package dev.copyservices.agent.nbd;

import static dev.copyservices.agent.nbd.NbdProtocol.*;

import java.io.EOFException;
import java.io.IOException;
import java.net.ProtocolException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One client connection: negotiation, then the transmission phase.
 *
 * <p>Threading is leader/follower: a connection has up to {@code maxInFlight} threads, and
 * whichever holds {@link #readLock} is the only reader of the socket. It reads one request (the
 * header and, for a write, the whole payload, so a client that hangs up mid-payload never gets a
 * partial write applied), releases the lock so another thread can read the next request, and then
 * performs the request itself and replies. Compared with a reader handing requests to workers,
 * this keeps a thread switch off the latency path at queue depth 1, while slow requests still
 * never hold up later ones. Replies go out in completion order through {@link ReplyWriter}.
 *
 * <p>Memory stays bounded: the thread count bounds requests in flight, and a byte budget bounds
 * the payload buffers they hold.
 */
final class NbdConnection {
    private static final Logger LOG = Logger.getLogger(NbdConnection.class.getName());
    /** Unit of the payload budget, so permits stay within an int for any budget. */
    private static final int BUDGET_UNIT = 4096;
    /** How long a spare thread waits for the reader role before it exits. */
    private static final long IDLE_THREAD_TIMEOUT_SECONDS = 60;

    private final NbdTransport ch;
    private final NbdTls tls;
    private final ExportRegistry registry;
    private final BufferPool pool;
    private final ThreadFactory threadFactory;
    private final int maxThreads;
    private final Semaphore payloadBudget;
    private final Consumer<NbdConnection> onEnd;
    private volatile ScheduledFuture<?> negotiationDeadline;
    private final SocketAddress remote;
    private final ReplyWriter replies;

    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicReference<String> endReason = new AtomicReference<>();
    private volatile boolean negotiated;
    /** Set once no further request may be read; threads leave as they come back for the lock. */
    private volatile boolean stopping;

    private final AtomicInteger threads = new AtomicInteger();
    private final AtomicInteger waitingReaders = new AtomicInteger();
    private final ReentrantLock readLock = new ReentrantLock();
    // Owned by whoever holds readLock: buffered input lets one read() pick up several requests.
    private final ByteBuffer in = ByteBuffer.allocateDirect(64 << 10).flip();

    /** Why this connection may not enter transmission (a limit), or null. */
    private final String refusal;
    private Export export; // set once before the first follower starts, then only read
    private RequestHandler handler;

    /** @param tls TLS offered on STARTTLS, or null when the agent has none */
    NbdConnection(SocketChannel socket, ExportRegistry registry, BufferPool pool, ThreadFactory threadFactory,
            int maxInFlight, long maxInFlightBytes, Consumer<NbdConnection> onEnd, String refusal, NbdTls tls)
            throws IOException {
        this.ch = new NbdTransport(socket);
        this.tls = tls;
        this.refusal = refusal;
        this.registry = registry;
        this.pool = pool;
        this.threadFactory = threadFactory;
        this.maxThreads = maxInFlight;
        // At least one maximal payload must fit, or a single large request could never run.
        this.payloadBudget = new Semaphore((int) (Math.max(maxInFlightBytes, pool.maxSize()) / BUDGET_UNIT));
        this.onEnd = onEnd;
        this.remote = ch.remote();
        this.replies = new ReplyWriter(ch, () -> abort("could not send a reply"));
    }

    SocketAddress remote() {
        return remote;
    }

    /**
     * Starts the connection's first thread, which negotiates; the connection is dropped if
     * negotiation has not finished within {@code timeout}.
     */
    void start(ScheduledExecutorService timer, Duration timeout) {
        try {
            negotiationDeadline = timer.schedule(this::negotiationDeadlinePassed, timeout.toNanos(),
                    TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            abort("server is shutting down"); // the timer is gone with the server
        }
        threads.incrementAndGet();
        try {
            threadFactory.newThread(this::firstThread).start();
        } catch (RuntimeException | OutOfMemoryError e) {
            LOG.log(Level.WARNING, "could not start a thread for NBD connection " + remote, e);
            abort("no thread available");
            threads.decrementAndGet();
            end();
        }
    }

    /** Drops the connection from any thread (server shutdown, revoke). */
    void close() {
        abort("connection closed by server");
    }

    private void negotiationDeadlinePassed() {
        if (!negotiated) {
            abort("negotiation timed out");
        }
    }

    private void abort(String reason) {
        endReason.compareAndSet(null, reason);
        stopping = true;
        if (closed.compareAndSet(false, true)) {
            try {
                ch.close(); // wakes the thread blocked in read
            } catch (IOException e) {
                // nothing more to do for a socket we are abandoning
            }
        }
    }

    private void firstThread() {
        try {
            Optional<Export> chosen = new NbdHandshake(ch, registry, this::revoked, refusal, tls).negotiate();
            negotiated = true;
            ScheduledFuture<?> deadline = negotiationDeadline;
            if (deadline != null) {
                deadline.cancel(false);
            }
            if (chosen.isEmpty()) {
                abort("negotiation ended without an export");
            } else {
                export = chosen.get();
                handler = new RequestHandler(export);
                if (closed.get()) {
                    // Revoked or shut down while the handshake was finishing.
                    abort("connection closed by server");
                }
            }
        } catch (EOFException e) {
            abort("client disconnected during negotiation");
        } catch (ProtocolException e) {
            abort("protocol error during negotiation: " + e.getMessage());
        } catch (ClosedChannelException e) {
            abort(negotiated ? "connection closed by server" : "negotiation timed out or server closed");
        } catch (IOException e) {
            abort("I/O error during negotiation: " + e.getMessage());
        } catch (RuntimeException | Error e) {
            LOG.log(Level.WARNING, "NBD negotiation with " + remote + " failed", e);
            abort("internal error during negotiation: " + e);
        }
        serve();
    }

    private void revoked() {
        abort("export revoked");
    }

    /** The body of every connection thread: take the reader role, read, serve, repeat. */
    private void serve() {
        try {
            while (true) {
                Request request;
                waitingReaders.incrementAndGet();
                boolean reader;
                try {
                    reader = readLock.tryLock(IDLE_THREAD_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    reader = false;
                } finally {
                    waitingReaders.decrementAndGet();
                }
                if (!reader) {
                    // Idle for a long time while another thread holds the reader role: a burst is
                    // over, so give the thread back. The reader starts new followers on demand.
                    return;
                }
                try {
                    if (stopping) {
                        return;
                    }
                    request = readRequest();
                    if (request == null) {
                        continue; // answered already (refused) or nothing to do
                    }
                    // Someone must be ready to read the next request while we serve this one.
                    if (waitingReaders.get() == 0 && threads.get() < maxThreads) {
                        spawnFollower();
                    }
                } finally {
                    readLock.unlock();
                }
                serve(request);
            }
        } catch (EOFException e) {
            abort("client disconnected");
        } catch (ProtocolException e) {
            abort("protocol error: " + e.getMessage());
        } catch (ClosedChannelException e) {
            abort("connection closed by server");
        } catch (IOException e) {
            abort("I/O error: " + e.getMessage());
        } catch (RuntimeException | Error e) {
            LOG.log(Level.WARNING, "NBD connection " + remote + " failed", e);
            abort("internal error: " + e);
        } finally {
            if (threads.decrementAndGet() == 0) {
                end();
            }
        }
    }

    private void spawnFollower() {
        threads.incrementAndGet();
        try {
            threadFactory.newThread(this::serve).start();
        } catch (RuntimeException | OutOfMemoryError e) {
            // No thread to be had: this one reads again once it has served its request.
            threads.decrementAndGet();
            LOG.log(Level.FINE, "could not start an NBD connection thread", e);
        }
    }

    /** Runs once, on the last thread out: every request has been answered or abandoned. */
    private void end() {
        // The hold goes before the socket: a client that sees the connection close (after its
        // disconnect request) may delete or reconfigure the volume at once, and must not find it in use.
        if (export != null) {
            try {
                export.close();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "closing the hold on export " + export.name() + " failed", e);
            }
        }
        abort("client disconnected");
        LOG.info("NBD connection " + remote + " closed"
                + (export != null ? " (export " + export.name() + ")" : "") + ": " + endReason.get());
        ScheduledFuture<?> deadline = negotiationDeadline;
        if (deadline != null) {
            deadline.cancel(false); // do not keep this connection reachable from the timer
        }
        onEnd.accept(this);
    }

    /**
     * Reads the next request while holding the reader role. Returns null when the request was
     * refused (and answered) or needs no work; throws to end the connection.
     */
    private Request readRequest() throws IOException {
        fill(REQUEST_HEADER_SIZE);
        int magic = in.getInt();
        if (magic != REQUEST_MAGIC) {
            throw new ProtocolException("bad request magic 0x" + Integer.toHexString(magic));
        }
        int flags = Short.toUnsignedInt(in.getShort());
        int type = Short.toUnsignedInt(in.getShort());
        long cookie = in.getLong();
        long offset = in.getLong();
        long length = Integer.toUnsignedLong(in.getInt());
        if (type == CMD_DISC) {
            // Soft disconnect: read nothing more; requests already read finish and reply, and the
            // last thread out closes the socket.
            endReason.compareAndSet(null, "client sent disconnect");
            stopping = true;
            return null;
        }
        int error = handler.validate(type, flags, offset, length);
        if (error != 0) {
            if (type == CMD_WRITE) {
                // Keep the stream in sync. Any length up to the 4 GiB the header can express is
                // skipped in bounded chunks, never buffered: cheaper for us than a reconnect.
                skip(length);
            }
            replies.reply(cookie, error, null);
            return null;
        }
        if (type != CMD_READ && type != CMD_WRITE) {
            return new Request(type, flags, cookie, offset, length, null, 0);
        }
        int units = (int) ((length + BUDGET_UNIT - 1) / BUDGET_UNIT);
        payloadBudget.acquireUninterruptibly(units);
        ByteBuffer buffer = pool.acquire((int) length);
        Request request = new Request(type, flags, cookie, offset, length, buffer, units);
        if (type == CMD_WRITE) {
            try {
                readPayload(buffer);
            } catch (IOException | RuntimeException e) {
                release(request); // the payload is incomplete: the write is dropped, never applied
                throw e;
            }
            buffer.flip();
        }
        return request;
    }

    private void serve(Request r) {
        try {
            int error = handler.execute(r.type, r.flags, r.offset, r.length, r.buffer);
            replies.reply(r.cookie, error, r.type == CMD_READ ? r.buffer : null);
        } finally {
            release(r);
        }
    }

    private void release(Request r) {
        if (r.buffer != null) {
            pool.release(r.buffer);
            payloadBudget.release(r.budgetUnits);
        }
    }

    /** Makes at least {@code n} bytes available in {@link #in}. */
    private void fill(int n) throws IOException {
        if (in.remaining() >= n) {
            return;
        }
        in.compact();
        try {
            while (in.position() < n) {
                if (ch.read(in) < 0) {
                    throw new EOFException("peer closed the connection");
                }
            }
        } finally {
            in.flip();
        }
    }

    private void readPayload(ByteBuffer dst) throws IOException {
        int buffered = Math.min(in.remaining(), dst.remaining());
        if (buffered > 0) {
            dst.put(dst.position(), in, in.position(), buffered).position(dst.position() + buffered);
            in.position(in.position() + buffered);
        }
        Wire.readFully(ch, dst); // the rest straight into the request's buffer, no copy
    }

    private void skip(long length) throws IOException {
        int buffered = (int) Math.min(in.remaining(), length);
        in.position(in.position() + buffered);
        long left = length - buffered;
        if (left == 0) {
            return;
        }
        while (left > 0) {
            in.clear();
            if (left < in.capacity()) {
                in.limit((int) left);
            }
            Wire.readFully(ch, in);
            left -= in.limit();
        }
        in.clear().flip(); // everything read was payload: nothing stays buffered
    }

    private record Request(int type, int flags, long cookie, long offset, long length, ByteBuffer buffer,
            int budgetUnits) {
    }
}
