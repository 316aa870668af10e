package dev.copyservices.agent.volume;

import java.io.IOException;

/** The device behind a volume's export: its bytes plus what the engine needs to manage it. */
public interface VolumeDevice extends BlockDevice, AutoCloseable {
    /** Real space the volume takes in the pool, or -1 when the platform cannot say. */
    long allocatedBytes();

    /** Grows the volume; the new range reads as zeroes. The caller commits the catalog afterwards. */
    void grow(long newSize) throws IOException;

    @Override
    void close() throws IOException;
}
