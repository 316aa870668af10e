package dev.copyservices.agent.volumecopy;

import dev.copyservices.agent.pool.catalog.VolumeCopyPriorityRecord;

/**
 * How much of the agent's I/O a copy may take (L5199-5215). The seed gives no rates; DECISIONS.md takes
 * the mirror guidance: relative to Highest, High copies at about 1/2, Medium 1/3.5, Low 1/6, Lowest 1/8.
 */
public enum CopyPriority {
    LOWEST(8, VolumeCopyPriorityRecord.VC_LOWEST),
    LOW(6, VolumeCopyPriorityRecord.VC_LOW),
    MEDIUM(3.5, VolumeCopyPriorityRecord.VC_MEDIUM),
    HIGH(2, VolumeCopyPriorityRecord.VC_HIGH),
    HIGHEST(1, VolumeCopyPriorityRecord.VC_HIGHEST);

    private final double slowdown;
    private final VolumeCopyPriorityRecord record;

    CopyPriority(double slowdown, VolumeCopyPriorityRecord record) {
        this.slowdown = slowdown;
        this.record = record;
    }

    /** How many times longer than Highest a copy at this priority takes: copying time plus pauses. */
    public double slowdown() {
        return slowdown;
    }

    /** As users write it: Lowest, Low, Medium, High, Highest. */
    public String label() {
        return name().charAt(0) + name().substring(1).toLowerCase(java.util.Locale.ROOT);
    }

    public VolumeCopyPriorityRecord record() {
        return record;
    }

    public static CopyPriority of(VolumeCopyPriorityRecord record) {
        for (CopyPriority p : values()) {
            if (p.record == record) {
                return p;
            }
        }
        return MEDIUM;
    }
}
