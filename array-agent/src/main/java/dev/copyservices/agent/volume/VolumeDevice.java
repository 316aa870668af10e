package dev.copyservices.agent.volume;

import java.io.IOException;

/** The device behind a volume's export: its bytes plus what the engine needs to manage it. */
public interface VolumeDevice extends BlockDevice, AutoCloseable {
    /** Real space the volume takes in the pool, or -1 when the platform cannot say. */
    long allocatedBytes();

    /** Grows the volume; the new range reads as zeroes. The caller commits the catalog afterwards. */
    void grow(long newSize) throws IOException;

    /**
     * Copies [offset, offset + length) of this device to the same range of {@code target}. File
     * devices copy inside the kernel; the default goes through a buffer.
     */
    default void copyRangeTo(VolumeDevice target, long offset, long length) throws IOException {
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocateDirect((int) Math.min(length, 1 << 20));
        long position = offset;
        long end = offset + length;
        while (position < end) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), end - position));
            read(position, buffer);
            buffer.flip();
            target.write(position, buffer);
            position += buffer.limit();
        }
    }

    @Override
    void close() throws IOException;
}
