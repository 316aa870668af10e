package dev.copyservices.agent.nbd;

import java.nio.file.Path;

/** Serves one file-backed export for manual benchmarks: {@code BenchServer FILE SIZE PORT}. */
final class BenchServer {
    private BenchServer() {
    }

    public static void main(String[] args) throws Exception {
        TestRegistry registry = new TestRegistry();
        registry.add("bench", "benchmark volume", new FileBlockDevice(Path.of(args[0]), Long.parseLong(args[1])), false);
        NbdServer server = new NbdServer(registry, "127.0.0.1:" + args[2]);
        server.start();
        System.out.println("port " + server.port());
        Thread.currentThread().join();
    }
}
