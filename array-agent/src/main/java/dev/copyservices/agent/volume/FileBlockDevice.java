package dev.copyservices.agent.volume;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A volume stored as one sparse file: unwritten regions are holes and take no space (thin
 * provisioning), reads and writes are positional (pread/pwrite) so any number of threads share one
 * channel without a lock, and flush is fdatasync of that file only, so volumes never wait on each other.
 */
public final class FileBlockDevice implements VolumeDevice {
    private static final int ZERO_CHUNK = 1 << 20;
    /**
     * The largest piece one pwrite carries. Linux sizes a page-cache folio after the write that
     * creates it, and a later small write into a folio walks all its blocks: after a mirror's
     * initial copy had written 4 MiB at a time, each 4 KiB write the secondary applied spent most of
     * its time there (issue 6, perf). Pieces of 64 KiB keep folios small at no cost to large writes.
     */
    static final int WRITE_PIECE = 64 << 10;
    private static final ByteBuffer ZEROES = ByteBuffer.allocateDirect(ZERO_CHUNK).asReadOnlyBuffer();

    private final Path file;
    private final FileChannel channel;
    private final int nativeFd;
    private volatile long size;

    private FileBlockDevice(Path file, FileChannel channel, long size) {
        this.file = file;
        this.channel = channel;
        this.size = size;
        this.nativeFd = NativeFiles.openDescriptor(file);
    }

    /** Creates the file with the given size, durably, before the catalog ever names it. */
    public static FileBlockDevice create(Path file, long size) throws IOException {
        return openSized(file, size, true);
    }

    /**
     * Opens an existing file and makes its length match the catalog: a longer file is the leftover of
     * a grow that crashed before its catalog commit, and nothing past the catalog size was ever
     * writable, so cutting it back loses nothing.
     */
    public static FileBlockDevice open(Path file, long size) throws IOException {
        return openSized(file, size, false);
    }

    private static FileBlockDevice openSized(Path file, long size, boolean create) throws IOException {
        FileChannel channel = create
                ? FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE)
                : FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            if (create || channel.size() != size) {
                setLength(file, size);
                channel.force(true);
            }
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return new FileBlockDevice(file, channel, size);
    }

    /** Sets the file's length with ftruncate(2): the new range is a hole and takes no space. */
    private static void setLength(Path file, long size) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size);
        }
    }

    public Path file() {
        return file;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void grow(long newSize) throws IOException {
        setLength(file, newSize);
        channel.force(true);
        size = newSize;
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        PositionalIo.readFully(channel, dst, offset); // past the end (never expected): zeroes
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        if (src.remaining() <= WRITE_PIECE) {
            PositionalIo.writeFully(channel, src, offset);
            return;
        }
        ByteBuffer piece = src.duplicate();
        long position = offset;
        while (src.hasRemaining()) {
            int length = Math.min(WRITE_PIECE, src.remaining());
            piece.limit(src.position() + length).position(src.position());
            PositionalIo.writeFully(channel, piece, position);
            src.position(src.position() + length);
            position += length;
        }
    }

    @Override
    public void writeZeroes(long offset, long length) throws IOException {
        if (length == 0) {
            return;
        }
        if (NativeFiles.punchHole(nativeFd, offset, length)) {
            return;
        }
        long position = offset;
        long end = offset + length;
        while (position < end) {
            ByteBuffer chunk = ZEROES.duplicate();
            chunk.limit((int) Math.min(ZERO_CHUNK, end - position));
            write(position, chunk);
            position += chunk.limit();
        }
    }

    @Override
    public void trim(long offset, long length) throws IOException {
        // Content after TRIM is undefined by the protocol; a hole (zeroes) is the kind answer, and
        // where the file system cannot punch, keeping the old bytes is allowed.
        if (length > 0) {
            NativeFiles.punchHole(nativeFd, offset, length);
        }
    }

    /**
     * Copies data extents inside the kernel and turns holes into holes on the target, so a copy of a
     * thin volume stays thin (copy_file_range alone would write the holes out as zeroes).
     */
    @Override
    public void copyRangeTo(VolumeDevice target, long offset, long length) throws IOException {
        long end = offset + length;
        long position = offset;
        while (position < end) {
            long data = NativeFiles.nextData(nativeFd, position);
            long dataStart = data < 0 ? end : Math.min(data, end);
            if (dataStart > position) {
                target.writeZeroes(position, dataStart - position);
            }
            if (dataStart >= end) {
                return;
            }
            long dataEnd = Math.min(NativeFiles.nextHole(nativeFd, dataStart, size), end);
            if (!(target instanceof FileBlockDevice file
                    && NativeFiles.copyRange(nativeFd, file.nativeFd, dataStart, dataEnd - dataStart))) {
                VolumeDevice.super.copyRangeTo(target, dataStart, dataEnd - dataStart);
            }
            position = dataEnd;
        }
    }

    @Override
    public void flush() throws IOException {
        channel.force(false);
    }

    @Override
    public long allocatedBytes() {
        return NativeFiles.allocatedBytes(nativeFd, size);
    }

    @Override
    public void close() throws IOException {
        try {
            channel.close();
        } finally {
            NativeFiles.closeDescriptor(nativeFd);
        }
    }
}
