package dev.copyservices.agent.mirror;

import dev.copyservices.agent.pool.catalog.MirrorRecord;
import dev.copyservices.agent.pool.catalog.MirrorRoleRecord;
import dev.copyservices.agent.volume.VolumeDevice;
import dev.copyservices.api.agent.v1.MemberStatus;
import dev.copyservices.api.agent.v1.ReplicationRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * This agent's member of one mirror: its record, its change map, and whether host writes are being
 * replicated right now. A primary's host writes come through {@link #hostWrite}: the region is
 * recorded as changed (durably) before the write, then the write goes to the volume and, while
 * replicating, onto the stream to the peer in the same region-locked step. Synchronous mode waits for
 * the peer's acknowledgment; a failure to send marks the region due for copy, and the write still
 * succeeds (the seed: host writes keep completing, the mirror goes Unsynchronized).
 */
final class Member {
    interface LocalWrite {
        void run() throws IOException;
    }

    private final MirrorEngine engine;
    private final ChangeMap map;
    private final RegionLocks locks = new RegionLocks();
    /** Held shared by each host write from its decision to its send; exclusive to switch replicating. */
    private final ReentrantReadWriteLock mode = new ReentrantReadWriteLock();
    private final InFlightRecords inFlight = new InFlightRecords();
    private final AtomicBoolean unsynchronizing = new AtomicBoolean();
    private volatile MirrorRecord record;
    private volatile ReplicationStream replicatingOn;
    private volatile VolumeDevice inner;
    private volatile Resync resync;
    /** The peer's member as last heard; null before the first exchange. */
    private volatile MemberStatus peer;
    private volatile boolean peerKnows = true;
    /**
     * A primary between its registration (created, or loaded at start) and the engine's first decision
     * on replicating it: a host write then is tracked, and only counts as unsent (Unsynchronized) if
     * that decision is not to replicate; otherwise the resync that follows copies its regions.
     */
    private volatile boolean awaitingFirstReconcile;
    private volatile boolean trackedWhileAwaiting;
    private volatile boolean dualRole;
    /** A resync confirmed (flush marker acknowledged) that the peer holds every region. */
    private volatile boolean confirmed;
    /** Held through a role change of this member: one at a time. */
    final Object roleLock = new Object();
    /** Guards {@link #reported}. */
    final Object reportLock = new Object();
    private final Object resyncLock = new Object();
    /** Makes taking in a peer's status one step: two exchanges at once must not undo the newer one. */
    private final Object peerLock = new Object();
    /** The state the last event was published for. */
    volatile dev.copyservices.api.agent.v1.MirrorState reported;
    /** The last tenth of the synchronization that MIRROR_PROGRESS announced; 0 when none yet. */
    volatile int reportedProgressStep;

    Member(MirrorEngine engine, MirrorRecord record, ChangeMap map) {
        this.engine = engine;
        this.record = record;
        this.map = map;
        // a crash between a resync's confirmation and its commit leaves the record inconsistent: confirm again
        this.confirmed = map.toCopyCount() == 0 && record.getLastSynchronizedUnixMillis() != 0
                && !record.getSecondaryInconsistent();
    }

    void awaitFirstReconcile() {
        awaitingFirstReconcile = true;
    }

    /**
     * The engine decided whether this member replicates; from now on an unsent write counts. Writes
     * tracked before count now when the decision was not to replicate.
     */
    void reconciled(boolean replicating) {
        if (!awaitingFirstReconcile) {
            return; // every reconcile but the first: host writes must not wait for the lock below
        }
        boolean tracked;
        mode.writeLock().lock(); // a host write decides under the read lock whether it was awaiting
        try {
            if (!awaitingFirstReconcile) {
                return;
            }
            awaitingFirstReconcile = false;
            tracked = trackedWhileAwaiting;
        } finally {
            mode.writeLock().unlock();
        }
        if (!replicating && tracked) {
            notReplicated("the write could not be sent to the peer");
        }
    }

    void confirmed(boolean value) {
        this.confirmed = value;
    }

    String id() {
        return record.getId();
    }

    MirrorRecord record() {
        return record;
    }

    void setRecord(MirrorRecord record) {
        this.record = record;
    }

    boolean primary() {
        return record.getRole() == MirrorRoleRecord.MR_PRIMARY;
    }

    boolean asynchronous() {
        return record.getAsynchronous();
    }

    String group() {
        return record.getConsistencyGroup();
    }

    ChangeMap map() {
        return map;
    }

    RegionLocks locks() {
        return locks;
    }

    VolumeDevice inner() {
        return inner;
    }

    void setInner(VolumeDevice device) {
        this.inner = device;
    }

    InFlightRecords inFlight() {
        return inFlight;
    }

    MemberStatus peer() {
        return peer;
    }

    boolean peerKnows() {
        return peerKnows;
    }

    boolean dualRole() {
        return dualRole;
    }

    /**
     * Takes in the peer's status unless it is older than the one heard: a heartbeat request is built
     * before its call waits (up to the exchange deadline) for the peer, so one built before the
     * sender's forced role change may arrive after a newer status showed the dual role, and would end
     * it (this member then resyncs toward the other primary). A member's generation grows with each of
     * its role changes. Returns false when the status was out of date and ignored.
     */
    boolean heardFromPeer(MemberStatus status) {
        synchronized (peerLock) {
            MemberStatus last = peer;
            if (status.getKnown() && last != null && last.getKnown() && status.getGeneration() < last.getGeneration()) {
                return false;
            }
            this.peer = status;
            this.peerKnows = status.getKnown();
            this.dualRole = status.getKnown()
                    && (status.getRole() == dev.copyservices.api.agent.v1.MirrorRole.PRIMARY) == primary();
            return true;
        }
    }

    /** The stream this member's records go on: its consistency group's, or its own. */
    String streamKey() {
        return asynchronous() && !group().isEmpty() ? "group:" + group() : "mirror:" + id();
    }

    boolean replicating() {
        return replicatingOn != null;
    }

    ReplicationStream stream() {
        return replicatingOn;
    }

    // ---- the data path ---------------------------------------------------------------------------

    /** A host write (or zeroing) of [offset, offset + length) on the primary; {@code data} null for zeroes. */
    void hostWrite(long offset, long length, ByteBuffer data, LocalWrite local) throws IOException {
        long regionBytes = map.regionBytes();
        long first = offset / regionBytes;
        if (first >= map.regions() || length == 0) {
            local.run(); // past what the mirror covers (the primary grew): not mirrored, as the seed says
            return;
        }
        long last = Math.min((offset + length - 1) / regionBytes, map.regions() - 1);
        ReplicationStream stream;
        ReplicationStream.Sent sent = null;
        boolean awaiting;
        mode.readLock().lock();
        try {
            stream = replicatingOn;
            // read with the stream, under the lock: a reconcile between the two would make a write the
            // initial copy carries count as unsent, and the new mirror would go Unsynchronized
            awaiting = stream == null && awaitingFirstReconcile;
            if (awaiting) {
                trackedWhileAwaiting = true;
            }
            try (RegionLocks.Held held = locks.lock(first, last)) {
                if (map.recordWrite(first, last, stream == null)) {
                    map.awaitDurable(); // the mirror log holds the write before the volume does
                }
                local.run();
                if (stream != null) {
                    sent = stream.send(this, data == null ? ReplicationRecord.Kind.ZERO : ReplicationRecord.Kind.WRITE,
                            offset, length, data, first, last);
                    if (sent == null) {
                        map.copyAgain(first, last);
                    }
                }
            }
        } finally {
            mode.readLock().unlock();
        }
        if (sent == null) {
            if (!awaiting) {
                notReplicated("the write could not be sent to the peer");
            }
        } else if (!asynchronous()) {
            stream.await(sent, engine.writeTimeoutNanos()); // a failure already marked the regions and the state
        }
    }

    /** A host flush on the primary: in synchronous mode, the peer makes what it holds durable too. */
    void hostFlush() {
        ReplicationStream stream = replicatingOn;
        if (stream == null || asynchronous()) {
            return;
        }
        ReplicationStream.Sent marker = stream.send(this, ReplicationRecord.Kind.FLUSH, 0, 0, null, -1, -1);
        if (marker != null) {
            stream.await(marker, engine.writeTimeoutNanos());
        }
    }

    /** Called by the stream, under its lock, for every record sent for this member. */
    void sent(ReplicationStream.Sent sent) {
        inFlight.sent(sent.sentNanos, sent.bytes);
    }

    void applied(ReplicationStream.Sent sent) {
        inFlight.answered();
    }

    /** A record was not applied: its regions are due again and the mirror goes Unsynchronized. */
    void failed(ReplicationStream.Sent sent, String why) {
        inFlight.answered();
        if (sent.firstRegion >= 0) {
            map.copyAgain(sent.firstRegion, sent.lastRegion);
        }
        notReplicated(why);
    }

    /** A write was tracked instead of sent: unless suspended, the mirror is now Unsynchronized. */
    private void notReplicated(String why) {
        MirrorRecord r = record;
        if (primary() && !r.getSuspended() && !r.getUnsynchronized() && unsynchronizing.compareAndSet(false, true)) {
            engine.later(() -> {
                try {
                    engine.unsynchronized(this, why);
                } finally {
                    unsynchronizing.set(false);
                }
            });
        }
    }

    // ---- replicating or not ------------------------------------------------------------------------

    /**
     * Starts or stops replicating on {@code stream} (null stops). Waits for host writes in flight, so
     * that each write is either tracked or sent, never neither.
     */
    void replicateOn(ReplicationStream stream) {
        if (replicatingOn == stream) {
            return; // the heartbeat's reconcile, nothing changes: host writes must not wait for the lock
        }
        mode.writeLock().lock();
        try {
            if (replicatingOn == stream) {
                return;
            }
            replicatingOn = stream;
        } finally {
            mode.writeLock().unlock();
        }
        Resync running = resync;
        if (running != null && running.stream() != stream) {
            running.stop();
            resync = null;
        }
    }

    /** Starts a resync when regions are due and none runs; the engine's heartbeat calls it. */
    void resyncIfDue() {
        synchronized (resyncLock) {
            ReplicationStream stream = replicatingOn;
            Resync running = resync;
            if (stream == null || (running != null && !running.finished())) {
                return;
            }
            if (map.toCopyCount() > 0 || !confirmed) {
                Resync next = new Resync(this, stream, engine);
                resync = next;
                next.start();
            }
        }
    }

    boolean resyncing() {
        Resync running = resync;
        return running != null && !running.finished();
    }

    void stop() {
        replicateOn(null);
    }

    /** After this member's role changed: the peer's last word about roles is out of date. */
    void roleChanged() {
        synchronized (peerLock) {
            dualRole = false;
        }
    }

    void priorityChanged() {
        Resync running = resync;
        if (running != null) {
            running.priorityChanged();
        }
    }

    /** Waits up to {@code millis} for the running resync to finish (a planned role change waits so). */
    void awaitResync(long millis) {
        Resync running = resync;
        try {
            if (running != null && !running.finished()) {
                running.join(millis);
            } else {
                java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MILLISECONDS
                        .toNanos(Math.min(millis, 20)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- status ---------------------------------------------------------------------------------

    dev.copyservices.api.agent.v1.MirrorState state() {
        if (dualRole) {
            return primary() ? dev.copyservices.api.agent.v1.MirrorState.DUAL_PRIMARY
                    : dev.copyservices.api.agent.v1.MirrorState.DUAL_SECONDARY;
        }
        if (!primary()) {
            MemberStatus heard = peer;
            if (heard == null || !peerKnows || !engine.peerReachable(this)) {
                return dev.copyservices.api.agent.v1.MirrorState.UNRESPONSIVE;
            }
            return heard.getState();
        }
        MirrorRecord r = record;
        if (r.getSuspended()) {
            return dev.copyservices.api.agent.v1.MirrorState.SUSPENDED;
        }
        if (r.getUnsynchronized()) {
            return dev.copyservices.api.agent.v1.MirrorState.UNSYNCHRONIZED;
        }
        if (replicatingOn == null) {
            return dev.copyservices.api.agent.v1.MirrorState.UNRESPONSIVE;
        }
        if (map.toCopyCount() > 0 || resyncing() || !confirmed) {
            return dev.copyservices.api.agent.v1.MirrorState.SYNCHRONIZING;
        }
        return dev.copyservices.api.agent.v1.MirrorState.SYNCHRONIZED;
    }

    /** Bytes that differ from the peer, or may: regions due for copy, at most the capacity. */
    long outOfSyncBytes() {
        return Math.min(record.getCapacityBytes(), map.toCopyCount() * map.regionBytes());
    }

    double progressPercent() {
        long regions = map.regions();
        return regions == 0 ? 100 : 100.0 * (regions - Math.min(regions, map.toCopyCount())) / regions;
    }
}
