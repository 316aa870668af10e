package dev.copyservices.agent.nbd;

import dev.copyservices.agent.volume.BlockDevice;
import dev.copyservices.agent.volume.FileBlockDevice;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Serves one export for manual benchmarks (e.g. fio's nbd engine against nbdkit's file plugin):
 * {@code BenchServer FILE|null SIZE PORT}. {@code null} discards writes and reads zeroes, which
 * isolates the protocol path from the file system.
 */
final class BenchServer {
    private BenchServer() {
    }

    public static void main(String[] args) throws Exception {
        TestRegistry registry = new TestRegistry();
        long size = Long.parseLong(args[1]);
        BlockDevice device = args[0].equals("null") ? new NullDevice(size) : FileBlockDevice.open(Path.of(args[0]), size);
        registry.add("bench", "benchmark volume", device, false);
        NbdServer server = new NbdServer(registry, "127.0.0.1:" + args[2]);
        server.start();
        System.out.println("port " + server.port());
        Thread.currentThread().join();
    }

    private record NullDevice(long size) implements BlockDevice {
        @Override
        public void read(long offset, ByteBuffer dst) {
            dst.position(dst.limit());
        }

        @Override
        public void write(long offset, ByteBuffer src) {
            src.position(src.limit());
        }

        @Override
        public void writeZeroes(long offset, long length) {
        }

        @Override
        public void trim(long offset, long length) {
        }

        @Override
        public void flush() {
        }
    }
}
