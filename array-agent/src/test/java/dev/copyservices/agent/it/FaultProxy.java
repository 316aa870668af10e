package dev.copyservices.agent.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy between a port on 127.0.0.1 and a target, for tests of a network link's faults. The test
 * can cut the link (every connection is closed and new ones are refused, as by a closed port, until
 * {@link #restore()}), delay the data in either direction, and count the bytes forwarded each way.
 * Thread-safe: the test may call any method while connections run.
 */
public final class FaultProxy implements AutoCloseable {
    public enum Direction {
        /** From the connecting client to the target. */
        TO_TARGET,
        /** From the target back to the client. */
        FROM_TARGET
    }

    private static final int CHUNK = 64 * 1024;
    /** Bytes read but not yet written, per direction of a connection: TCP's back pressure survives a delay. */
    private static final int MAX_BUFFERED = 8 << 20;

    private final InetSocketAddress target;
    private final int port;
    private final Object lock = new Object();
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final AtomicLong toTarget = new AtomicLong();
    private final AtomicLong fromTarget = new AtomicLong();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile long delayToTargetNanos;
    private volatile long delayFromTargetNanos;
    private final Pacer toTargetPace = new Pacer();
    private final Pacer fromTargetPace = new Pacer();
    /** Null while cut or closed; guarded by lock. */
    private ServerSocket listener;
    private Thread acceptor;
    private boolean closed;

    private FaultProxy(int listenPort, InetSocketAddress target) throws IOException {
        this.target = target;
        synchronized (lock) {
            this.port = listen(listenPort);
        }
    }

    /** A proxy on a free port of 127.0.0.1 to {@code host:port}. */
    public static FaultProxy start(String host, int port) throws IOException {
        return new FaultProxy(0, new InetSocketAddress(host, port));
    }

    /** A proxy on {@code listenPort} of 127.0.0.1 to {@code host:port}. */
    public static FaultProxy start(int listenPort, String host, int port) throws IOException {
        return new FaultProxy(listenPort, new InetSocketAddress(host, port));
    }

    public int port() {
        return port;
    }

    /** host:port to give a client instead of the target's address. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    /** Closes every connection and the listening port: connecting is refused until {@link #restore()}. */
    public void cut() {
        synchronized (lock) {
            stopListening();
        }
        closeLinks();
    }

    /** Listens again on the same port; does nothing if not cut. */
    public void restore() throws IOException {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the proxy is closed");
            }
            if (listener == null) {
                listen(port);
            }
        }
    }

    public boolean isCut() {
        synchronized (lock) {
            return listener == null;
        }
    }

    /** {@code times} times: cut for {@code down}, then restored for {@code up}. Ends restored. */
    public void flap(Duration down, Duration up, int times) throws IOException, InterruptedException {
        for (int i = 0; i < times; i++) {
            cut();
            Thread.sleep(down); // the fault's own duration, not a wait for anything
            restore();
            Thread.sleep(up);
        }
    }

    /** Adds {@code delay} of latency to data forwarded in both directions, from now on. */
    public void delay(Duration delay) {
        delay(Direction.TO_TARGET, delay);
        delay(Direction.FROM_TARGET, delay);
    }

    /** Adds {@code delay} of latency to data forwarded in one direction, from now on; zero removes it. */
    public void delay(Direction direction, Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("negative delay " + delay);
        }
        if (direction == Direction.TO_TARGET) {
            delayToTargetNanos = delay.toNanos();
        } else {
            delayFromTargetNanos = delay.toNanos();
        }
    }

    /**
     * Limits the data forwarded in one direction, over all connections together, to
     * {@code bytesPerSecond} from now on; zero removes the limit. Makes a transfer last long enough for a
     * test to act while it runs.
     */
    public void limitRate(Direction direction, long bytesPerSecond) {
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("negative rate " + bytesPerSecond);
        }
        (direction == Direction.TO_TARGET ? toTargetPace : fromTargetPace).rate(bytesPerSecond);
    }

    /** Bytes written to the target since the start or the last {@link #resetCounters()}. */
    public long bytesToTarget() {
        return toTarget.get();
    }

    /** Bytes written back to clients since the start or the last {@link #resetCounters()}. */
    public long bytesFromTarget() {
        return fromTarget.get();
    }

    public void resetCounters() {
        toTarget.set(0);
        fromTarget.set(0);
    }

    /** Connections accepted since the start. */
    public int connectionsAccepted() {
        return accepted.get();
    }

    public int openConnections() {
        return links.size();
    }

    @Override
    public void close() throws InterruptedException {
        Thread last;
        synchronized (lock) {
            closed = true;
            last = acceptor;
            stopListening();
        }
        List<Link> open = List.copyOf(links);
        closeLinks();
        for (Link link : open) {
            link.join();
        }
        if (last != null) {
            last.join(TimeUnit.SECONDS.toMillis(10));
        }
    }

    @Override
    public String toString() {
        return "FaultProxy[" + address() + " -> " + target.getHostString() + ":" + target.getPort() + (isCut() ? ", cut"
                : "") + "]";
    }

    /** Binds the listening socket and starts accepting; returns the port. Called under lock. */
    private int listen(int on) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true); // the port's closed connections may linger in TIME_WAIT
        socket.bind(new InetSocketAddress("127.0.0.1", on), 64);
        listener = socket;
        acceptor = Thread.ofVirtual().name("proxy-accept-" + socket.getLocalPort()).start(() -> accept(socket));
        return socket.getLocalPort();
    }

    private void stopListening() {
        if (listener != null) {
            closeQuietly(listener);
            listener = null;
        }
    }

    private void closeLinks() {
        for (Link link : List.copyOf(links)) {
            link.close();
        }
    }

    private void accept(ServerSocket from) {
        while (true) {
            Socket client;
            try {
                client = from.accept();
            } catch (IOException e) {
                return; // closed by cut() or close()
            }
            Socket server = new Socket();
            try {
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                server.connect(target, 10_000);
            } catch (IOException e) {
                closeQuietly(client); // the target is down: the client sees its connection end at once
                closeQuietly(server);
                continue;
            }
            Link link = new Link(client, server);
            synchronized (lock) {
                if (listener != from) { // cut while this connection was being made
                    link.close();
                    continue;
                }
                links.add(link);
                accepted.incrementAndGet();
            }
            link.start();
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // closing is all that is wanted
        }
    }

    /** Hands out the times at which data may go so that a direction keeps to its rate. */
    private static final class Pacer {
        private long bytesPerSecond;
        private long nextFree;

        synchronized void rate(long rate) {
            bytesPerSecond = rate;
            nextFree = System.nanoTime();
        }

        /** The System.nanoTime() at which {@code bytes} may be written; now when there is no limit. */
        synchronized long slot(int bytes) {
            long now = System.nanoTime();
            if (bytesPerSecond == 0) {
                return now;
            }
            long start = Math.max(now, nextFree);
            nextFree = start + bytes * 1_000_000_000L / bytesPerSecond;
            return start;
        }
    }

    /** Data read from one side, to be written to the other at {@code due} (System.nanoTime()). */
    private record Chunk(long due, byte[] data) {
        static final Chunk EOF = new Chunk(0, null);
    }

    /** One proxied connection: two sockets and, per direction, a reader and a (delaying) writer. */
    private final class Link {
        private final Socket client;
        private final Socket server;
        private final List<Thread> threads = new ArrayList<>();
        private final AtomicInteger halfClosed = new AtomicInteger();
        private final AtomicBoolean open = new AtomicBoolean(true);

        Link(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        void start() {
            pump(client, server, Direction.TO_TARGET);
            pump(server, client, Direction.FROM_TARGET);
        }

        private void pump(Socket from, Socket to, Direction direction) {
            LinkedBlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
            Semaphore room = new Semaphore(MAX_BUFFERED);
            synchronized (threads) {
                threads.add(Thread.ofVirtual().start(() -> read(from, direction, queue, room)));
                threads.add(Thread.ofVirtual().start(() -> write(to, direction, queue, room)));
            }
        }

        private void read(Socket from, Direction direction, LinkedBlockingQueue<Chunk> queue, Semaphore room) {
            byte[] buffer = new byte[CHUNK];
            try {
                InputStream in = from.getInputStream(); // not closed here: that would close the socket
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    room.acquire(n);
                    long delay = direction == Direction.TO_TARGET ? delayToTargetNanos : delayFromTargetNanos;
                    queue.add(new Chunk(System.nanoTime() + delay, Arrays.copyOf(buffer, n)));
                }
                queue.add(Chunk.EOF);
            } catch (IOException | InterruptedException e) {
                close();
            }
        }

        private void write(Socket to, Direction direction, LinkedBlockingQueue<Chunk> queue, Semaphore room) {
            AtomicLong counter = direction == Direction.TO_TARGET ? toTarget : fromTarget;
            Pacer pace = direction == Direction.TO_TARGET ? toTargetPace : fromTargetPace;
            try {
                OutputStream out = to.getOutputStream();
                while (true) {
                    Chunk chunk = queue.take();
                    if (chunk == Chunk.EOF) {
                        to.shutdownOutput(); // pass the half-close on
                        if (halfClosed.incrementAndGet() == 2) {
                            close();
                        }
                        return;
                    }
                    long wait = Math.max(chunk.due(), pace.slot(chunk.data().length)) - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait); // the injected latency or rate limit itself
                    }
                    out.write(chunk.data());
                    counter.addAndGet(chunk.data().length);
                    room.release(chunk.data().length);
                }
            } catch (IOException | InterruptedException e) {
                close();
            }
        }

        void close() {
            if (!open.compareAndSet(true, false)) {
                return;
            }
            links.remove(this);
            closeQuietly(client);
            closeQuietly(server);
            synchronized (threads) {
                for (Thread thread : threads) {
                    if (thread != Thread.currentThread()) {
                        thread.interrupt(); // a writer waiting for data or sleeping out a delay
                    }
                }
            }
        }

        void join() throws InterruptedException {
            List<Thread> all;
            synchronized (threads) {
                all = List.copyOf(threads);
            }
            for (Thread thread : all) {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            }
        }
    }
}
