package dev.copyservices.agent.nbd;

import dev.copyservices.agent.volume.FileBlockDevice;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** Starts an in-process server on 127.0.0.1:0 over a registry of file-backed test volumes. */
abstract class NbdServerTestBase {
    static final long SIZE = 8L << 20;

    @TempDir
    Path dir;

    final TestRegistry registry = new TestRegistry();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    NbdServer server;

    /** Adds a file-backed volume of {@code size} bytes. */
    FileBlockDevice volume(String name, long size, boolean readOnly) throws IOException {
        FileBlockDevice device = FileBlockDevice.create(dir.resolve(name + ".img"), size);
        closeables.add(device);
        registry.add(name, "test volume " + name, device, readOnly);
        return device;
    }

    /** Adds a file-backed volume whose operations a test can intercept. */
    HookedDevice hookedVolume(String name, long size, boolean readOnly) throws IOException {
        FileBlockDevice file = FileBlockDevice.create(dir.resolve(name + ".img"), size);
        closeables.add(file);
        HookedDevice device = new HookedDevice(file);
        registry.add(name, "test volume " + name, device, readOnly);
        return device;
    }

    int start() throws IOException {
        return start(NbdServer.Options.defaults());
    }

    int start(NbdServer.Options options) throws IOException {
        return start(options, null);
    }

    /** @param tls TLS offered on STARTTLS, or null */
    int start(NbdServer.Options options, NbdTls tls) throws IOException {
        server = new NbdServer(registry, NbdServer.parse("127.0.0.1:0"), options, tls);
        server.start();
        return server.port();
    }

    NbdServer.Options shortHandshake(Duration timeout) {
        return NbdServer.Options.defaults().withHandshakeTimeout(timeout);
    }

    byte[] fileBytes(String name) throws IOException {
        return Files.readAllBytes(dir.resolve(name + ".img"));
    }

    String uri(String export) {
        return "nbd://127.0.0.1:" + server.port() + "/" + export;
    }

    static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** For device hooks: holds a request until the test releases it (bounded, so a bug fails). */
    static void awaitLatch(CountDownLatch latch) throws InterruptedException {
        if (!latch.await(15, TimeUnit.SECONDS)) {
            throw new AssertionError("latch was never released");
        }
    }

    /** Polls a condition the server makes true asynchronously (e.g. a hold being released). */
    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            // Polls a condition, so a short park only saves CPU for the server on a 2-core box.
            LockSupport.parkNanos(200_000);
        }
    }

    @AfterEach
    void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }
}
