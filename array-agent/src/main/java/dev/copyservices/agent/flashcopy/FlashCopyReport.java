package dev.copyservices.agent.flashcopy;

import dev.copyservices.agent.pool.catalog.FlashCopyRecord;
import dev.copyservices.agent.pool.catalog.FullPolicyRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** What a FlashCopy's status shows, including the seed's two estimates (L2287, L2388). */
final class FlashCopyReport {
    private FlashCopyReport() {
    }

    static FlashCopyInfo info(FlashCopyVolume flashCopy, String baseName, int connections) {
        FlashCopyRecord s = flashCopy.settings();
        Repository repository = flashCopy.repository();
        long chunk = repository.chunkBytes();
        long capacity = s.getRepositoryCapacityBytes();
        long used = Math.min(capacity, repository.usedSlots() * chunk);
        long available = capacity - used;
        Instant pointInTime = Instant.ofEpochMilli(s.getPointInTimeUnixMillis());
        FlashCopyState state = switch (s.getState()) {
            case DISABLED -> FlashCopyState.DISABLED;
            case FAILED -> FlashCopyState.FAILED;
            default -> flashCopy.full() ? FlashCopyState.FULL : FlashCopyState.OPTIMAL;
        };
        FlashCopyInfo.RepositoryInfo repositoryInfo = new FlashCopyInfo.RepositoryInfo(s.getRepositoryName(), capacity,
                used, available, capacity == 0 ? 0 : 100.0 * used / capacity, s.getWarningThresholdPercent(),
                flashCopy.thresholdExceeded(), s.getFullPolicy() == FullPolicyRecord.FAIL_BASE_WRITES
                        ? FullPolicy.FAIL_BASE_WRITES : FullPolicy.FAIL_FLASH_COPY, (int) chunk,
                FlashCopyRules.overheadEstimate(flashCopy.size()),
                lifeEstimate(Duration.between(pointInTime, Instant.now()), available, used),
                flashCopy.chunksCopiedOnWrite());
        return new FlashCopyInfo(flashCopy.record().getName(), flashCopy.id(), baseName, state, pointInTime,
                Instant.ofEpochMilli(flashCopy.record().getCreatedUnixMillis()), flashCopy.size(), repositoryInfo,
                connections, s.getFailure());
    }

    /** The seed's repository life: Tr = t x Ct / Cu (L2378-2401); unknown while nothing is used. */
    static Optional<Duration> lifeEstimate(Duration elapsed, long available, long used) {
        if (used <= 0 || elapsed.isNegative()) {
            return Optional.empty();
        }
        double seconds = elapsed.toMillis() / 1000.0 * available / used;
        return Optional.of(Duration.ofMillis((long) (seconds * 1000)));
    }
}
