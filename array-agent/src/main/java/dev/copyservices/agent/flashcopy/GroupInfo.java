package dev.copyservices.agent.flashcopy;

import java.time.Instant;
import java.util.List;

/** A FlashCopy group as the engine reports it; {@code lastFlash} is null before the first flash. */
public record GroupInfo(String name, GroupState state, CopyOptions options, Instant lastFlash, Instant created,
        List<GroupPairInfo> pairs) {

    /** False while any pair with a relationship was discovered rather than flashed by the group. */
    public boolean consistent() {
        return pairs.stream().allMatch(p -> p.relationship() == null || p.consistent());
    }

    public double copiedPercent() {
        long regions = 0;
        long copied = 0;
        for (GroupPairInfo pair : pairs) {
            if (pair.relationship() != null) {
                regions += pair.relationship().regions();
                copied += pair.relationship().copiedRegions();
            }
        }
        return regions == 0 ? 0.0 : 100.0 * copied / regions;
    }
}
