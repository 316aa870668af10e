package dev.copyservices.agent.nbd;

import dev.copyservices.agent.volume.BlockDevice;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;

/** A test volume on a plain file: positional reads and writes, so concurrent requests are safe. */
final class FileBlockDevice implements BlockDevice, AutoCloseable {
    private static final ByteBuffer ZEROES = ByteBuffer.allocateDirect(1 << 20).asReadOnlyBuffer();

    private final FileChannel file;
    private final long size;
    final AtomicInteger flushes = new AtomicInteger();

    FileBlockDevice(Path path, long size) throws IOException {
        this.file = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        if (file.size() < size) {
            file.truncate(size);
            file.write(ByteBuffer.allocate(1), size - 1); // sparse file of the full size
        }
        this.size = size;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        long pos = offset;
        while (dst.hasRemaining()) {
            int n = file.read(dst, pos);
            if (n < 0) {
                throw new IOException("read past end of file");
            }
            pos += n;
        }
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        long pos = offset;
        while (src.hasRemaining()) {
            pos += file.write(src, pos);
        }
    }

    @Override
    public void writeZeroes(long offset, long length) throws IOException {
        long done = 0;
        while (done < length) {
            int chunk = (int) Math.min(length - done, ZEROES.capacity());
            write(offset + done, ZEROES.duplicate().clear().limit(chunk));
            done += chunk;
        }
    }

    @Override
    public void trim(long offset, long length) throws IOException {
        writeZeroes(offset, length);
    }

    @Override
    public void flush() throws IOException {
        flushes.incrementAndGet();
        file.force(false);
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
