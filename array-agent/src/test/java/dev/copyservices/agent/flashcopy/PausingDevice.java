package dev.copyservices.agent.flashcopy;

import dev.copyservices.agent.volume.VolumeDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;

/** A base's data file that can hold its next write before applying it: a write in flight on demand. */
final class PausingDevice implements VolumeDevice {
    private final VolumeDevice file;
    private volatile CountDownLatch entered;
    private volatile CountDownLatch release;
    /** Set to make every later write fail, as a failing disk would. */
    volatile boolean failWrites;

    PausingDevice(VolumeDevice file) {
        this.file = file;
    }

    /** The next write signals {@code entered} and waits for {@code release} before it touches the file. */
    void holdNextWrite(CountDownLatch entered, CountDownLatch release) {
        this.release = release;
        this.entered = entered;
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        if (failWrites) {
            throw new IOException("injected write error");
        }
        CountDownLatch in = entered;
        if (in != null) {
            entered = null;
            in.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while held");
            }
        }
        file.write(offset, src);
    }

    @Override
    public long size() {
        return file.size();
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        file.read(offset, dst);
    }

    @Override
    public void writeZeroes(long offset, long length) throws IOException {
        file.writeZeroes(offset, length);
    }

    @Override
    public void trim(long offset, long length) throws IOException {
        file.trim(offset, length);
    }

    @Override
    public void flush() throws IOException {
        file.flush();
    }

    @Override
    public long allocatedBytes() {
        return file.allocatedBytes();
    }

    @Override
    public void grow(long newSize) throws IOException {
        file.grow(newSize);
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
