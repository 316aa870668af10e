package dev.copyservices.agent.mirror;

import com.google.protobuf.UnsafeByteOperations;
import dev.copyservices.agent.volumecopy.CopyPace;
import dev.copyservices.agent.volumecopy.CopyPriority;
import dev.copyservices.api.agent.v1.ReplicationRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.logging.Logger;

/**
 * Copies a member's due regions to the peer: the initial full synchronization and every resync after.
 * Runs of up to 4 MiB of due regions are read and sent under their region locks (so a host write to
 * the same region lands on the peer after the copy, never before), paced by the sync priority. An
 * all-zero run travels as a zero record. At the end a flush marker makes the peer's copy durable;
 * then the member is synchronized.
 */
final class Resync {
    private static final Logger LOG = Logger.getLogger(Resync.class.getName());
    private static final int MAX_RUN_BYTES = 4 << 20;
    /**
     * Below Highest, the copy goes in bursts of this many bytes: each burst is sent as fast as the
     * stream takes it, its last record awaited, and then the pause is the burst's whole time (reads,
     * the wire, the peer's apply) times the slowdown less one. Pausing after each run by the time of
     * its read and hand-off alone did not slow the copy at all: the stream's window kept the wire and
     * the peer busy through those short pauses.
     */
    private static final long BURST_BYTES = 16L << 20;

    private final Member member;
    private final ReplicationStream stream;
    private final MirrorEngine engine;
    private final CopyPace pace;
    private final Thread thread;
    /**
     * Read buffers whose record is acknowledged: a run's buffer travels in its record as is (no copy)
     * and comes back here once the peer has it, so a resync holds about its stream's window in buffers.
     */
    private final ConcurrentLinkedQueue<ByteBuffer> freeBuffers = new ConcurrentLinkedQueue<>();
    private volatile boolean finished;
    /** Completed by stop, so that waiting for a burst's last record ends with it. */
    private final CompletableFuture<Boolean> stopping = new CompletableFuture<>();

    Resync(Member member, ReplicationStream stream, MirrorEngine engine) {
        this.member = member;
        this.stream = stream;
        this.engine = engine;
        this.pace = new CopyPace(() -> CopyPriority.of(member.record().getPriority()), System::nanoTime);
        this.thread = Thread.ofPlatform().daemon().name("mirror-resync-" + member.id()).unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    ReplicationStream stream() {
        return stream;
    }

    boolean finished() {
        return finished;
    }

    void stop() {
        pace.stop();
        stopping.complete(false);
    }

    void join(long millis) throws InterruptedException {
        thread.join(millis);
    }

    void priorityChanged() {
        pace.priorityChanged();
    }

    private void run() {
        try {
            // the regions this resync copies need not stay changed once the peer holds them durably:
            // without this a crash soon after a full synchronization would copy everything again
            long[] candidates = member.map().beginSweep(true);
            if (copyDueRegions() && !pace.stopped()) {
                ReplicationStream.Sent marker = stream.send(member, ReplicationRecord.Kind.FLUSH, 0, 0, null, -1, -1);
                if (marker != null && stream.await(marker, java.util.concurrent.TimeUnit.MINUTES.toNanos(10), false)
                        && !pace.stopped() && member.map().toCopyCount() == 0) {
                    member.map().finishSweep(candidates);
                    finished = true; // so that the state reported next is Synchronized
                    engine.synchronizedNow(member);
                }
            }
        } catch (IOException e) {
            LOG.warning("resync of mirror " + member.id() + " failed: " + e);
            engine.later(() -> engine.unsynchronized(member, "reading the primary volume failed: " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            finished = true;
        }
    }

    /** Returns true when no region was due at the end of a full pass. */
    private boolean copyDueRegions() throws IOException, InterruptedException {
        ChangeMap map = member.map();
        int regionBytes = map.regionBytes();
        int maxRun = Math.max(1, MAX_RUN_BYTES / regionBytes);
        long capacity = member.record().getCapacityBytes();
        int bufferBytes = maxRun * regionBytes;
        long cursor = 0;
        boolean wrapped = false;
        long burstStart = System.nanoTime();
        long burstBytes = 0;
        ReplicationStream.Sent burstLast = null;
        while (!pace.stopped()) {
            long first = map.nextToCopy(cursor);
            if (first < 0) {
                if (cursor == 0 || wrapped) {
                    return map.toCopyCount() == 0;
                }
                cursor = 0;
                wrapped = true;
                continue;
            }
            long last = first;
            long sentBytes;
            try (RegionLocks.Held held = member.locks().lock(first, first + maxRun - 1)) {
                if (!map.take(first)) {
                    cursor = first + 1;
                    continue;
                }
                while (last + 1 < map.regions() && last + 1 - first < maxRun && map.take(last + 1)) {
                    last++;
                }
                long offset = first * regionBytes;
                long length = Math.min(capacity, (last + 1) * regionBytes) - offset;
                ByteBuffer pooled = freeBuffers.poll();
                ByteBuffer buffer = pooled != null ? pooled : ByteBuffer.allocateDirect(bufferBytes);
                buffer.clear().limit((int) length);
                try {
                    member.inner().read(offset, buffer);
                } catch (IOException e) {
                    map.copyAgain(first, last);
                    throw e;
                }
                buffer.flip();
                boolean zero = allZero(buffer);
                ReplicationStream.Sent sent = stream.sendOwned(member, zero ? ReplicationRecord.Kind.ZERO
                        : ReplicationRecord.Kind.WRITE, offset, length,
                        zero ? null : UnsafeByteOperations.unsafeWrap(buffer), first, last);
                if (sent == null || zero) {
                    freeBuffers.add(buffer);
                } else {
                    sent.outcome.whenComplete((applied, error) -> freeBuffers.add(buffer));
                }
                if (sent == null) {
                    map.copyAgain(first, last);
                    return false;
                }
                sentBytes = length;
                member.inFlight().resyncSent(length);
                burstLast = sent;
            }
            cursor = last + 1;
            burstBytes += sentBytes;
            boolean paced = CopyPriority.of(member.record().getPriority()).slowdown() > 1;
            if (paced) {
                if (burstBytes < BURST_BYTES) {
                    continue;
                }
                awaitApplied(burstLast); // a failed record ends the stream: the next send says so
            }
            if (!pace.pauseAfter(burstBytes, System.nanoTime() - burstStart)) {
                return false;
            }
            burstStart = System.nanoTime();
            burstBytes = 0;
        }
        return false;
    }

    /** Waits until the peer has answered for {@code sent} (and so for all before it), or the copy stops. */
    private void awaitApplied(ReplicationStream.Sent sent) throws InterruptedException {
        try {
            CompletableFuture.anyOf(sent.outcome, stopping).get();
        } catch (ExecutionException e) {
            // the outcome of a broken stream: nothing to wait for any more
        }
    }

    private static boolean allZero(ByteBuffer buffer) {
        ByteBuffer view = buffer.duplicate().order(java.nio.ByteOrder.nativeOrder());
        while (view.remaining() >= 8) {
            if (view.getLong() != 0) {
                return false;
            }
        }
        while (view.hasRemaining()) {
            if (view.get() != 0) {
                return false;
            }
        }
        return true;
    }
}
