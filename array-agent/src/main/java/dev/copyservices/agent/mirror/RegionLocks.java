package dev.copyservices.agent.mirror;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Striped locks over a member's regions. A write to the primary and its place in the replication
 * stream happen under the lock of its regions, and so does a resync's read of a region and its send:
 * the secondary then receives overlapping data in the order the primary's volume took it.
 */
final class RegionLocks {
    private static final int STRIPES = 1024;

    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

    RegionLocks() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    /** Held stripes of one range; {@link #close} releases them. */
    final class Held implements AutoCloseable {
        private final int[] order;

        private Held(int[] order) {
            this.order = order;
        }

        @Override
        public void close() {
            for (int i = order.length - 1; i >= 0; i--) {
                stripes[order[i]].unlock();
            }
        }
    }

    /** Locks every stripe of regions [first, last] in ascending stripe order, so that no two ranges deadlock. */
    Held lock(long first, long last) {
        int[] order;
        if (last - first + 1 >= STRIPES) {
            order = new int[STRIPES];
            for (int i = 0; i < STRIPES; i++) {
                order[i] = i;
            }
        } else {
            java.util.BitSet wanted = new java.util.BitSet(STRIPES);
            for (long r = first; r <= last; r++) {
                wanted.set((int) (r % STRIPES));
            }
            order = wanted.stream().toArray();
        }
        Held held = new Held(order);
        int locked = 0;
        try {
            for (int stripe : order) {
                stripes[stripe].lock();
                locked++;
            }
        } catch (RuntimeException | Error e) {
            for (int i = locked - 1; i >= 0; i--) {
                stripes[order[i]].unlock();
            }
            throw e;
        }
        return held;
    }
}
