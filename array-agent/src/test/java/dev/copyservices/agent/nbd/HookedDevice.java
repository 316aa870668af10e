package dev.copyservices.agent.nbd;

import dev.copyservices.agent.volume.BlockDevice;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/** Wraps a device so a test can block, fail or observe each operation before it happens. */
final class HookedDevice implements BlockDevice {
    enum Op { READ, WRITE, ZEROES, TRIM, FLUSH }

    @FunctionalInterface
    interface Hook {
        void before(Op op, long offset, long length) throws IOException, InterruptedException;
    }

    private final BlockDevice delegate;
    volatile Hook hook = (op, offset, length) -> { };
    final AtomicInteger inside = new AtomicInteger();
    final AtomicInteger maxInside = new AtomicInteger();
    final AtomicInteger writes = new AtomicInteger();
    final AtomicInteger flushes = new AtomicInteger();

    HookedDevice(BlockDevice delegate) {
        this.delegate = delegate;
    }

    private void enter(Op op, long offset, long length) throws IOException {
        maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
        try {
            hook.before(op, offset, length);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } catch (IOException | RuntimeException e) {
            inside.decrementAndGet();
            throw e;
        }
    }

    @Override
    public long size() {
        return delegate.size();
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        enter(Op.READ, offset, dst.remaining());
        try {
            delegate.read(offset, dst);
        } finally {
            inside.decrementAndGet();
        }
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        enter(Op.WRITE, offset, src.remaining());
        try {
            delegate.write(offset, src);
            writes.incrementAndGet();
        } finally {
            inside.decrementAndGet();
        }
    }

    @Override
    public void writeZeroes(long offset, long length) throws IOException {
        enter(Op.ZEROES, offset, length);
        try {
            delegate.writeZeroes(offset, length);
        } finally {
            inside.decrementAndGet();
        }
    }

    @Override
    public void trim(long offset, long length) throws IOException {
        enter(Op.TRIM, offset, length);
        try {
            delegate.trim(offset, length);
        } finally {
            inside.decrementAndGet();
        }
    }

    @Override
    public void flush() throws IOException {
        enter(Op.FLUSH, 0, 0);
        try {
            delegate.flush();
            flushes.incrementAndGet();
        } finally {
            inside.decrementAndGet();
        }
    }
}
