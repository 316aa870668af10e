package dev.copyservices.agent.volumecopy;

import dev.copyservices.agent.pool.catalog.VolumeCopyRecord;

/**
 * A pair's live state: its catalog record, which changes only through the engine's commit, plus the
 * copier running for it, if any.
 */
final class CopyPair {
    private volatile VolumeCopyRecord record;
    /** Bytes the current run has copied (durable or not); the record holds the durable part. */
    private volatile long copied;
    private volatile CopyPace pace;
    private volatile Thread copier;

    CopyPair(VolumeCopyRecord record) {
        this.record = record;
        this.copied = record.getCopiedBytes();
    }

    String id() {
        return record.getId();
    }

    VolumeCopyRecord record() {
        return record;
    }

    void setRecord(VolumeCopyRecord record) {
        this.record = record;
    }

    CopyState state() {
        return CopyState.of(record.getState());
    }

    CopyPriority priority() {
        return CopyPriority.of(record.getPriority());
    }

    long copied() {
        return copied;
    }

    void setCopied(long bytes) {
        this.copied = bytes;
    }

    CopyPace pace() {
        return pace;
    }

    /** True while a copier thread of an earlier run is still finishing: a new run waits for it. */
    boolean copierRunning() {
        Thread thread = copier;
        return thread != null && thread.isAlive();
    }

    Thread copier() {
        return copier;
    }

    /**
     * Called by a copier thread as it finishes, before it asks for the next run to be scheduled: while
     * it still counted as running, that very schedule skipped a recopy waiting for it, and nothing
     * started the recopy afterwards.
     */
    void copierFinished(Thread thread) {
        if (copier == thread) {
            copier = null;
        }
    }

    void startCopier(Thread thread, CopyPace newPace) {
        this.pace = newPace;
        this.copier = thread;
        thread.start();
    }

    /** Asks the running copier, if any, to end after its current chunk. */
    void stopCopier() {
        CopyPace current = pace;
        if (current != null) {
            current.stop();
        }
    }
}
