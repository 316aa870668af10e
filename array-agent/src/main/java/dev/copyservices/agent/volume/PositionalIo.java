package dev.copyservices.agent.volume;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** Whole-buffer pread/pwrite on a shared channel: what every file-backed store here needs. */
public final class PositionalIo {
    private PositionalIo() {
    }

    /** Fills {@code dst}; bytes past the end of the file (a sparse file never written there) read as zeroes. */
    public static void readFully(FileChannel channel, ByteBuffer dst, long position) throws IOException {
        while (dst.hasRemaining()) {
            int n = channel.read(dst, position);
            if (n < 0) {
                while (dst.hasRemaining()) {
                    dst.put((byte) 0);
                }
                return;
            }
            position += n;
        }
    }

    public static void writeFully(FileChannel channel, ByteBuffer src, long position) throws IOException {
        while (src.hasRemaining()) {
            position += channel.write(src, position);
        }
    }
}
