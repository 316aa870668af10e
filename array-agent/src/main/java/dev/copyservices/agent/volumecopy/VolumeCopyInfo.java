package dev.copyservices.agent.volumecopy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A pair as the control API shows it. {@code started} and {@code completed} are empty until they
 * happen; {@code timeLeft} is known only while InProgress, and {@code bytesPerSecond} (the measured pace) is
 * 0 otherwise; {@code queuePosition} is 0 unless Pending.
 */
public record VolumeCopyInfo(String id, String source, String sourceId, String target, String targetId,
        CopyState state, CopyPriority priority, boolean targetReadOnly, Instant created, Optional<Instant> started,
        Optional<Instant> completed, long bytesTotal, long bytesCopied, Optional<Duration> timeLeft, double bytesPerSecond,
        String failure, int queuePosition, List<String> warnings) {

    public double copiedPercent() {
        return bytesTotal == 0 ? 100.0 : 100.0 * bytesCopied / bytesTotal;
    }

    VolumeCopyInfo withWarnings(List<String> more) {
        return new VolumeCopyInfo(id, source, sourceId, target, targetId, state, priority, targetReadOnly, created,
                started, completed, bytesTotal, bytesCopied, timeLeft, bytesPerSecond, failure, queuePosition, List.copyOf(more));
    }
}
