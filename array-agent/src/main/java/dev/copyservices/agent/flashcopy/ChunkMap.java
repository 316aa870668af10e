package dev.copyservices.agent.flashcopy;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Which chunks of a FlashCopy live in its repository, and in which slot. A three-level radix of
 * int pages allocated on first use, so an empty map costs the same for a 1 GiB and a 1 PiB base
 * (FlashCopy creation stays O(1)). Values are slot + 1, so a zero, including a page not yet
 * visible to a racing reader, means "not in the repository".
 *
 * <p>Writers hold the chunk's stripe lock. Readers on the base's write fast path read without a
 * lock: they can only see an entry late, never early or torn, and seeing it late sends them to
 * the locked slow path, which looks again.
 */
final class ChunkMap {
    private static final int LEAF_BITS = 12;
    private static final int MID_BITS = 12;
    private static final int LEAF = 1 << LEAF_BITS;
    private static final int MID = 1 << MID_BITS;

    private final long chunkCount;
    private volatile AtomicReferenceArray<AtomicReferenceArray<int[]>> top;

    ChunkMap(long chunkCount) {
        this.chunkCount = chunkCount;
        clear();
    }

    long chunkCount() {
        return chunkCount;
    }

    /** The slot holding {@code chunk}, or -1. */
    long get(long chunk) {
        AtomicReferenceArray<int[]> mid = top.get((int) (chunk >>> (LEAF_BITS + MID_BITS)));
        if (mid == null) {
            return -1;
        }
        int[] leaf = mid.get((int) ((chunk >>> LEAF_BITS) & (MID - 1)));
        if (leaf == null) {
            return -1;
        }
        return Integer.toUnsignedLong(leaf[(int) (chunk & (LEAF - 1))]) - 1;
    }

    void put(long chunk, long slot) {
        if (slot < 0 || slot >= 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("slot " + slot + " out of range");
        }
        int topIndex = (int) (chunk >>> (LEAF_BITS + MID_BITS));
        AtomicReferenceArray<int[]> mid = top.get(topIndex);
        if (mid == null) {
            top.compareAndSet(topIndex, null, new AtomicReferenceArray<>(MID));
            mid = top.get(topIndex);
        }
        int midIndex = (int) ((chunk >>> LEAF_BITS) & (MID - 1));
        int[] leaf = mid.get(midIndex);
        if (leaf == null) {
            mid.compareAndSet(midIndex, null, new int[LEAF]);
            leaf = mid.get(midIndex);
        }
        leaf[(int) (chunk & (LEAF - 1))] = (int) (slot + 1);
    }

    /** Forgets every chunk (re-create). The caller guarantees no I/O is in flight. */
    void clear() {
        top = new AtomicReferenceArray<>((int) (chunkCount >>> (LEAF_BITS + MID_BITS)) + 1);
    }
}
