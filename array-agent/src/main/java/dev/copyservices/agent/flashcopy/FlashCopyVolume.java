package dev.copyservices.agent.flashcopy;

import dev.copyservices.agent.pool.catalog.FlashCopyRecord;
import dev.copyservices.agent.pool.catalog.FlashCopyStateRecord;
import dev.copyservices.agent.pool.catalog.FullPolicyRecord;
import dev.copyservices.agent.pool.catalog.VolumeRecord;
import dev.copyservices.agent.volume.BlockIoException;
import dev.copyservices.agent.volume.VolumeDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A live FlashCopy: the device its export serves (the base as of the point in time, overlaid by
 * the repository) and the copy-on-write half that the base calls before it changes a chunk.
 *
 * <p>Where a chunk is read from: the repository when the map names a slot for it (the base's
 * original, copied before the base changed it, or the FlashCopy's own write), else the base,
 * which then still holds the chunk as it was at the point in time.
 */
final class FlashCopyVolume implements VolumeDevice, CowBase.CopyOnWrite {
    private final java.util.concurrent.atomic.AtomicLong copiedOnWrite = new java.util.concurrent.atomic.AtomicLong();
    /** What the engine does when the data path needs a durable state change or an event. */
    interface Host {
        /** Marks the FlashCopy Failed durably, stops its copy-on-write; returns once done. */
        void fail(FlashCopyVolume flashCopy, String why);

        void thresholdExceeded(FlashCopyVolume flashCopy);

        void repositoryFull(FlashCopyVolume flashCopy);
    }

    private final String id;
    private final CowBase base;
    private final Repository repository;
    private final Host host;
    private volatile VolumeRecord record;
    private volatile ChunkMap map;
    private volatile long size;
    private final int chunk;
    private final AtomicBoolean thresholdExceeded = new AtomicBoolean();
    private final AtomicBoolean fullReported = new AtomicBoolean();

    FlashCopyVolume(VolumeRecord record, CowBase base, Repository repository, ChunkMap map, Host host) {
        this.id = record.getId();
        this.base = base;
        this.repository = repository;
        this.host = host;
        this.record = record;
        this.map = map;
        this.size = record.getSizeBytes();
        this.chunk = repository.chunkBytes();
        thresholdExceeded.set(overThreshold());
        fullReported.set(repository.usedSlots() >= repository.capacitySlots());
    }

    static long chunkCount(long size, int chunkBytes) {
        return (size + chunkBytes - 1) / chunkBytes;
    }

    String id() {
        return id;
    }

    CowBase base() {
        return base;
    }

    Repository repository() {
        return repository;
    }

    VolumeRecord record() {
        return record;
    }

    FlashCopyRecord settings() {
        return record.getFlashCopy();
    }

    /** Called by the engine after every durable change of the record. */
    void setRecord(VolumeRecord updated) {
        record = updated;
        if (!overThreshold()) {
            thresholdExceeded.set(false); // a raised threshold clears the condition (scenario 19)
        } else if (thresholdExceeded.compareAndSet(false, true)) {
            host.thresholdExceeded(this); // a lowered threshold is a crossing too
        }
    }

    /** A new point in time: empty repository, the base's current size. The caller holds the gate. */
    void reset(VolumeRecord updated) throws IOException {
        repository.reset(updated.getFlashCopy().getEpoch());
        map = new ChunkMap(chunkCount(updated.getSizeBytes(), chunk));
        size = updated.getSizeBytes();
        fullReported.set(false);
        thresholdExceeded.set(false);
        record = updated;
    }

    void grewRepository() {
        fullReported.set(repository.usedSlots() >= repository.capacitySlots());
        setRecord(record);
    }

    boolean optimal() {
        return settings().getState() == FlashCopyStateRecord.OPTIMAL;
    }

    boolean thresholdExceeded() {
        return thresholdExceeded.get();
    }

    boolean full() {
        return repository.usedSlots() >= repository.capacitySlots();
    }

    // ---- copy-on-write, called by the base -------------------------------------------------------

    /** Refuses base writes while this repository is full under FailBaseWrites (L2166). */
    @Override
    public void checkBaseWriteAllowed() throws IOException {
        if (settings().getFullPolicy() == FullPolicyRecord.FAIL_BASE_WRITES && optimal() && full()) {
            repositoryFull();
            throw new BlockIoException(BlockIoException.Kind.NO_SPACE, "FlashCopy repository '"
                    + settings().getRepositoryName() + "' is full and its policy is FailBaseWrites: writes to base '"
                    + base.name() + "' are rejected until the repository grows");
        }
    }

    /** True when every chunk of the range is already in the repository, durably (the rewrite path). */
    @Override
    public boolean holdsDurably(long offset, long length) {
        ChunkMap current = map;
        long durable = repository.durableSlots();
        long first = offset / chunk;
        long last = Math.min((offset + length - 1) / chunk, current.chunkCount() - 1);
        for (long c = first; c <= last; c++) {
            long slot = current.get(c);
            if (slot < 0 || slot >= durable) {
                return false;
            }
        }
        return true;
    }

    /**
     * Copies the originals of the range's chunks that are not yet in the repository, and returns
     * once they are durable. The caller holds the range's stripe locks.
     */
    /** Chunks of the base copied into the repository before a base write, since the agent started. */
    long chunksCopiedOnWrite() {
        return copiedOnWrite.get();
    }

    @Override
    public void preserve(long offset, long length) throws IOException {
        if (!optimal()) {
            return; // failed or disabled meanwhile: no longer keeps an image
        }
        ChunkMap current = map;
        long first = offset / chunk;
        long last = Math.min((offset + length - 1) / chunk, current.chunkCount() - 1);
        long newest = -1;
        for (long c = first; c <= last; c++) {
            long slot = current.get(c);
            if (slot < 0) {
                ByteBuffer original = ByteBuffer.allocate(chunkLength(c));
                base.file().read(c * chunk, original);
                slot = store(c, original.flip(), true);
                if (slot < 0) {
                    return; // the FlashCopy failed; the base write goes on
                }
                copiedOnWrite.incrementAndGet();
            }
            newest = Math.max(newest, slot);
        }
        if (newest >= 0) {
            try {
                repository.awaitDurable(newest);
            } catch (IOException e) {
                host.fail(this, "its repository '" + settings().getRepositoryName() + "' could not be synced: "
                        + e.getMessage());
            }
        }
    }

    // ---- the FlashCopy's own device --------------------------------------------------------------

    @Override
    public long size() {
        return size;
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        eachChunk(offset, dst, false, (current, c, inChunk, position, piece) -> {
            long slot = current.get(c);
            if (slot >= 0) {
                repository.read(slot, inChunk, piece);
            } else {
                base.file().read(position, piece);
            }
        });
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        eachChunk(offset, src, true, (current, c, inChunk, position, piece) -> {
            try {
                long slot = current.get(c);
                if (slot >= 0) {
                    repository.ensureTrusted(slot);
                    repository.writeInPlace(slot, inChunk, piece);
                } else {
                    ByteBuffer merged = ByteBuffer.allocate(chunkLength(c));
                    base.file().read(c * chunk, merged);
                    merged.put(inChunk, piece, 0, piece.remaining()).flip();
                    store(c, merged, false);
                }
            } catch (BlockIoException e) {
                throw e;
            } catch (IOException e) {
                host.fail(this, "writing its repository failed: " + e.getMessage());
                throw e;
            }
        });
    }

    /** One chunk's part of a FlashCopy read or write, with that chunk's stripe held. */
    private interface ChunkIo {
        void apply(ChunkMap map, long chunkIndex, int inChunk, long position, ByteBuffer piece) throws IOException;
    }

    /**
     * Walks a request chunk by chunk under the base's gate (shared), holding each chunk's stripe
     * (exclusively for writes) while it decides between repository and base.
     */
    private void eachChunk(long offset, ByteBuffer buffer, boolean exclusive, ChunkIo io) throws IOException {
        Lock shared = base.gate.readLock();
        shared.lock();
        try {
            requireUsable();
            ChunkMap current = map;
            long position = offset;
            while (buffer.hasRemaining()) {
                long c = position / chunk;
                int inChunk = (int) (position % chunk);
                int n = Math.min(buffer.remaining(), chunk - inChunk);
                ReentrantReadWriteLock stripeLock = base.stripe(c * chunk);
                Lock stripe = exclusive ? stripeLock.writeLock() : stripeLock.readLock();
                stripe.lock();
                try {
                    io.apply(current, c, inChunk, position, buffer.slice(buffer.position(), n));
                } finally {
                    stripe.unlock();
                }
                buffer.position(buffer.position() + n);
                position += n;
            }
        } finally {
            shared.unlock();
        }
    }

    @Override
    public void writeZeroes(long offset, long length) throws IOException {
        long position = offset;
        long end = offset + length;
        while (position < end) {
            int n = (int) Math.min(1 << 20, end - position);
            write(position, ByteBuffer.allocate(n));
            position += n;
        }
    }

    @Override
    public void trim(long offset, long length) {
        // TRIM leaves content undefined; keeping it costs nothing and frees no repository space
    }

    @Override
    public void flush() throws IOException {
        repository.flush();
    }

    @Override
    public long allocatedBytes() {
        return repository.usedSlots() * chunk;
    }

    @Override
    public void grow(long newSize) {
        throw new UnsupportedOperationException("a FlashCopy keeps the size of its base at its point in time");
    }

    @Override
    public void close() throws IOException {
        repository.close();
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private void requireUsable() throws IOException {
        FlashCopyStateRecord state = settings().getState();
        if (state == FlashCopyStateRecord.DISABLED) {
            throw new BlockIoException(BlockIoException.Kind.NOT_PERMITTED, "FlashCopy '" + record.getName()
                    + "' is disabled; re-create it for a new point in time");
        }
        if (state == FlashCopyStateRecord.FAILED) {
            throw new BlockIoException(BlockIoException.Kind.IO, "FlashCopy '" + record.getName() + "' has failed ("
                    + settings().getFailure() + "); delete or re-create it");
        }
    }

    /**
     * Puts a full chunk into a new slot: the base's original ({@code forBase}) or a merged chunk the
     * FlashCopy writes. Returns the slot, or -1 when a full repository failed the FlashCopy.
     */
    private long store(long c, ByteBuffer data, boolean forBase) throws IOException {
        long slot = repository.allocate();
        if (slot < 0) {
            repositoryFull();
            if (settings().getFullPolicy() == FullPolicyRecord.FAIL_BASE_WRITES) {
                throw new BlockIoException(BlockIoException.Kind.NO_SPACE, "FlashCopy repository '"
                        + settings().getRepositoryName() + "' is full and its policy is FailBaseWrites; grow it"
                        + (forBase ? " to accept writes to base '" + base.name() + "' again" : ""));
            }
            host.fail(this, "its repository '" + settings().getRepositoryName() + "' is full");
            if (forBase) {
                return -1;
            }
            throw new BlockIoException(BlockIoException.Kind.IO, "FlashCopy '" + record.getName()
                    + "' failed: its repository is full");
        }
        try {
            repository.writeNew(slot, c, data);
        } catch (IOException e) {
            host.fail(this, "writing its repository failed: " + e.getMessage());
            if (forBase) {
                return -1;
            }
            throw e;
        }
        map.put(c, slot);
        if (overThreshold() && thresholdExceeded.compareAndSet(false, true)) {
            host.thresholdExceeded(this);
        }
        if (full()) {
            repositoryFull();
        }
        return slot;
    }

    private void repositoryFull() {
        if (fullReported.compareAndSet(false, true)) {
            host.repositoryFull(this);
        }
    }

    private boolean overThreshold() {
        long capacity = repository.capacitySlots();
        return capacity > 0 && repository.usedSlots() * 100 > (long) settings().getWarningThresholdPercent() * capacity;
    }

    private int chunkLength(long c) {
        return (int) Math.min(chunk, size - c * chunk);
    }
}
