package dev.copyservices.agent.flashcopy;

import dev.copyservices.agent.volume.VolumeDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A standard volume's device: its data file, plus copy-on-write for the FlashCopies of which it is
 * the base. Every standard volume gets one, so taking a FlashCopy never has to swap devices under
 * connected clients.
 *
 * <p>Locks, always taken in this order:
 * <ul>
 * <li>{@link #gate}: every I/O of the base and of its FlashCopies holds it shared; creating,
 * disabling and re-creating a FlashCopy hold it exclusively for a moment. That exclusive moment
 * is the point in time: writes acknowledged before it are in the image, later ones are copied on
 * write (the seed's brief write suspension, L1976).</li>
 * <li>stripe locks, one per 64 KiB unit of the base (hashed onto a fixed set): a base write that
 * must copy holds its units exclusively from reading the original until its own write is done; a
 * FlashCopy read or write holds its unit while it decides between repository and base.</li>
 * </ul>
 * A base write whose chunks every active FlashCopy already holds durably takes no stripe lock: it
 * is the rewrite path, and costs one shared lock and one map lookup per FlashCopy.
 */
final class CowBase implements VolumeDevice {
    static final int LOCK_UNIT = 64 << 10;
    private static final int STRIPES = 4096;

    private final VolumeDevice file;
    private final String name;
    final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
    private final ReentrantReadWriteLock[] stripes = new ReentrantReadWriteLock[STRIPES];
    /** FlashCopies taking copy-on-write: Optimal ones. Replaced, never mutated. */
    private volatile List<FlashCopyVolume> active = List.of();

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

    synchronized void activate(FlashCopyVolume flashCopy) {
        List<FlashCopyVolume> next = new ArrayList<>(active);
        next.remove(flashCopy);
        next.add(flashCopy);
        active = List.copyOf(next);
    }

    synchronized void deactivate(FlashCopyVolume flashCopy) {
        List<FlashCopyVolume> next = new ArrayList<>(active);
        next.remove(flashCopy);
        active = List.copyOf(next);
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
        file.read(offset, dst); // the base always holds its own current data
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
            List<FlashCopyVolume> flashCopies = active;
            if (flashCopies.isEmpty()) {
                change.apply();
                return;
            }
            for (FlashCopyVolume flashCopy : flashCopies) {
                flashCopy.checkBaseWriteAllowed();
            }
            if (!needsCopy(flashCopies, offset, length)) {
                change.apply();
                return;
            }
            List<ReentrantReadWriteLock> held = lockUnits(offset, length);
            try {
                for (FlashCopyVolume flashCopy : flashCopies) {
                    flashCopy.preserve(offset, length);
                }
                change.apply();
            } finally {
                for (int i = held.size() - 1; i >= 0; i--) {
                    held.get(i).writeLock().unlock();
                }
            }
        } finally {
            shared.unlock();
        }
    }

    private static boolean needsCopy(List<FlashCopyVolume> flashCopies, long offset, long length) {
        for (FlashCopyVolume flashCopy : flashCopies) {
            if (!flashCopy.holdsDurably(offset, length)) {
                return true;
            }
        }
        return false;
    }

    /** Locks the stripes of the units a range touches, in stripe order so that writers never deadlock. */
    private List<ReentrantReadWriteLock> lockUnits(long offset, long length) {
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
}
