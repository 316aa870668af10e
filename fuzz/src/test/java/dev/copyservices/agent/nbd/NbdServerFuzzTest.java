package dev.copyservices.agent.nbd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.copyservices.agent.volume.FileBlockDevice;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Any bytes a client sends after the server's greeting, through the handshake and into transmission:
 * the server answers or hangs up, ends the connection once the client has ended its side, releases
 * the export, and keeps serving other clients.
 */
class NbdServerFuzzTest {
    private static final long SIZE = 1L << 20;
    private static Path dir;
    private static FileBlockDevice writable;
    private static FileBlockDevice readOnly;
    private static final TestRegistry REGISTRY = new TestRegistry();
    private static NbdServer server;
    private static long inputs;

    @BeforeAll
    static void start() throws IOException {
        dir = Files.createTempDirectory("nbd-fuzz");
        writable = FileBlockDevice.create(dir.resolve("vol.img"), SIZE);
        readOnly = FileBlockDevice.create(dir.resolve("ro.img"), SIZE);
        REGISTRY.add("vol", "fuzzed volume", writable, false);
        REGISTRY.add("ro", "fuzzed read-only volume", readOnly, true);
        server = new NbdServer(REGISTRY, "127.0.0.1:0", NbdServer.Options.defaults()
                .withHandshakeTimeout(Duration.ofSeconds(2))
                // inputs come faster than ended connections leave the server's books; the limit has its own test
                .withMaxConnectionsPerClient(100_000));
        server.start();
    }

    @AfterAll
    static void stop() throws IOException {
        server.close();
        writable.close();
        readOnly.close();
        for (String file : new String[] {"vol.img", "ro.img"}) {
            Files.deleteIfExists(dir.resolve(file));
        }
        Files.deleteIfExists(dir);
    }

    @FuzzTest(maxDuration = "20s")
    void anyClientBytesEndWithTheConnectionAndLeaveTheServerServing(byte[] input) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(5000);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            assertEquals(18, in.readNBytes(18).length, "the greeting");
            try {
                out.write(input);
                out.flush();
                socket.shutdownOutput();
            } catch (IOException hungUp) {
                // the server dropped a client that broke the protocol: what it should do
            }
            try {
                while (in.read(new byte[65536]) >= 0) {
                    // replies, if any
                }
            } catch (SocketTimeoutException stuck) {
                fail("the server kept the connection open 5 s after the client ended its side");
            } catch (IOException reset) {
                // a hang-up with a reset is an end too
            }
        }
        awaitReleased("vol");
        awaitReleased("ro");
        if (++inputs % 64 == 0) {
            RawNbdClient.negotiated(server.port(), "vol").close(); // still serving
        }
    }

    /** The connection's hold on the export ends with it (the server closes on its own thread, so poll). */
    private static void awaitReleased(String export) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (REGISTRY.volume(export).holds.get() != 0) {
            if (System.nanoTime() > deadline) {
                fail("export " + export + " still held after its connection ended: " + REGISTRY.volume(export).holds.get());
            }
            Thread.sleep(1);
        }
    }
}
