package dev.copyservices.agent.volumecopy;

import dev.copyservices.agent.volume.VolumeDevice;
import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One run of a pair's copy, on its own thread: copies the source to the target chunk by chunk from
 * the recorded checkpoint, at the pair's pace. Every checkpoint syncs the target before the engine
 * records it, so what the record says is copied survives a crash. It never changes the pair's state
 * itself: it reports to the engine, which ignores reports of a run that was stopped meanwhile.
 */
final class Copier implements Runnable {
    private static final Logger LOG = Logger.getLogger(Copier.class.getName());
    static final int CHUNK_BYTES = 4 << 20;
    static final long CHECKPOINT_BYTES = 256L << 20;
    static final long CHECKPOINT_NANOS = 2_000_000_000L;

    /** What the engine does with a run's progress and end. */
    interface Host {
        /** Records durably that the target holds the source's bytes up to {@code copied}. */
        void checkpoint(CopyPair pair, long run, long copied) throws IOException;

        /** The copy passed another tenth of the volume ({@code percent} is 10, 20, ... 90). */
        void progressed(CopyPair pair, long run, int percent);

        void completed(CopyPair pair, long run);

        void failed(CopyPair pair, long run, String why);

        /** Called last, whatever happened: a waiting run may start. */
        void ended(CopyPair pair);
    }

    private final CopyPair pair;
    private final long run;
    private final VolumeDevice source;
    private final VolumeDevice target;
    private final CopyIo io;
    private final CopyPace pace;
    private final Host host;
    private final String label;

    Copier(CopyPair pair, VolumeDevice source, VolumeDevice target, CopyIo io, CopyPace pace, Host host,
            String label) {
        this.pair = pair;
        this.run = pair.record().getRun();
        this.source = source;
        this.target = target;
        this.io = io;
        this.pace = pace;
        this.host = host;
        this.label = label;
    }

    @Override
    public void run() {
        try {
            copy();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the agent is closing; the checkpoint is where it continues
        } catch (RuntimeException | Error e) {
            LOG.log(Level.SEVERE, "VolumeCopy " + label + " stopped by a bug", e);
            host.failed(pair, run, "the copy stopped unexpectedly (" + e + "); see the agent's log");
        } finally {
            pair.copierFinished(Thread.currentThread());
            host.ended(pair);
        }
    }

    private void copy() throws InterruptedException {
        long total = pair.record().getSizeBytes();
        long position = pair.record().getCopiedBytes();
        long checkpointed = position;
        long checkpointTime = System.nanoTime();
        long tenth = position * 10 / Math.max(1, total);
        while (position < total) {
            if (pace.stopped()) {
                return;
            }
            int length = (int) Math.min(CHUNK_BYTES, total - position);
            long start = System.nanoTime();
            try {
                io.copy(source, target, position, length);
            } catch (IOException e) {
                host.failed(pair, run, "copying bytes " + position + "-" + (position + length - 1) + " failed: "
                        + e.getMessage());
                return;
            }
            position += length;
            pair.setCopied(position);
            if (position < total && position * 10 / total > tenth) {
                tenth = position * 10 / total;
                host.progressed(pair, run, (int) tenth * 10);
            }
            long now = System.nanoTime();
            if (position - checkpointed >= CHECKPOINT_BYTES || now - checkpointTime >= CHECKPOINT_NANOS) {
                if (!checkpoint(position)) {
                    return;
                }
                checkpointed = position;
                checkpointTime = System.nanoTime();
            }
            if (!pace.pauseAfter(length, System.nanoTime() - start)) {
                return;
            }
        }
        try {
            long targetSize = target.size();
            if (targetSize > total) {
                target.writeZeroes(total, targetSize - total); // no stale bytes past the copy
            }
            target.flush();
        } catch (IOException e) {
            host.failed(pair, run, "finishing the target failed: " + e.getMessage());
            return;
        }
        if (!pace.stopped()) {
            host.completed(pair, run);
        }
    }

    private boolean checkpoint(long position) {
        try {
            target.flush();
            host.checkpoint(pair, run, position);
            return true;
        } catch (IOException e) {
            host.failed(pair, run, "making the target's copied bytes durable failed: " + e.getMessage());
            return false;
        }
    }
}
