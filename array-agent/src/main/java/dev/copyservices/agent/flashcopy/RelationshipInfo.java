package dev.copyservices.agent.flashcopy;

import java.time.Instant;

/**
 * A Copy-mode relationship as the engine reports it. Region counts are in units of
 * {@code regionBytes}; changed-region counts are tracked for incremental relationships only.
 */
public record RelationshipInfo(String id, String source, String target, CopyOptions options,
        RelationshipState state, Instant pointInTime, Instant established, int regionBytes, long regions,
        long copiedRegions, boolean changesTracked, long sourceChangedRegions, long targetChangedRegions,
        long regionsToCopyAtFlash, String group, String failure, long flashCount) {

    public double copiedPercent() {
        return regions == 0 ? 100.0 : 100.0 * copiedRegions / regions;
    }

    public boolean complete() {
        return copiedRegions >= regions;
    }
}
