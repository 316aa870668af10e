package dev.copyservices.agent.nbd;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Serves the exports of an {@link ExportRegistry} over NBD (fixed newstyle, simple replies).
 *
 * <p>Protocol choices worth knowing when reading client logs:
 * <ul>
 *   <li>Transmission flags: HAS_FLAGS, SEND_FLUSH, SEND_FUA, SEND_TRIM, SEND_WRITE_ZEROES,
 *       CAN_MULTI_CONN, and READ_ONLY for read-only exports. Block sizes advertised: 1 / 4096 /
 *       32 MiB.
 *   <li>Out-of-range requests: ENOSPC for WRITE and WRITE_ZEROES, EINVAL for READ and TRIM, as
 *       the protocol recommends. Unknown commands and flags: EINVAL. Writes, trims and zeroing on
 *       an export that is read-only at that moment: EPERM.
 *   <li>READ or WRITE longer than 32 MiB: EINVAL. A refused WRITE's payload, of whatever length
 *       the header states (at most 4 GiB), is read and discarded in 64 KiB chunks so the
 *       connection stays usable; it is never buffered.
 *   <li>Device failures: {@link dev.copyservices.agent.volume.BlockIoException} kinds map to EIO,
 *       ENOSPC and EPERM; any other exception to EIO. The connection carries on.
 *   <li>A revoked export's connections are closed at once; each hold is released when the requests
 *       already inside the device have returned.
 * </ul>
 *
 * <p>Threads: one acceptor, one timer for negotiation deadlines, and per connection a small
 * leader/follower group of platform threads (see {@link NbdConnection}), grown on demand up to the
 * in-flight limit. Platform rather than virtual threads: a virtual thread blocked on a socket is
 * woken through the JDK's poller, an extra hand-off that halved 4 KiB queue-depth-1 throughput in
 * measurements, while at higher depths both performed alike. Nothing on the request path is shared
 * between connections except the lock-free buffer pool.
 */
public final class NbdServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(NbdServer.class.getName());

    /**
     * Tunables.
     *
     * @param handshakeTimeout how long a client may take from connecting to entering transmission
     * @param maxInFlightRequests requests one connection may have read but not yet answered
     * @param maxInFlightBytes payload bytes one connection may hold in buffers at once (raised to
     *     at least one maximal request)
     * @param maxConnectionsPerClient connections one client address may hold at once; past it, the
     *     client's NBD_OPT_GO is refused (NBD_REP_ERR_POLICY, with the limit in the message)
     */
    public record Options(Duration handshakeTimeout, int maxInFlightRequests, long maxInFlightBytes,
            int maxConnectionsPerClient) {
        public static final int DEFAULT_MAX_CONNECTIONS_PER_CLIENT = 64;

        public Options {
            Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
            if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
                throw new IllegalArgumentException("handshakeTimeout must be positive");
            }
            if (maxInFlightRequests < 1 || maxInFlightBytes < 1) {
                throw new IllegalArgumentException("in-flight limits must be positive");
            }
            if (maxConnectionsPerClient < 1) {
                throw new IllegalArgumentException("maxConnectionsPerClient must be positive");
            }
        }

        public Options(Duration handshakeTimeout, int maxInFlightRequests, long maxInFlightBytes) {
            this(handshakeTimeout, maxInFlightRequests, maxInFlightBytes, DEFAULT_MAX_CONNECTIONS_PER_CLIENT);
        }

        public static Options defaults() {
            return new Options(Duration.ofSeconds(30), 64, 128L << 20);
        }

        public Options withHandshakeTimeout(Duration timeout) {
            return new Options(timeout, maxInFlightRequests, maxInFlightBytes, maxConnectionsPerClient);
        }

        public Options withMaxConnectionsPerClient(int limit) {
            return new Options(handshakeTimeout, maxInFlightRequests, maxInFlightBytes, limit);
        }
    }

    private final ExportRegistry registry;
    private final InetSocketAddress bindAddress;
    private final Options options;
    private final BufferPool pool = new BufferPool(NbdProtocol.MAX_PAYLOAD, 16L << 20);
    private final NbdTls tls;
    private final Set<NbdConnection> connections = ConcurrentHashMap.newKeySet();
    private final ThreadFactory connectionThreads = Thread.ofPlatform().name("nbd-conn-", 0).daemon().factory();

    private ServerSocketChannel server;
    private InetSocketAddress boundAddress;
    private ScheduledThreadPoolExecutor timer;
    private Thread acceptor;
    private volatile boolean closed;

    /** @param bindAddress {@code host:port}, IPv6 hosts in brackets; port 0 picks a free one */
    public NbdServer(ExportRegistry registry, String bindAddress) {
        this(registry, bindAddress, Options.defaults());
    }

    public NbdServer(ExportRegistry registry, String bindAddress, Options options) {
        this(registry, parse(bindAddress), options);
    }

    /** @param bindAddress port 0 picks a free one */
    public NbdServer(ExportRegistry registry, InetSocketAddress bindAddress, Options options) {
        this(registry, bindAddress, options, null);
    }

    /** @param tls TLS offered to clients (NBD_OPT_STARTTLS), or null for none */
    public NbdServer(ExportRegistry registry, InetSocketAddress bindAddress, Options options, NbdTls tls) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
        this.options = Objects.requireNonNull(options, "options");
        this.tls = tls;
    }

    /** Binds and starts accepting. */
    public synchronized void start() throws IOException {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        if (closed) {
            throw new IllegalStateException("closed");
        }
        server = ServerSocketChannel.open();
        try {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(bindAddress, 128);
        } catch (IOException e) {
            server.close();
            throw e;
        }
        boundAddress = (InetSocketAddress) server.getLocalAddress();
        timer = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().name("nbd-handshake-timer").daemon().factory());
        timer.setRemoveOnCancelPolicy(true);
        acceptor = Thread.ofPlatform().name("nbd-accept").daemon().start(this::acceptLoop);
        LOG.info(() -> "NBD server listening on " + boundAddress);
    }

    /** The bound port, useful when 0 was asked for. */
    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("not started");
        }
        return boundAddress.getPort();
    }

    /** Stops accepting and drops every connection; their export holds are released as they end. */
    @Override
    public void close() {
        Thread acceptorThread;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            acceptorThread = acceptor;
            if (server != null) {
                try {
                    server.close();
                } catch (IOException e) {
                    LOG.log(Level.FINE, "closing the listening socket failed", e);
                }
            }
            if (timer != null) {
                timer.shutdownNow();
            }
        }
        if (acceptorThread != null) {
            try {
                acceptorThread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        connections.forEach(NbdConnection::close);
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                // e.g. out of file descriptors: keep serving the connections we have, and pause so
                // a persistent failure does not spin a core and flood the log.
                LOG.log(Level.WARNING, "NBD accept failed", e);
                pauseAfterAcceptFailure();
                continue;
            }
            try {
                startConnection(ch);
            } catch (IOException | RuntimeException | Error e) {
                // Error too: an acceptor killed by "unable to create native thread" would leave
                // the server silently deaf.
                LOG.log(Level.WARNING, "NBD connection setup failed", e);
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // already failing
                }
            }
        }
    }

    private void pauseAfterAcceptFailure() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void startConnection(SocketChannel ch) throws IOException {
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        String refusal = null;
        java.net.InetAddress client = ((InetSocketAddress) ch.getRemoteAddress()).getAddress();
        long held = connections.stream().filter(c -> c.remote() instanceof InetSocketAddress a
                && a.getAddress().equals(client)).count();
        if (held >= options.maxConnectionsPerClient()) {
            // counted at accept: a client may negotiate, but not enter transmission past the limit
            refusal = "client " + client.getHostAddress() + " has " + held + " NBD connections open, the most this"
                    + " agent allows one client (--max-nbd-connections-per-client " + options.maxConnectionsPerClient()
                    + "); close some first";
        }
        NbdConnection connection = new NbdConnection(ch, registry, pool, connectionThreads,
                options.maxInFlightRequests(), options.maxInFlightBytes(), connections::remove, refusal, tls);
        connections.add(connection);
        LOG.info(() -> "NBD connection " + connection.remote() + " opened");
        if (closed) {
            connection.close(); // close() may have swept the set before we added this one
        }
        // A client that stalls before choosing an export must not hold a thread and socket forever.
        connection.start(timer, options.handshakeTimeout());
    }

    static InetSocketAddress parse(String hostPort) {
        Objects.requireNonNull(hostPort, "bindAddress");
        int colon = hostPort.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("bind address must be host:port: " + hostPort);
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in bind address: " + hostPort);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + hostPort);
        }
        return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
    }
}
