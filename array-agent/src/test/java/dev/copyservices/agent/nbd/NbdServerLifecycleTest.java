package dev.copyservices.agent.nbd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.time.Duration;

import org.junit.jupiter.api.Test;

/** Starting, addressing and stopping the server. */
class NbdServerLifecycleTest extends NbdServerTestBase {

    @Test
    void bindAddressesAreHostColonPort() {
        InetSocketAddress v4 = NbdServer.parse("127.0.0.1:10809");
        assertEquals("127.0.0.1", v4.getHostString());
        assertEquals(10809, v4.getPort());
        InetSocketAddress v6 = NbdServer.parse("[::1]:0");
        assertEquals(0, v6.getPort());
        assertTrue(v6.getAddress().isLoopbackAddress());
        assertTrue(NbdServer.parse(":10809").getAddress().isAnyLocalAddress());
        assertThrows(IllegalArgumentException.class, () -> NbdServer.parse("localhost"));
        assertThrows(IllegalArgumentException.class, () -> NbdServer.parse("localhost:http"));
        assertThrows(IllegalArgumentException.class, () -> NbdServer.parse("localhost:65536"));
    }

    @Test
    void portZeroBindsAFreePortThatServes() throws Exception {
        volume("vol", SIZE, false);
        int port = start();
        assertTrue(port > 0);
        try (RawNbdClient c = RawNbdClient.negotiated(port, "vol")) {
            c.read(1, 0, 512);
        }
    }

    @Test
    void startingTwiceOrAfterCloseIsRefusedAndCloseIsIdempotent() throws Exception {
        start();
        assertThrows(IllegalStateException.class, server::start);
        int port = server.port();
        server.close();
        server.close();
        assertEquals(port, server.port(), "the port stays known for logging after close");
        assertThrows(IllegalStateException.class, server::start);
        assertThrows(IllegalStateException.class,
                () -> new NbdServer(registry, "127.0.0.1:0").port(), "no port before start");
    }

    @Test
    void invalidOptionsAreRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> NbdServer.Options.defaults().withHandshakeTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class,
                () -> new NbdServer.Options(Duration.ofSeconds(1), 0, 1));
    }
}
