package dev.copyservices.agent.nbd;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Direct buffers pooled by power-of-two size class, from 4 KiB up to the largest payload.
 *
 * <p>Direct, so socket and file channels do no extra copy through a temporary buffer; pooled,
 * because allocating and freeing direct memory per request is slow and leaves freeing to the GC.
 * Each class keeps at most a bounded number of bytes idle, so a burst of large requests does not
 * pin memory forever. Lock-free, since every connection shares it.
 */
final class BufferPool {
    private static final int MIN_SHIFT = 12;

    private final int maxShift;
    private final ConcurrentLinkedDeque<ByteBuffer>[] idle;
    private final AtomicInteger[] idleCount;
    private final int[] idleLimit;

    /**
     * @param maxSize largest buffer handed out, a power of two
     * @param idleBytesPerClass how many idle bytes each class may keep (at least one buffer)
     */
    @SuppressWarnings("unchecked")
    BufferPool(int maxSize, long idleBytesPerClass) {
        if (Integer.bitCount(maxSize) != 1 || maxSize < (1 << MIN_SHIFT)) {
            throw new IllegalArgumentException("maxSize must be a power of two >= 4096: " + maxSize);
        }
        maxShift = Integer.numberOfTrailingZeros(maxSize);
        int classes = maxShift - MIN_SHIFT + 1;
        idle = new ConcurrentLinkedDeque[classes];
        idleCount = new AtomicInteger[classes];
        idleLimit = new int[classes];
        for (int i = 0; i < classes; i++) {
            idle[i] = new ConcurrentLinkedDeque<>();
            idleCount[i] = new AtomicInteger();
            idleLimit[i] = (int) Math.max(1, Math.min(4096, idleBytesPerClass >> (MIN_SHIFT + i)));
        }
    }

    int maxSize() {
        return 1 << maxShift;
    }

    /** A buffer with position 0 and limit {@code size}; its capacity may be larger. */
    ByteBuffer acquire(int size) {
        int cls = sizeClass(size);
        ByteBuffer buf = idle[cls].pollFirst();
        if (buf != null) {
            idleCount[cls].decrementAndGet();
        } else {
            buf = ByteBuffer.allocateDirect(1 << (cls + MIN_SHIFT));
        }
        buf.clear().limit(size);
        return buf;
    }

    void release(ByteBuffer buf) {
        int cls = sizeClass(buf.capacity());
        if (idleCount[cls].incrementAndGet() <= idleLimit[cls]) {
            idle[cls].offerFirst(buf); // LIFO: the most recently used buffer is likeliest in cache
        } else {
            idleCount[cls].decrementAndGet(); // over the limit: let the GC free it
        }
    }

    private int sizeClass(int size) {
        if (size < 0 || size > (1 << maxShift)) {
            throw new IllegalArgumentException("buffer size out of range: " + size);
        }
        if (size <= (1 << MIN_SHIFT)) {
            return 0;
        }
        return 32 - Integer.numberOfLeadingZeros(size - 1) - MIN_SHIFT;
    }
}
