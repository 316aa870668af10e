package dev.copyservices.agent.array;

import java.util.List;

/**
 * What the copy-service engines add to the array's report, asked at each report: object counts,
 * features turned off while objects of them exist (the seed's "out of compliance"), and the failed
 * objects that need a person (the seed's Needs-Attention).
 */
public record CopyServiceFigures(int flashCopyRelationships, int flashCopyGroups, int volumeCopies,
        int copiesInProgress, List<String> featuresOutOfCompliance, List<String> needsAttention, int mirrors) {

    public CopyServiceFigures(int flashCopyRelationships, int flashCopyGroups, int volumeCopies, int copiesInProgress,
            List<String> featuresOutOfCompliance, List<String> needsAttention) {
        this(flashCopyRelationships, flashCopyGroups, volumeCopies, copiesInProgress, featuresOutOfCompliance,
                needsAttention, 0);
    }

    public CopyServiceFigures {
        featuresOutOfCompliance = List.copyOf(featuresOutOfCompliance);
        needsAttention = List.copyOf(needsAttention);
    }

    public static final CopyServiceFigures NONE = new CopyServiceFigures(0, 0, 0, 0, List.of(), List.of());
}
