package dev.copyservices.agent.metrics;

import dev.copyservices.agent.flashcopy.FlashCopyEngine;
import dev.copyservices.agent.flashcopy.FlashCopyInfo;
import dev.copyservices.agent.flashcopy.FlashCopyState;
import dev.copyservices.agent.flashcopy.RelationshipInfo;
import dev.copyservices.agent.flashcopy.RelationshipState;
import dev.copyservices.agent.mirror.MirrorEngine;
import dev.copyservices.agent.mirror.MirrorInfo;
import dev.copyservices.agent.volumecopy.CopyState;
import dev.copyservices.agent.volumecopy.VolumeCopyEngine;
import dev.copyservices.agent.volumecopy.VolumeCopyInfo;
import dev.copyservices.api.agent.v1.MirrorState;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The copy services' state as gauges, read from the engines at each scrape: one series per
 * FlashCopy, Copy-mode relationship, VolumeCopy pair and mirror member, gone when the object is. A state is one series per
 * possible value, 1 for the current one (so an alert is {@code ...{state="unsynchronized"} == 1}).
 */
final class CopyServiceMetrics {
    private final FlashCopyEngine flashCopies;
    private final VolumeCopyEngine volumeCopies;
    private final MirrorEngine mirrors;
    private final MultiGauge flashCopyState;
    private final MultiGauge repositoryUsed;
    private final MultiGauge repositoryCapacity;
    private final MultiGauge repositoryThreshold;
    private final MultiGauge volumeCopyState;
    private final MultiGauge volumeCopyCopied;
    private final MultiGauge volumeCopyTotal;
    private final MultiGauge mirrorState;
    private final MultiGauge mirrorLag;
    private final MultiGauge mirrorOutOfSync;
    private final MultiGauge mirrorSent;
    private final MultiGauge mirrorProgress;
    private final MultiGauge mirrorResyncSent;
    private final MultiGauge mirrorRoundTrip;
    private final MultiGauge copiedOnWrite;
    private final MultiGauge relationshipState;
    private final MultiGauge relationshipCopied;
    private final MultiGauge relationshipSize;
    private final MultiGauge volumeCopyRate;

    CopyServiceMetrics(MeterRegistry registry, FlashCopyEngine flashCopies, VolumeCopyEngine volumeCopies,
            MirrorEngine mirrors) {
        this.flashCopies = flashCopies;
        this.volumeCopies = volumeCopies;
        this.mirrors = mirrors;
        flashCopyState = gauge(registry, "copyservices.flashcopy.state", null, "FlashCopy state, 1 for the current one");
        repositoryUsed = gauge(registry, "copyservices.flashcopy.repository.used", "bytes",
                "Bytes of the FlashCopy's repository in use");
        repositoryCapacity = gauge(registry, "copyservices.flashcopy.repository.capacity", "bytes",
                "Capacity of the FlashCopy's repository");
        repositoryThreshold = gauge(registry, "copyservices.flashcopy.repository.warning.threshold", "ratio",
                "The repository's warning threshold as a fraction of its capacity");
        volumeCopyState = gauge(registry, "copyservices.volumecopy.state", null, "VolumeCopy state, 1 for the current"
                + " one");
        volumeCopyCopied = gauge(registry, "copyservices.volumecopy.copied", "bytes", "Bytes the VolumeCopy has copied");
        volumeCopyTotal = gauge(registry, "copyservices.volumecopy.size", "bytes", "Bytes the VolumeCopy copies in all");
        volumeCopyRate = gauge(registry, "copyservices.volumecopy.rate", "bytes.per.second", "The VolumeCopy's"
                + " measured pace, its priority's pauses included; 0 unless in progress");
        mirrorState = gauge(registry, "copyservices.mirror.state", null, "Mirror member state, 1 for the current one");
        mirrorLag = gauge(registry, "copyservices.mirror.lag", "seconds", "Age of the oldest write not yet on the"
                + " secondary (the recovery point of the asynchronous modes)");
        mirrorOutOfSync = gauge(registry, "copyservices.mirror.out.of.sync", "bytes", "Bytes that differ from the"
                + " peer, or may");
        mirrorSent = gauge(registry, "copyservices.mirror.sent", "bytes", "Bytes sent to the peer since the agent"
                + " started (host writes and resync copies)");
        mirrorProgress = gauge(registry, "copyservices.mirror.synchronized", "ratio", "Fraction of the mirror that is"
                + " on the secondary");
        mirrorResyncSent = gauge(registry, "copyservices.mirror.resync.sent", "bytes", "Bytes the initial"
                + " synchronization and the resyncs sent to the peer since the agent started");
        mirrorRoundTrip = gauge(registry, "copyservices.mirror.link.round.trip", "seconds", "Round trip of the last"
                + " heartbeat exchange with the peer agent");
        copiedOnWrite = gauge(registry, "copyservices.flashcopy.copy.on.write.chunks", null, "Chunks of the base"
                + " copied into the repository before a base write, since the agent started");
        relationshipState = gauge(registry, "copyservices.flashcopy.relationship.state", null, "Copy-mode"
                + " relationship state, 1 for the current one");
        relationshipCopied = gauge(registry, "copyservices.flashcopy.relationship.copied", "bytes", "Bytes of the"
                + " source's point-in-time image on the target, by the background copy or by writes on either side");
        relationshipSize = gauge(registry, "copyservices.flashcopy.relationship.size", "bytes", "Bytes the"
                + " relationship copies in all, in whole regions");
    }

    private static MultiGauge gauge(MeterRegistry registry, String name, String unit, String description) {
        MultiGauge.Builder builder = MultiGauge.builder(name).description(description);
        if (unit != null) {
            builder.baseUnit(unit);
        }
        return builder.register(registry);
    }

    /** Reads the engines and replaces every row; called before each scrape. */
    void refresh() {
        List<FlashCopyInfo> fcs = flashCopies.list("");
        flashCopyState.register(states(fcs, FlashCopyState.values(), f -> Tags.of("flashcopy", f.name(), "base",
                f.base()), FlashCopyInfo::state), true);
        repositoryUsed.register(rows(fcs, CopyServiceMetrics::flashCopyTags, f -> f.repository().usedBytes()), true);
        repositoryCapacity.register(rows(fcs, CopyServiceMetrics::flashCopyTags, f -> f.repository().capacityBytes()),
                true);
        repositoryThreshold.register(rows(fcs, CopyServiceMetrics::flashCopyTags,
                f -> f.repository().warningThresholdPercent() / 100.0), true);
        copiedOnWrite.register(rows(fcs, CopyServiceMetrics::flashCopyTags, f -> f.repository().chunksCopiedOnWrite()),
                true);

        List<RelationshipInfo> relationships = flashCopies.relationships().list("", "");
        relationshipState.register(states(relationships, RelationshipState.values(),
                CopyServiceMetrics::relationshipTags, RelationshipInfo::state), true);
        relationshipCopied.register(rows(relationships, CopyServiceMetrics::relationshipTags,
                r -> Math.min(r.regions(), r.copiedRegions()) * (double) r.regionBytes()), true);
        relationshipSize.register(rows(relationships, CopyServiceMetrics::relationshipTags,
                r -> r.regions() * (double) r.regionBytes()), true);

        List<VolumeCopyInfo> copies = volumeCopies.list("");
        volumeCopyState.register(states(copies, CopyState.values(), CopyServiceMetrics::copyTags, VolumeCopyInfo::state),
                true);
        volumeCopyCopied.register(rows(copies, CopyServiceMetrics::copyTags, VolumeCopyInfo::bytesCopied), true);
        volumeCopyTotal.register(rows(copies, CopyServiceMetrics::copyTags, VolumeCopyInfo::bytesTotal), true);
        volumeCopyRate.register(rows(copies, CopyServiceMetrics::copyTags, VolumeCopyInfo::bytesPerSecond), true);

        List<MirrorInfo> members = mirrors.list();
        MirrorState[] known = java.util.Arrays.stream(MirrorState.values())
                .filter(s -> s != MirrorState.MIRROR_STATE_UNSPECIFIED && s != MirrorState.UNRECOGNIZED)
                .toArray(MirrorState[]::new);
        mirrorState.register(states(members, known, CopyServiceMetrics::mirrorTags, MirrorInfo::state), true);
        mirrorLag.register(rows(members, CopyServiceMetrics::mirrorTags, MirrorInfo::lagSeconds), true);
        mirrorOutOfSync.register(rows(members, CopyServiceMetrics::mirrorTags, MirrorInfo::outOfSyncBytes), true);
        mirrorSent.register(rows(members, CopyServiceMetrics::mirrorTags, MirrorInfo::bytesSent), true);
        mirrorProgress.register(rows(members, CopyServiceMetrics::mirrorTags, m -> m.progressPercent() / 100.0), true);
        mirrorResyncSent.register(rows(members, CopyServiceMetrics::mirrorTags, MirrorInfo::resyncBytesSent), true);
        mirrorRoundTrip.register(rows(members.stream().filter(m -> m.linkRoundTripSeconds() >= 0).toList(),
                CopyServiceMetrics::mirrorTags, MirrorInfo::linkRoundTripSeconds), true);
    }

    private static Tags flashCopyTags(FlashCopyInfo f) {
        return Tags.of("flashcopy", f.name(), "base", f.base(), "repository", f.repository().name());
    }

    private static Tags relationshipTags(RelationshipInfo r) {
        return Tags.of("source", r.source(), "target", r.target());
    }

    private static Tags copyTags(VolumeCopyInfo c) {
        return Tags.of("source", c.source(), "target", c.target());
    }

    private static Tags mirrorTags(MirrorInfo m) {
        return Tags.of("volume", m.volume(), "role", m.role().name().toLowerCase(Locale.ROOT), "peer_array",
                m.peerArray(), "peer_volume", m.peerVolume(), "write_mode", m.writeMode().name().toLowerCase(Locale.ROOT));
    }

    private static <T> List<MultiGauge.Row<?>> rows(List<T> items, java.util.function.Function<T, Tags> tags,
            ToDoubleFunction<T> value) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (T item : items) {
            double v = value.applyAsDouble(item);
            rows.add(MultiGauge.Row.of(tags.apply(item), v));
        }
        return rows;
    }

    private static <T, S extends Enum<S>> List<MultiGauge.Row<?>> states(List<T> items, S[] values,
            java.util.function.Function<T, Tags> tags, java.util.function.Function<T, S> state) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (T item : items) {
            S current = state.apply(item);
            for (S s : values) {
                rows.add(MultiGauge.Row.of(tags.apply(item).and("state", s.name().toLowerCase(Locale.ROOT)),
                        s == current ? 1 : 0));
            }
        }
        return rows;
    }
}
