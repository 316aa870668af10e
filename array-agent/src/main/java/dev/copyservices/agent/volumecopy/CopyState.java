package dev.copyservices.agent.volumecopy;

import dev.copyservices.agent.pool.catalog.VolumeCopyStateRecord;

/** A pair's states (L5958). The active ones keep the source read-only and the target off limits. */
public enum CopyState {
    PENDING("Pending", VolumeCopyStateRecord.VC_PENDING),
    IN_PROGRESS("InProgress", VolumeCopyStateRecord.VC_IN_PROGRESS),
    COMPLETED("Completed", VolumeCopyStateRecord.VC_COMPLETED),
    STOPPED("Stopped", VolumeCopyStateRecord.VC_STOPPED),
    FAILED("Failed", VolumeCopyStateRecord.VC_FAILED);

    private final String label;
    private final VolumeCopyStateRecord record;

    CopyState(String label, VolumeCopyStateRecord record) {
        this.label = label;
        this.record = record;
    }

    /** Pending, InProgress, Failed: the source takes no writes and the target no I/O (L4881-4885, L5910). */
    public boolean active() {
        return this == PENDING || this == IN_PROGRESS || this == FAILED;
    }

    public String label() {
        return label;
    }

    VolumeCopyStateRecord record() {
        return record;
    }

    static CopyState of(VolumeCopyStateRecord record) {
        for (CopyState s : values()) {
            if (s.record == record) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown VolumeCopy state " + record);
    }
}
