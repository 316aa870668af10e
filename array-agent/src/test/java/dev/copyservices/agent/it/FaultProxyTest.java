package dev.copyservices.agent.it;

import dev.copyservices.kubetest.TestPki;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FaultProxy against a local echo server: forwarding, counters, cut and restore, delays, close. */
class FaultProxyTest {
    private ServerSocket echo;
    private FaultProxy proxy;

    @BeforeEach
    void startEchoServerAndProxy() throws IOException {
        echo = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (true) {
                Socket s;
                try {
                    s = echo.accept();
                } catch (IOException e) {
                    return;
                }
                Thread.ofVirtual().start(() -> echoUntilEof(s));
            }
        });
        proxy = FaultProxy.start("127.0.0.1", echo.getLocalPort());
    }

    private static void echoUntilEof(Socket s) {
        try (s) {
            s.getInputStream().transferTo(s.getOutputStream());
            s.shutdownOutput();
        } catch (IOException e) {
            // the proxy closed the connection
        }
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        echo.close();
    }

    @Test
    void dataPassesBothWaysAndIsCountedPerDirection() throws Exception {
        byte[] data = new byte[3 << 20];
        new Random(1).nextBytes(data);
        try (Socket s = connect()) {
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    s.getOutputStream().write(data);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            assertArrayEquals(data, s.getInputStream().readNBytes(data.length));
            writer.join();
        }
        awaitCount(proxy::bytesToTarget, data.length);
        awaitCount(proxy::bytesFromTarget, data.length);
        assertEquals(1, proxy.connectionsAccepted());
        proxy.resetCounters();
        assertEquals(0, proxy.bytesToTarget());
        assertEquals(0, proxy.bytesFromTarget());
        try (Socket s = connect()) {
            roundTrip(s, 100);
        }
        awaitCount(proxy::bytesToTarget, 100);
        awaitCount(proxy::bytesFromTarget, 100);
    }

    @Test
    void halfClosePassesThrough() throws Exception {
        try (Socket s = connect()) {
            s.getOutputStream().write(new byte[] {1, 2, 3});
            s.shutdownOutput();
            assertArrayEquals(new byte[] {1, 2, 3}, s.getInputStream().readAllBytes(), "echo, then EOF");
        }
        awaitCount(proxy::openConnections, 0);
    }

    @Test
    void cutEndsConnectionsAndRefusesNewOnesUntilRestored() throws Exception {
        try (Socket s = connect()) {
            roundTrip(s, 10);
            proxy.cut();
            assertTrue(proxy.isCut());
            assertEndedByPeer(s);
            assertThrows(ConnectException.class, this::connect);
            assertEquals(0, proxy.openConnections());
        }
        proxy.cut(); // again: nothing changes
        proxy.restore();
        assertFalse(proxy.isCut());
        try (Socket s = connect()) {
            roundTrip(s, 10);
        }
        proxy.restore(); // again: nothing changes
        try (Socket s = connect()) {
            roundTrip(s, 10);
        }
    }

    @Test
    void flapEndsRestoredAndCutsInBetween() throws Exception {
        Socket s = connect();
        roundTrip(s, 10);
        proxy.flap(Duration.ofMillis(30), Duration.ofMillis(10), 3);
        assertEndedByPeer(s);
        s.close();
        assertFalse(proxy.isCut());
        try (Socket again = connect()) {
            roundTrip(again, 10);
        }
    }

    @Test
    void delayAddsLatencyPerDirectionAndBoth() throws Exception {
        try (Socket s = connect()) {
            roundTrip(s, 1); // connected and warm
            long plain = timedRoundTrip(s);
            proxy.delay(FaultProxy.Direction.TO_TARGET, Duration.ofMillis(300));
            long toTarget = timedRoundTrip(s);
            proxy.delay(FaultProxy.Direction.TO_TARGET, Duration.ZERO);
            proxy.delay(FaultProxy.Direction.FROM_TARGET, Duration.ofMillis(300));
            long fromTarget = timedRoundTrip(s);
            proxy.delay(Duration.ofMillis(250));
            long both = timedRoundTrip(s);
            proxy.delay(Duration.ZERO);
            long after = timedRoundTrip(s);
            String seen = "round trips (ms): plain " + plain + ", to target " + toTarget + ", from target " + fromTarget
                    + ", both " + both + ", after " + after;
            assertTrue(plain < 200 && after < 200, seen);
            assertTrue(toTarget >= 300 && fromTarget >= 300, seen);
            assertTrue(both >= 500, seen);
        }
    }

    @Test
    void rateLimitSlowsOneDirectionUntilLifted() throws Exception {
        proxy.limitRate(FaultProxy.Direction.TO_TARGET, 2 << 20);
        try (Socket s = connect()) {
            long start = System.nanoTime();
            bulkRoundTrip(s, 1 << 20);
            long limited = (System.nanoTime() - start) / 1_000_000;
            proxy.limitRate(FaultProxy.Direction.TO_TARGET, 0);
            start = System.nanoTime();
            bulkRoundTrip(s, 1 << 20);
            long free = (System.nanoTime() - start) / 1_000_000;
            // 1 MiB at 2 MiB/s: the first 64 KiB chunk goes at once, the rest takes 15/32 s
            assertTrue(limited >= 450 && free < 400, "1 MiB round trip: " + limited + " ms limited, " + free
                    + " ms free");
        }
    }

    private static void bulkRoundTrip(Socket s, int length) throws Exception {
        byte[] data = new byte[length];
        new Random(length).nextBytes(data);
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                s.getOutputStream().write(data);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        assertArrayEquals(data, s.getInputStream().readNBytes(length));
        writer.join();
    }

    @Test
    void targetDownEndsTheClientsConnection() throws Exception {
        int closedPort = AgentProcess.freePort();
        try (FaultProxy toNothing = FaultProxy.start("127.0.0.1", closedPort); Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", toNothing.port()), 5_000);
            assertEndedByPeer(s);
            assertEquals(0, toNothing.connectionsAccepted());
        }
    }

    @Test
    void closeEndsConnectionsAndTheListener() throws Exception {
        Socket s = connect();
        roundTrip(s, 10);
        proxy.close();
        assertEndedByPeer(s);
        s.close();
        assertThrows(ConnectException.class, this::connect);
        assertThrows(IllegalStateException.class, proxy::restore);
    }

    /**
     * What the mirror ITs rely on: the replication link's mutual TLS passes the proxy (the client names
     * 127.0.0.1, which the certificate holds), a cut fails calls, and a restore lets them through again.
     */
    @Test
    void mutualTlsGrpcPassesTheProxyAndACutFailsItsCalls(@TempDir Path dir) throws Exception {
        TestPki pki = TestPki.create(dir, "site-a", "site-b");
        TestPki.Identity a = pki.agent("site-a");
        TestPki.Identity b = pki.agent("site-b");
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0),
                TlsServerCredentials.newBuilder().keyManager(b.cert().toFile(), b.key().toFile())
                        .trustManager(pki.caCert().toFile()).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE).build())
                .addService(new HealthStatusManager().getHealthService()).build().start();
        ManagedChannel channel = null;
        try (FaultProxy link = FaultProxy.start("127.0.0.1", server.getPort())) {
            channel = NettyChannelBuilder.forAddress("127.0.0.1", link.port(), TlsChannelCredentials.newBuilder()
                    .keyManager(a.cert().toFile(), a.key().toFile()).trustManager(pki.caCert().toFile()).build())
                    .build();
            HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
            HealthCheckRequest request = HealthCheckRequest.getDefaultInstance();
            assertEquals(ServingStatus.SERVING, health.withDeadlineAfter(10, TimeUnit.SECONDS).check(request)
                    .getStatus());
            assertTrue(link.bytesToTarget() > 0 && link.bytesFromTarget() > 0);
            link.cut();
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                    () -> health.withDeadlineAfter(10, TimeUnit.SECONDS).check(request));
            // UNAVAILABLE, or UNKNOWN "channel closed" when the call went out on the connection being cut
            assertTrue(e.getStatus().getCode() == Status.Code.UNAVAILABLE || e.getStatus().getCode() == Status.Code.UNKNOWN,
                    e.toString());
            link.restore();
            channel.resetConnectBackoff();
            assertEquals(ServingStatus.SERVING, health.withWaitForReady().withDeadlineAfter(10, TimeUnit.SECONDS)
                    .check(request).getStatus());
            assertEquals(2, link.connectionsAccepted());
        } finally {
            if (channel != null) {
                channel.shutdownNow();
            }
            server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", proxy.port()), 5_000);
        s.setSoTimeout(10_000); // a broken proxy fails the test instead of hanging it
        s.setTcpNoDelay(true);
        return s;
    }

    private static void roundTrip(Socket s, int length) throws IOException {
        byte[] data = new byte[length];
        new Random(length).nextBytes(data);
        s.getOutputStream().write(data);
        assertArrayEquals(data, s.getInputStream().readNBytes(length));
    }

    private static long timedRoundTrip(Socket s) throws IOException {
        long start = System.nanoTime();
        roundTrip(s, 16);
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** The other end closed: reads end (EOF or reset), and writes soon fail. */
    private static void assertEndedByPeer(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        try {
            assertEquals(-1, in.read(), "data after the connection should have ended");
        } catch (SocketException reset) {
            return; // reset by the peer: ended too
        }
        OutputStream out = s.getOutputStream();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        try {
            while (System.nanoTime() < deadline) { // the first writes only fill the local buffer
                out.write(new byte[1024]);
                Thread.sleep(1); // poll interval only: until the peer's reset arrives
            }
        } catch (IOException expected) {
            return;
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("writes still succeed 10 s after the connection ended");
    }

    private static void awaitCount(LongSupplier count, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (count.getAsLong() != expected) {
            assertTrue(System.nanoTime() < deadline, "count is " + count.getAsLong() + ", expected " + expected);
            Thread.sleep(1); // poll interval only
        }
    }
}
