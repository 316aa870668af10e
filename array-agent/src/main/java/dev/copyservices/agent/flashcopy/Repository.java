package dev.copyservices.agent.flashcopy;

import dev.copyservices.agent.volume.PositionalIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

/**
 * A FlashCopy repository on disk: one sparse file of chunk-sized slots, each described by a map
 * entry written next to it. Slots are handed out in order and never freed until re-create, so
 * "used" is simply the number of slots handed out.
 *
 * <pre>
 *   [0, 4 KiB)  [4, 8 KiB)   header copies A and B (written alternately, highest valid sequence wins)
 *   then segments: [map page: 128 entries of 32 bytes][128 slots of chunkBytes]
 *   entry: chunk index u64 | epoch u64 | CRC32C of the slot's data u32 | reserved u64 | CRC32C of the entry u32
 * </pre>
 *
 * <p>An entry is valid when its own CRC holds and it carries the FlashCopy's current epoch (kept in
 * the catalog; re-create bumps it, which empties the repository without touching this file).
 * Durability is group-committed: {@link #awaitDurable} returns once one fdatasync has covered the
 * slot and every slot before it, which is what the base's copy-on-write waits for before it
 * overwrites a chunk. The header's checkpoint ({@code trusted}) says which slots were durable;
 * recovery trusts those and checks the data CRC only of the slots after it, so a torn tail from a
 * crash is found and cut off without reading the whole repository.
 */
final class Repository implements AutoCloseable {
    static final int HEADER_BYTES = 4096;
    static final int ENTRY_BYTES = 32;
    static final int MAP_PAGE_BYTES = 4096;
    static final int ENTRIES_PER_PAGE = MAP_PAGE_BYTES / ENTRY_BYTES;
    private static final long MAGIC = 0x4353_5245_504f_3031L; // "CSREPO01"
    /** Durable slots beyond the checkpoint after which a sync also moves the checkpoint on. */
    private static final long CHECKPOINT_EVERY = 1024;

    /** Receives the valid entries found by recovery. */
    interface EntryConsumer {
        void accept(long chunkIndex, long slot);
    }

    private final Path file;
    private final FileChannel channel;
    private final int chunkBytes;
    private final long segmentBytes;
    private volatile long epoch;
    private volatile long capacitySlots;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile long next; // slots handed out
    private long completedPrefix; // slots [0, completedPrefix) are fully written
    private final Set<Long> completedOutOfOrder = new HashSet<>();
    private volatile long durable; // slots [0, durable) are on disk
    private boolean syncing;

    private final Object headerLock = new Object();
    private long trusted;
    private long headerSequence;

    private Repository(Path file, FileChannel channel, int chunkBytes, long epoch, long capacitySlots) {
        this.file = file;
        this.channel = channel;
        this.chunkBytes = chunkBytes;
        this.segmentBytes = MAP_PAGE_BYTES + (long) ENTRIES_PER_PAGE * chunkBytes;
        this.epoch = epoch;
        this.capacitySlots = capacitySlots;
    }

    /** Creates an empty repository file durably, before the catalog names it. */
    static Repository create(Path file, int chunkBytes, long epoch, long capacitySlots) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        Repository repository = new Repository(file, channel, chunkBytes, epoch, capacitySlots);
        try {
            repository.writeHeader(0, false); // both copies valid from the start,
            repository.writeHeader(0, false); // made durable by one sync
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return repository;
    }

    /**
     * Opens a repository after a start or a crash and hands every valid entry of {@code epoch} to
     * {@code into}. Entries of chunks at or past {@code chunkCount} are treated as invalid.
     */
    static Repository open(Path file, int chunkBytes, long epoch, long capacitySlots, long chunkCount,
            EntryConsumer into) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        Repository repository = new Repository(file, channel, chunkBytes, epoch, capacitySlots);
        try {
            repository.recover(chunkCount, into);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return repository;
    }

    int chunkBytes() {
        return chunkBytes;
    }

    long capacitySlots() {
        return capacitySlots;
    }

    long usedSlots() {
        return Math.min(next, capacitySlots);
    }

    long durableSlots() {
        return durable;
    }

    Path file() {
        return file;
    }

    /** Raises the capacity; slots are written lazily, so growing costs nothing on disk. */
    void grow(long newCapacitySlots) {
        capacitySlots = Math.max(capacitySlots, newCapacitySlots);
    }

    /** The next free slot, or -1 when the repository is full. */
    long allocate() {
        lock.lock();
        try {
            if (next >= capacitySlots) {
                return -1;
            }
            return next++;
        } finally {
            lock.unlock();
        }
    }

    /** Writes a freshly allocated slot and its entry; the slot then counts as completed. */
    void writeNew(long slot, long chunkIndex, ByteBuffer data) throws IOException {
        try {
            CRC32C crc = new CRC32C();
            crc.update(data.duplicate());
            writeFully(data.duplicate(), dataOffset(slot));
            writeFully(entry(chunkIndex, epoch, (int) crc.getValue()), entryOffset(slot));
        } finally {
            complete(slot); // even on failure, so waiters never hang; the caller fails the FlashCopy
        }
    }

    /** Overwrites part of a slot that recovery trusts (see {@link #ensureTrusted}). */
    void writeInPlace(long slot, int offsetInChunk, ByteBuffer data) throws IOException {
        writeFully(data, dataOffset(slot) + offsetInChunk);
    }

    void read(long slot, int offsetInChunk, ByteBuffer dst) throws IOException {
        readFully(dst, dataOffset(slot) + offsetInChunk);
    }

    /** Returns once {@code slot} and every slot before it are written and on disk. */
    void awaitDurable(long slot) throws IOException {
        if (slot < durable) {
            return;
        }
        lock.lock();
        try {
            while (slot >= durable) {
                if (syncing || completedPrefix <= slot) {
                    changed.awaitUninterruptibly(); // a sync in progress, or an earlier slot still being written
                    continue;
                }
                syncing = true;
                long target = completedPrefix;
                lock.unlock();
                boolean synced = false;
                try {
                    channel.force(false);
                    synced = true;
                } finally {
                    lock.lock();
                    syncing = false;
                    if (synced) {
                        durable = Math.max(durable, target);
                    }
                    changed.signalAll();
                }
            }
        } finally {
            lock.unlock();
        }
        if (durable - trusted() >= CHECKPOINT_EVERY) {
            checkpoint(false);
        }
    }

    /**
     * Makes recovery trust {@code slot} without checking its data CRC, so that it may be overwritten
     * in place: a slot after the checkpoint is first made durable and the checkpoint moved past it.
     */
    void ensureTrusted(long slot) throws IOException {
        if (slot < trusted()) {
            return;
        }
        awaitDurable(slot);
        checkpoint(true);
    }

    /** Makes every completed write durable (NBD FLUSH on the FlashCopy). */
    void flush() throws IOException {
        long target;
        lock.lock();
        try {
            target = completedPrefix;
        } finally {
            lock.unlock();
        }
        channel.force(false);
        lock.lock();
        try {
            durable = Math.max(durable, target);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Empties the repository for a new epoch. The caller guarantees no I/O is in flight. */
    void reset(long newEpoch) throws IOException {
        lock.lock();
        try {
            epoch = newEpoch;
            next = 0;
            completedPrefix = 0;
            completedOutOfOrder.clear();
            durable = 0;
        } finally {
            lock.unlock();
        }
        synchronized (headerLock) {
            trusted = 0;
            writeHeader(0, true);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private void complete(long slot) {
        lock.lock();
        try {
            if (slot == completedPrefix) {
                completedPrefix++;
                while (completedOutOfOrder.remove(completedPrefix)) {
                    completedPrefix++;
                }
                changed.signalAll();
            } else {
                completedOutOfOrder.add(slot);
            }
        } finally {
            lock.unlock();
        }
    }

    private long trusted() {
        synchronized (headerLock) {
            return trusted;
        }
    }

    private void checkpoint(boolean force) throws IOException {
        synchronized (headerLock) {
            long upTo = durable;
            if (upTo > trusted) {
                writeHeader(upTo, force);
                trusted = upTo;
            }
        }
    }

    /** Writes the header copy not written last, so a torn header write always leaves one intact. */
    private void writeHeader(long trustedSlots, boolean force) throws IOException {
        headerSequence++;
        ByteBuffer header = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
        header.putLong(MAGIC).putLong(headerSequence).putLong(epoch).putLong(trustedSlots).putInt(chunkBytes);
        CRC32C crc = new CRC32C();
        crc.update(header.array(), 0, 36);
        header.putInt((int) crc.getValue()).flip();
        writeFully(header, (headerSequence % 2) * HEADER_BYTES);
        if (force) {
            channel.force(false);
        }
    }

    private void recover(long chunkCount, EntryConsumer into) throws IOException {
        long checkpoint = 0;
        for (int copy = 0; copy < 2; copy++) {
            ByteBuffer header = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
            readFully(header, (long) copy * HEADER_BYTES);
            CRC32C crc = new CRC32C();
            crc.update(header.array(), 0, 36);
            if (header.getLong(0) != MAGIC || header.getInt(36) != (int) crc.getValue()) {
                continue;
            }
            long sequence = header.getLong(8);
            if (sequence > headerSequence) {
                headerSequence = sequence;
                checkpoint = header.getLong(16) == epoch ? header.getLong(24) : 0;
            }
        }
        long slot = 0;
        ByteBuffer page = ByteBuffer.allocate(MAP_PAGE_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer data = ByteBuffer.allocate(chunkBytes);
        for (; slot < capacitySlots; slot++) {
            if (slot % ENTRIES_PER_PAGE == 0) {
                page.clear();
                readFully(page, entryOffset(slot));
            }
            int at = (int) (slot % ENTRIES_PER_PAGE) * ENTRY_BYTES;
            long chunkIndex = page.getLong(at);
            if (!entryValid(page, at) || page.getLong(at + 8) != epoch || chunkIndex < 0 || chunkIndex >= chunkCount) {
                break;
            }
            if (slot >= checkpoint) {
                data.clear();
                readFully(data, dataOffset(slot));
                CRC32C crc = new CRC32C();
                crc.update(data.array(), 0, chunkBytes);
                if ((int) crc.getValue() != page.getInt(at + 16)) {
                    break; // torn by the crash: never durable, so no base write relied on it
                }
            }
            into.accept(chunkIndex, slot);
        }
        next = slot;
        completedPrefix = slot;
        durable = slot;
        invalidateTail(slot);
        writeHeader(slot, true); // what recovery accepted is durable: trust it from now on
        trusted = slot;
    }

    /**
     * Wipes the entries after the last valid one that still carry this epoch (written by the batch
     * the crash interrupted), so they can never come back to life behind slots written later.
     */
    private void invalidateTail(long from) throws IOException {
        ByteBuffer zero = ByteBuffer.allocate(ENTRY_BYTES);
        ByteBuffer page = ByteBuffer.allocate(MAP_PAGE_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        boolean wiped = false;
        long slot = from;
        while (slot < capacitySlots) {
            long pageStart = slot - slot % ENTRIES_PER_PAGE;
            page.clear();
            readFully(page, entryOffset(pageStart));
            boolean any = false;
            for (long s = slot; s < pageStart + ENTRIES_PER_PAGE && s < capacitySlots; s++) {
                int at = (int) (s % ENTRIES_PER_PAGE) * ENTRY_BYTES;
                if (entryValid(page, at) && page.getLong(at + 8) == epoch) {
                    writeFully(zero.clear(), entryOffset(s));
                    any = true;
                }
            }
            if (!any && slot > from) {
                break;
            }
            wiped |= any;
            slot = pageStart + ENTRIES_PER_PAGE;
        }
        if (wiped) {
            channel.force(false);
        }
    }

    private static boolean entryValid(ByteBuffer page, int at) {
        CRC32C crc = new CRC32C();
        crc.update(page.array(), at, ENTRY_BYTES - 4);
        return page.getInt(at + ENTRY_BYTES - 4) == (int) crc.getValue() && page.getLong(at + 8) != 0;
    }

    private static ByteBuffer entry(long chunkIndex, long epoch, int dataCrc) {
        ByteBuffer entry = ByteBuffer.allocate(ENTRY_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        entry.putLong(chunkIndex).putLong(epoch).putInt(dataCrc).putLong(0);
        CRC32C crc = new CRC32C();
        crc.update(entry.array(), 0, ENTRY_BYTES - 4);
        entry.putInt((int) crc.getValue()).flip();
        return entry;
    }

    private long entryOffset(long slot) {
        return 2L * HEADER_BYTES + (slot / ENTRIES_PER_PAGE) * segmentBytes
                + (slot % ENTRIES_PER_PAGE) * ENTRY_BYTES;
    }

    long dataOffset(long slot) {
        return 2L * HEADER_BYTES + (slot / ENTRIES_PER_PAGE) * segmentBytes + MAP_PAGE_BYTES
                + (slot % ENTRIES_PER_PAGE) * (long) chunkBytes;
    }

    private void writeFully(ByteBuffer src, long position) throws IOException {
        PositionalIo.writeFully(channel, src, position);
    }

    private void readFully(ByteBuffer dst, long position) throws IOException {
        PositionalIo.readFully(channel, dst, position);
    }
}
