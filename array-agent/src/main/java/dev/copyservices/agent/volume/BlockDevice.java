package dev.copyservices.agent.volume;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A volume's bytes, addressed by offset. Implementations are thread-safe: concurrent requests on
 * disjoint or overlapping ranges may arrive from any number of connections. Callers check ranges
 * against {@link #size()} before calling.
 */
public interface BlockDevice {
    long size();

    /** Fills {@code dst} from {@code offset} up to its limit. */
    void read(long offset, ByteBuffer dst) throws IOException;

    /** Writes all of {@code src}'s remaining bytes at {@code offset}. */
    void write(long offset, ByteBuffer src) throws IOException;

    /** Makes {@code length} bytes read back as zeroes, deallocating them where it can. */
    void writeZeroes(long offset, long length) throws IOException;

    /** Says the range is no longer needed; its content is undefined until written again. */
    void trim(long offset, long length) throws IOException;

    /** Returns once every write that completed before the call is durable. */
    void flush() throws IOException;
}
