package dev.copyservices.agent.flashcopy;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.logging.Logger;

/**
 * The background copy of relationships: one thread per relationship, walking the change map from
 * the first region not yet copied, a batch at a time. A batch holds the target's and source's gates
 * shared (so a flash or withdraw waits for it, briefly) and its regions' stripes exclusively while it
 * copies, syncs the target and sets the bits. Because the bits are durable, a restart resumes where
 * the copy stopped; a re-flash (new epoch) sends the walk back to region 0.
 *
 * <p>Threads are never interrupted: an interrupt closes the FileChannel they are using.
 */
final class BackgroundCopies {
    private static final Logger LOG = Logger.getLogger(BackgroundCopies.class.getName());
    /** Regions per stripe-locked batch: 4 MiB, so a source write waits at most one batch's copy. */
    static final int BATCH_REGIONS = 64;
    /** Batches per window: one target sync and one map sync cover a window of 32 MiB. */
    static final int WINDOW_BATCHES = 8;

    /** What a copier needs from the engine; none of it may take the engine's control lock. */
    interface Engine {
        /** The live relationship with this id, or null once it is gone. */
        CopyRelationship current(String id);

        /** Called once every region is copied at {@code epoch}, from the copier's thread. */
        void backgroundCopyDone(String id, long epoch);

        void fail(CopyRelationship relationship, String why);
    }

    private final Engine engine;
    private final Map<String, Copier> running = new ConcurrentHashMap<>();

    BackgroundCopies(Engine engine) {
        this.engine = engine;
    }

    /** Starts copying the relationship's remaining regions, unless a copier already runs for it. */
    synchronized void start(String id, String targetName) {
        Copier existing = running.get(id);
        if (existing != null && !existing.exiting) {
            existing.restartRequested = true; // a new epoch: walk again from region 0
            return;
        }
        Copier copier = new Copier(id);
        copier.thread = Thread.ofPlatform().daemon().name("background-copy-" + targetName).unstarted(copier::run);
        running.put(id, copier);
        copier.thread.start();
    }

    /** Stops the copier of {@code id} and waits for its batch to end. Never call it holding a gate. */
    void stop(String id) {
        Copier copier = running.remove(id);
        if (copier != null) {
            copier.stopped = true;
            joinUninterruptibly(copier.thread);
        }
    }

    void stopAll() {
        for (String id : List.copyOf(running.keySet())) {
            stop(id);
        }
    }

    private final class Copier {
        final String id;
        Thread thread;
        volatile boolean stopped;
        volatile boolean restartRequested;
        boolean exiting; // guarded by BackgroundCopies.this

        Copier(String id) {
            this.id = id;
        }

        void run() {
            long epoch = -1;
            long cursor = 0;
            while (!stopped) {
                CopyRelationship relationship = engine.current(id);
                if (relationship == null || relationship.failed() || !relationship.record().getBackgroundCopy()) {
                    break;
                }
                Lock targetGate = relationship.target().gate.readLock();
                targetGate.lock();
                try {
                    if (engine.current(id) != relationship) {
                        continue; // reversed meanwhile: look again
                    }
                    if (relationship.record().getEpoch() != epoch || restartRequested) {
                        epoch = relationship.record().getEpoch();
                        restartRequested = false;
                        cursor = 0;
                    }
                    cursor = copyBatch(relationship, cursor);
                } catch (IOException e) {
                    engine.fail(relationship, "the background copy failed: " + e.getMessage());
                    break;
                } finally {
                    targetGate.unlock();
                }
                if (cursor < 0) {
                    if (!exitUnlessRestarted()) {
                        continue;
                    }
                    engine.backgroundCopyDone(id, epoch);
                    return;
                }
            }
            exitUnlessRestarted();
        }

        /** Leaves the registry, unless a start asked for another walk meanwhile. */
        private boolean exitUnlessRestarted() {
            synchronized (BackgroundCopies.this) {
                if (restartRequested && !stopped) {
                    return false;
                }
                exiting = true;
                running.remove(id, this);
                return true;
            }
        }

        /**
         * Copies the next window, batch by batch with the batch's stripes held, then makes the whole
         * window durable at once; returns where to look next, or -1 when nothing is left.
         */
        private long copyBatch(CopyRelationship relationship, long cursor) throws IOException {
            Lock sourceGate = relationship.source().gate.readLock();
            sourceGate.lock();
            try {
                List<long[]> copied = new java.util.ArrayList<>();
                long next = cursor;
                for (int batch = 0; batch < WINDOW_BATCHES && !stopped; batch++) {
                    long first = relationship.map().firstClear(RegionMap.Kind.COPIED, next);
                    if (first < 0) {
                        next = -1;
                        break;
                    }
                    long end = Math.min(first + BATCH_REGIONS, relationship.map().regions());
                    int regionBytes = relationship.record().getRegionBytes();
                    List<ReentrantReadWriteLock> stripes = relationship.source().lockUnits(first * regionBytes,
                            (end - first) * regionBytes);
                    try {
                        copied.addAll(relationship.copyData(first, end));
                    } finally {
                        CowBase.unlockUnits(stripes);
                    }
                    next = end;
                }
                relationship.commitCopied(copied);
                return next;
            } finally {
                sourceGate.unlock();
            }
        }
    }

    private static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        LOG.fine("background copy thread " + thread.getName() + " ended");
    }
}
