package dev.copyservices.agent.flashcopy;

import dev.copyservices.agent.flashcopy.RegionMap.Kind;
import dev.copyservices.agent.pool.catalog.CopyRelationshipRecord;
import dev.copyservices.agent.volume.BlockIoException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A live Copy-mode relationship: the copy-on-write hook of its source and the image of its target.
 *
 * <p>A region's image is on the target once its COPIED bit is durable; until then it is the
 * source's region, which no source write changes before copying it over. Every copy, whether for a
 * source write, a target write or the background copy, runs under the source's stripe lock of the
 * region, writes the target, syncs it, and only then sets the bit: a crash at any moment leaves
 * each region either uncopied (the source still holds it) or copied durably.
 *
 * <p>Incremental relationships also set SOURCE_CHANGED / TARGET_CHANGED durably before the first
 * write to a region after a flash, so that a re-flash knows which regions differ.
 */
final class CopyRelationship implements CowBase.CopyOnWrite, CowBase.TargetImage {
    /** What the engine does when a copy fails: marks the relationship Failed durably and says so. */
    interface Host {
        void fail(CopyRelationship relationship, String why);
    }

    private final String id;
    private final CowBase source;
    private final CowBase target;
    private final RegionMap map;
    private final Host host;
    private final GroupSync targetSync;
    private final int regionBytes;
    private volatile CopyRelationshipRecord record;
    private volatile boolean failed;

    CopyRelationship(CopyRelationshipRecord record, CowBase source, CowBase target, RegionMap map, Host host) {
        this.id = record.getId();
        this.record = record;
        this.source = source;
        this.target = target;
        this.map = map;
        this.host = host;
        this.regionBytes = record.getRegionBytes();
        this.failed = record.getFailed();
        this.targetSync = new GroupSync(() -> target.file().flush());
    }

    String id() {
        return id;
    }

    CopyRelationshipRecord record() {
        return record;
    }

    void setRecord(CopyRelationshipRecord updated) {
        this.record = updated;
        this.failed = updated.getFailed();
    }

    CowBase source() {
        return source;
    }

    CowBase target() {
        return target;
    }

    RegionMap map() {
        return map;
    }

    boolean failed() {
        return failed;
    }

    /** Stops all copying at once, before the durable record says so; the engine commits it next. */
    void markFailed() {
        failed = true;
    }

    boolean complete() {
        return map.count(Kind.COPIED) >= map.regions();
    }

    /**
     * Where the point-in-time image ends: the source's size, which neither side may cut (a reversed
     * relationship's target is the former source, possibly the smaller of the two).
     */
    long imageEnd() {
        return Math.min(Math.min(source.size(), target.size()), map.regions() * regionBytes);
    }

    private boolean tracked() {
        return record.getIncremental();
    }

    // ---- the source's copy-on-write hook --------------------------------------------------------

    @Override
    public void checkBaseWriteAllowed() {
        // a relationship never refuses its source's writes: a copy that fails fails the relationship
    }

    @Override
    public boolean holdsDurably(long offset, long length) {
        long first = offset / regionBytes;
        long end = Math.min(Math.ceilDiv(offset + length, regionBytes), map.regions());
        if (failed || first >= end) {
            return true;
        }
        return map.allSet(Kind.COPIED, first, end) && (!tracked() || map.allSet(Kind.SOURCE_CHANGED, first, end));
    }

    /** The source's gate is held shared and the range's stripes exclusively, by the source's write. */
    @Override
    public void preserve(long offset, long length) {
        long first = offset / regionBytes;
        long end = Math.min(Math.ceilDiv(offset + length, regionBytes), map.regions());
        if (failed || first >= end) {
            return;
        }
        try {
            copyRegions(first, end);
            if (tracked() && !map.allSet(Kind.SOURCE_CHANGED, first, end)) {
                map.markDurably(Kind.SOURCE_CHANGED, first, end);
            }
        } catch (IOException e) {
            // the source is the user's production volume: its write goes on, the target's image is lost
            host.fail(this, "copying regions " + first + "-" + (end - 1) + " before a source write failed: "
                    + e.getMessage());
        }
    }

    // ---- the target's image ---------------------------------------------------------------------

    /** The target's gate is held shared. */
    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        checkUsable();
        long imageEnd = imageEnd();
        long position = offset;
        while (dst.hasRemaining()) {
            if (position >= imageEnd) {
                target.file().read(position, dst); // past the source's size: the target's own bytes
                return;
            }
            long region = position / regionBytes;
            long pieceEnd = Math.min((region + 1) * regionBytes, imageEnd);
            int length = (int) Math.min(dst.remaining(), pieceEnd - position);
            readRegionPiece(region, position, dst.slice(dst.position(), length));
            dst.position(dst.position() + length);
            position += length;
        }
    }

    private void readRegionPiece(long region, long position, ByteBuffer piece) throws IOException {
        if (map.isSet(Kind.COPIED, region)) {
            target.file().read(position, piece);
            return;
        }
        ReentrantReadWriteLock.ReadLock sourceGate = source.gate.readLock();
        sourceGate.lock();
        ReentrantReadWriteLock.ReadLock stripe = source.stripe(position).readLock();
        stripe.lock(); // no source write can change the region while it is read from the source
        try {
            if (map.isSet(Kind.COPIED, region)) {
                target.file().read(position, piece);
            } else {
                source.file().read(position, piece);
            }
        } finally {
            stripe.unlock();
            sourceGate.unlock();
        }
    }

    /** The target's gate is held shared. */
    @Override
    public void beforeChange(long offset, long length) throws IOException {
        checkUsable();
        long first = offset / regionBytes;
        long end = Math.min(Math.ceilDiv(offset + length, regionBytes), map.regions());
        if (first >= end || map.allSet(Kind.COPIED, first, end)
                && (!tracked() || map.allSet(Kind.TARGET_CHANGED, first, end))) {
            return;
        }
        ReentrantReadWriteLock.ReadLock sourceGate = source.gate.readLock();
        sourceGate.lock();
        List<ReentrantReadWriteLock> stripes = source.lockUnits(first * regionBytes, (end - first) * regionBytes);
        try {
            copyRegions(first, end);
            if (tracked() && !map.allSet(Kind.TARGET_CHANGED, first, end)) {
                map.markDurably(Kind.TARGET_CHANGED, first, end);
            }
        } catch (IOException e) {
            host.fail(this, "copying regions " + first + "-" + (end - 1) + " before a target write failed: "
                    + e.getMessage());
            throw new BlockIoException(BlockIoException.Kind.IO, "the FlashCopy relationship onto this volume"
                    + " failed: " + e.getMessage(), e);
        } finally {
            CowBase.unlockUnits(stripes);
            sourceGate.unlock();
        }
    }

    private void checkUsable() throws IOException {
        if (failed) {
            throw new BlockIoException(BlockIoException.Kind.IO, "the FlashCopy relationship onto this volume has"
                    + " failed (" + record.getFailure() + "); withdraw it with --force and flash again");
        }
    }

    // ---- copying ------------------------------------------------------------------------------

    /**
     * Copies every region of [first, end) that is not yet on the target, durably. Callers hold the
     * source's gate shared and the regions' stripes exclusively.
     */
    void copyRegions(long first, long end) throws IOException {
        List<long[]> runs = copyData(first, end);
        commitCopied(runs);
    }

    /**
     * Copies the data of the regions of [first, end) not yet on the target and returns the runs it
     * copied, as [first, end) pairs; their bits are set by {@link #commitCopied}. Callers hold the
     * source's gate shared and the regions' stripes exclusively. Between the two calls a writer may
     * copy such a region again: the same data, since the source changes only after a copy.
     */
    List<long[]> copyData(long first, long end) throws IOException {
        List<long[]> runs = new java.util.ArrayList<>();
        long runStart = -1;
        for (long r = first; r <= end; r++) {
            boolean needs = r < end && !map.isSet(Kind.COPIED, r);
            if (needs && runStart < 0) {
                runStart = r;
            } else if (!needs && runStart >= 0) {
                long from = runStart * regionBytes;
                long to = Math.min(r * regionBytes, imageEnd());
                if (to > from) {
                    source.file().copyRangeTo(target.file(), from, to - from);
                }
                runs.add(new long[] {runStart, r});
                runStart = -1;
            }
        }
        return runs;
    }

    /** Makes copied data durable on the target, then its bits in the change map. Gates held shared. */
    void commitCopied(List<long[]> runs) throws IOException {
        if (runs.isEmpty()) {
            return;
        }
        targetSync.await(); // the data before the bits: a durable bit always finds its region on the target
        map.markDurably(Kind.COPIED, runs); // one map sync for all of them
    }
}
