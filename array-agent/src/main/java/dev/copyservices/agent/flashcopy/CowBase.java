package dev.copyservices.agent.flashcopy;

import dev.copyservices.agent.volume.VolumeDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A standard volume's device: its data file, plus what the copy services add to it. Every standard
 * volume gets one, so a FlashCopy or a relationship never has to swap devices under connected clients.
 * <ul>
 * <li>As a base or a Copy-mode source it calls its {@link CopyOnWrite} hooks before a write
 * changes data one of them still needs (Snapshot-mode FlashCopies, relationships it is the source of).</li>
 * <li>As a Copy-mode target it has a {@link TargetImage}: reads and writes go through the
 * relationship, which fetches regions not yet copied from the source.</li>
 * </ul>
 *
 * <p>Locks, always taken in this order:
 * <ul>
 * <li>{@link #gate}: every I/O of the volume and of its FlashCopies holds it shared; creating,
 * disabling and re-creating a FlashCopy, and flashing or withdrawing a relationship, hold it
 * exclusively for a moment. That exclusive moment is the point in time: writes acknowledged before
 * it are in the image, later ones are copied on write (the seed's brief write suspension, L1976).
 * A target's I/O also takes its source's gate shared, after its own: targets before sources.</li>
 * <li>stripe locks, one per 64 KiB unit of the volume (hashed onto a fixed set): a write that
 * must copy holds its units exclusively from reading the original until its own write is done; a
 * reader of the original (a FlashCopy, a relationship's target) holds its unit shared while it
 * decides where the data is. A relationship's regions are exactly these units of its source.</li>
 * </ul>
 * A write whose units every hook already holds durably takes no stripe lock: it is the rewrite
 * path, and costs one shared lock and one map lookup per hook.
 */
final class CowBase implements VolumeDevice {
    static final int LOCK_UNIT = 64 << 10;
    private static final int STRIPES = 4096;

    private final VolumeDevice file;
    private final String name;
    final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
    private final ReentrantReadWriteLock[] stripes = new ReentrantReadWriteLock[STRIPES];
    /** What a write must let copy first: Optimal FlashCopies, relationships of this source. Replaced, never mutated. */
    private volatile List<CopyOnWrite> active = List.of();
    /** Set while the volume is a relationship's target. */
    private volatile TargetImage image;

    /** Something that keeps the volume's data as of an earlier point in time. */
    interface CopyOnWrite {
        /** Throws when the hook's state refuses writes to the volume (a full repository under FailBaseWrites). */
        void checkBaseWriteAllowed() throws IOException;

        /** True when the hook needs nothing done before [offset, offset + length) changes. */
        boolean holdsDurably(long offset, long length);

        /** Makes the range's current data durable where the hook keeps it; stripes held exclusively. */
        void preserve(long offset, long length) throws IOException;
    }

    /** A relationship's view of its target: the source's point-in-time image plus the target's own writes. */
    interface TargetImage {
        void read(long offset, ByteBuffer dst) throws IOException;

        /** Called before the target's range changes; copies what the change would otherwise lose. */
        void beforeChange(long offset, long length) throws IOException;
    }

    CowBase(String name, VolumeDevice file) {
        this.name = name;
        this.file = file;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantReadWriteLock();
        }
    }

    String name() {
        return name;
    }

    VolumeDevice file() {
        return file;
    }

    synchronized void activate(CopyOnWrite hook) {
        List<CopyOnWrite> next = new ArrayList<>(active);
        next.remove(hook);
        next.add(hook);
        active = List.copyOf(next);
    }

    synchronized void deactivate(CopyOnWrite hook) {
        List<CopyOnWrite> next = new ArrayList<>(active);
        next.remove(hook);
        active = List.copyOf(next);
    }

    /** Makes the volume a relationship's target (or no longer one, with null); callers hold the gate exclusively. */
    void setImage(TargetImage targetImage) {
        this.image = targetImage;
    }

    TargetImage image() {
        return image;
    }

    ReentrantReadWriteLock stripe(long offset) {
        return stripes[(int) ((offset / LOCK_UNIT) % STRIPES)];
    }

    @Override
    public long size() {
        return file.size();
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        if (image == null) {
            file.read(offset, dst); // a volume that is no target holds its own current data
            return;
        }
        ReentrantReadWriteLock.ReadLock shared = gate.readLock();
        shared.lock();
        try {
            TargetImage current = image;
            if (current == null) {
                file.read(offset, dst);
            } else {
                current.read(offset, dst);
            }
        } finally {
            shared.unlock();
        }
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        modify(offset, src.remaining(), () -> file.write(offset, src));
    }

    @Override
    public void writeZeroes(long offset, long length) throws IOException {
        modify(offset, length, () -> file.writeZeroes(offset, length));
    }

    @Override
    public void trim(long offset, long length) throws IOException {
        // a trimmed range may read back as zeroes, so it changes the base like a write does
        modify(offset, length, () -> file.trim(offset, length));
    }

    @Override
    public void flush() throws IOException {
        // copies for earlier writes were durable before those writes touched the base
        file.flush();
    }

    /**
     * A whole-volume copy's path (VolumeCopy): between two volumes that are nobody's Copy-mode target and
     * whose target keeps nothing on write, the data files copy inside the kernel; otherwise through the
     * volumes' own read and write paths. The caller keeps hosts off the source's writes meanwhile.
     */
    @Override
    public void copyRangeTo(VolumeDevice target, long offset, long length) throws IOException {
        if (!(target instanceof CowBase other) || other == this) {
            VolumeDevice.super.copyRangeTo(target, offset, length);
            return;
        }
        ReentrantReadWriteLock.ReadLock mine = gate.readLock();
        ReentrantReadWriteLock.ReadLock theirs = other.gate.readLock();
        theirs.lock(); // targets before sources, as everywhere
        try {
            mine.lock();
            try {
                if (image == null && other.image == null && other.active.isEmpty()) {
                    file.copyRangeTo(other.file, offset, length);
                    return;
                }
            } finally {
                mine.unlock();
            }
        } finally {
            theirs.unlock();
        }
        VolumeDevice.super.copyRangeTo(target, offset, length);
    }

    @Override
    public long allocatedBytes() {
        return file.allocatedBytes();
    }

    @Override
    public void grow(long newSize) throws IOException {
        file.grow(newSize); // FlashCopies keep the size they were taken at; nothing to copy past it
    }

    @Override
    public void close() throws IOException {
        file.close();
    }

    private interface Change {
        void apply() throws IOException;
    }

    private void modify(long offset, long length, Change change) throws IOException {
        if (length == 0) {
            change.apply();
            return;
        }
        ReentrantReadWriteLock.ReadLock shared = gate.readLock();
        shared.lock();
        try {
            TargetImage target = image;
            if (target != null) {
                target.beforeChange(offset, length);
            }
            List<CopyOnWrite> hooks = active;
            if (hooks.isEmpty()) {
                change.apply();
                return;
            }
            for (CopyOnWrite hook : hooks) {
                hook.checkBaseWriteAllowed();
            }
            if (!needsCopy(hooks, offset, length)) {
                change.apply();
                return;
            }
            List<ReentrantReadWriteLock> held = lockUnits(offset, length);
            try {
                for (CopyOnWrite hook : hooks) {
                    hook.preserve(offset, length);
                }
                change.apply();
            } finally {
                unlockUnits(held);
            }
        } finally {
            shared.unlock();
        }
    }

    private static boolean needsCopy(List<CopyOnWrite> hooks, long offset, long length) {
        for (CopyOnWrite hook : hooks) {
            if (!hook.holdsDurably(offset, length)) {
                return true;
            }
        }
        return false;
    }

    /** Locks the stripes of the units a range touches, in stripe order so that writers never deadlock. */
    List<ReentrantReadWriteLock> lockUnits(long offset, long length) {
        long firstUnit = offset / LOCK_UNIT;
        long lastUnit = (offset + length - 1) / LOCK_UNIT;
        int count = (int) Math.min(lastUnit - firstUnit + 1, STRIPES);
        int[] indexes = new int[count];
        for (int i = 0; i < count; i++) {
            indexes[i] = (int) ((firstUnit + i) % STRIPES); // distinct: fewer than STRIPES consecutive units
        }
        Arrays.sort(indexes);
        List<ReentrantReadWriteLock> locks = new ArrayList<>(count);
        for (int index : indexes) {
            locks.add(stripes[index]);
        }
        for (ReentrantReadWriteLock lock : locks) {
            lock.writeLock().lock();
        }
        return locks;
    }

    static void unlockUnits(List<ReentrantReadWriteLock> held) {
        for (int i = held.size() - 1; i >= 0; i--) {
            held.get(i).writeLock().unlock();
        }
    }
}
