package dev.copyservices.agent.volumecopy;

import dev.copyservices.agent.pool.catalog.VolumeCopyRecord;
import dev.copyservices.agent.volume.HostAccess;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/** What a pair shows: its info for the API, and the host access its state gives its two volumes. */
final class PairReport {
    /** Host access for the source and the target, with the reason a volume shows for it. */
    record Access(HostAccess source, String sourceWhy, HostAccess target, String targetWhy) {
    }

    private final UnaryOperator<String> nameOfId;

    PairReport(UnaryOperator<String> nameOfId) {
        this.nameOfId = nameOfId;
    }

    /**
     * The seed's host I/O matrix (§3.2): while active the source is read-only and the target takes no
     * I/O; afterwards the source is free and the target follows the pair's read-only attribute.
     */
    Access access(CopyPair pair) {
        VolumeCopyRecord r = pair.record();
        CopyState state = pair.state();
        String source = nameOfId.apply(r.getSourceId());
        String target = nameOfId.apply(r.getTargetId());
        if (state.active()) {
            return new Access(HostAccess.READ_ONLY, "source of VolumeCopy onto '" + target + "' ("
                    + state.label() + ")", HostAccess.NONE, "target of VolumeCopy from '" + source + "' ("
                            + state.label() + ")");
        }
        return new Access(HostAccess.READ_WRITE, "", r.getTargetReadOnly() ? HostAccess.READ_ONLY
                : HostAccess.READ_WRITE, "target of VolumeCopy from '" + source + "' (" + state.label()
                        + ", target read-only)");
    }

    VolumeCopyInfo info(CopyPair pair, int queuePosition) {
        VolumeCopyRecord r = pair.record();
        CopyState state = pair.state();
        long total = r.getSizeBytes();
        long copied = switch (state) {
            case COMPLETED -> total;
            case PENDING -> 0;
            case IN_PROGRESS -> Math.min(total, pair.copied());
            default -> Math.min(total, Math.max(pair.copied(), r.getCopiedBytes()));
        };
        Optional<Duration> left = Optional.empty();
        double bytesPerSecond = 0;
        CopyPace pace = pair.pace();
        if (state == CopyState.IN_PROGRESS && pace != null) {
            long nanos = pace.nanosFor(total - copied);
            left = nanos < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(nanos));
            bytesPerSecond = pace.bytesPerSecond();
        }
        return new VolumeCopyInfo(r.getId(), nameOfId.apply(r.getSourceId()), r.getSourceId(),
                nameOfId.apply(r.getTargetId()), r.getTargetId(), state, pair.priority(), r.getTargetReadOnly(),
                Instant.ofEpochMilli(r.getCreatedUnixMillis()), instant(r.getStartedUnixMillis()),
                instant(r.getCompletedUnixMillis()), total, copied, left, bytesPerSecond, r.getFailure(),
                state == CopyState.PENDING ? queuePosition : 0, List.of());
    }

    /** Whole percent copied, for messages. */
    String percent(CopyPair pair) {
        long total = pair.record().getSizeBytes();
        return total == 0 ? "100" : String.valueOf(100 * Math.min(total, pair.copied()) / total);
    }

    private static Optional<Instant> instant(long millis) {
        return millis == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(millis));
    }
}
