package dev.copyservices.agent.flashcopy;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** A FlashCopy as the control API shows it. */
public record FlashCopyInfo(String name, String id, String base, FlashCopyState state, Instant pointInTime,
        Instant created, long sizeBytes, RepositoryInfo repository, int nbdConnections, String failure) {

    public record RepositoryInfo(String name, long capacityBytes, long usedBytes, long availableBytes,
            double usedPercent, int warningThresholdPercent, boolean thresholdExceeded, FullPolicy fullPolicy,
            int chunkBytes, long overheadEstimateBytes, Optional<Duration> lifeEstimate, long chunksCopiedOnWrite) {
    }
}
