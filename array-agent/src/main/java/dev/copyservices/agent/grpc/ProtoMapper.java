package dev.copyservices.agent.grpc;

import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import dev.copyservices.agent.array.ArrayInfo;
import dev.copyservices.agent.array.ArrayLimits;
import dev.copyservices.agent.flashcopy.CreateFlashCopy;
import dev.copyservices.agent.flashcopy.FlashCopyInfo;
import dev.copyservices.agent.flashcopy.FlashCopyState;
import dev.copyservices.agent.flashcopy.FullPolicy;
import dev.copyservices.agent.volume.VolumeInfo;
import dev.copyservices.agent.volume.VolumeKind;
import dev.copyservices.api.agent.v1.Array;
import dev.copyservices.api.agent.v1.Attachment;
import dev.copyservices.api.agent.v1.Capacity;
import dev.copyservices.api.agent.v1.Counts;
import dev.copyservices.api.agent.v1.CreateFlashCopyRequest;
import dev.copyservices.api.agent.v1.FlashCopy;
import dev.copyservices.api.agent.v1.Limits;
import dev.copyservices.api.agent.v1.Repository;
import dev.copyservices.api.agent.v1.Volume;
import java.time.Instant;

/**
 * Engine records to API messages and requests to engine arguments; nothing else. Absent values
 * (proto3 optional fields, UNSPECIFIED enums, empty names) become null, which the engines read as
 * "the default", so defaults are decided in one place: the engine.
 */
final class ProtoMapper {
    private ProtoMapper() {
    }

    static Volume toProto(VolumeInfo v) {
        return Volume.newBuilder()
                .setName(v.name())
                .setId(v.id())
                .setSizeBytes(v.sizeBytes())
                .setAllocatedBytes(v.allocatedBytes())
                .setReadOnly(v.readOnly())
                .putAllAttributes(v.attributes())
                .setCreated(timestamp(v.created()))
                .setNbdConnections(v.nbdConnections())
                .setKind(toProto(v.kind()))
                .setBase(text(v.base()))
                .setIncompleteCopy(text(v.incompleteCopy()))
                .setAccessRestriction(text(v.accessRestriction()))
                .addAllAttachments(v.attachments().stream().map(a -> Attachment.newBuilder().setHost(a.host())
                        .addAllAddresses(a.addresses()).build()).toList())
                .build();
    }

    static dev.copyservices.api.agent.v1.VolumeKind toProto(VolumeKind kind) {
        return switch (kind) {
            case STANDARD -> dev.copyservices.api.agent.v1.VolumeKind.STANDARD;
            case FLASHCOPY -> dev.copyservices.api.agent.v1.VolumeKind.FLASHCOPY;
        };
    }

    static FlashCopy toProto(FlashCopyInfo f) {
        FlashCopy.Builder b = FlashCopy.newBuilder()
                .setName(f.name())
                .setId(f.id())
                .setBase(f.base())
                .setState(toProto(f.state()))
                .setSizeBytes(f.sizeBytes())
                .setNbdConnections(f.nbdConnections())
                .setFailure(text(f.failure()));
        // unset rather than the epoch: a client shows "-" for a time the engine does not know
        if (f.pointInTime() != null) {
            b.setPointInTime(timestamp(f.pointInTime()));
        }
        if (f.created() != null) {
            b.setCreated(timestamp(f.created()));
        }
        if (f.repository() != null) {
            b.setRepository(toProto(f.repository()));
        }
        return b.build();
    }

    static Repository toProto(FlashCopyInfo.RepositoryInfo r) {
        Repository.Builder b = Repository.newBuilder()
                .setName(r.name())
                .setCapacityBytes(r.capacityBytes())
                .setUsedBytes(r.usedBytes())
                .setAvailableBytes(r.availableBytes())
                .setUsedPercent(r.usedPercent())
                .setWarningThresholdPercent(r.warningThresholdPercent())
                .setThresholdExceeded(r.thresholdExceeded())
                .setFullPolicy(toProto(r.fullPolicy()))
                .setChunkBytes(r.chunkBytes())
                .setOverheadEstimateBytes(r.overheadEstimateBytes());
        // absent while nothing is used: there is no rate to extrapolate from yet
        r.lifeEstimate().ifPresent(d -> b.setLifeEstimate(Duration.newBuilder()
                .setSeconds(d.getSeconds())
                .setNanos(d.getNano())));
        return b.build();
    }

    static dev.copyservices.api.agent.v1.FlashCopyState toProto(FlashCopyState state) {
        return switch (state) {
            case OPTIMAL -> dev.copyservices.api.agent.v1.FlashCopyState.OPTIMAL;
            case DISABLED -> dev.copyservices.api.agent.v1.FlashCopyState.DISABLED;
            case FAILED -> dev.copyservices.api.agent.v1.FlashCopyState.FAILED;
            case FULL -> dev.copyservices.api.agent.v1.FlashCopyState.FULL;
        };
    }

    static dev.copyservices.api.agent.v1.FullPolicy toProto(FullPolicy policy) {
        return switch (policy) {
            case FAIL_FLASH_COPY -> dev.copyservices.api.agent.v1.FullPolicy.FAIL_FLASH_COPY;
            case FAIL_BASE_WRITES -> dev.copyservices.api.agent.v1.FullPolicy.FAIL_BASE_WRITES;
        };
    }

    static CreateFlashCopy fromProto(CreateFlashCopyRequest r) {
        return new CreateFlashCopy(
                r.getBase(),
                emptyToNull(r.getName()),
                emptyToNull(r.getRepositoryName()),
                r.hasRepositoryPercent() ? unsigned(r.getRepositoryPercent()) : null,
                r.hasRepositoryCapacityBytes() ? unsigned(r.getRepositoryCapacityBytes()) : null,
                r.hasWarningThresholdPercent() ? unsigned(r.getWarningThresholdPercent()) : null,
                fromProto(r.getFullPolicy()),
                r.getAttributesMap());
    }

    /** UNSPECIFIED is null, "the default" (or "unchanged" for an update). */
    static FullPolicy fromProto(dev.copyservices.api.agent.v1.FullPolicy policy) {
        return switch (policy) {
            case FULL_POLICY_UNSPECIFIED -> null;
            case FAIL_FLASH_COPY -> FullPolicy.FAIL_FLASH_COPY;
            case FAIL_BASE_WRITES -> FullPolicy.FAIL_BASE_WRITES;
            // a number from a newer contract: refusing beats guessing what a full repository should do
            case UNRECOGNIZED -> throw Errors.invalid("INVALID_FULL_POLICY",
                    "the full policy is not one this agent knows",
                    "use FAIL_FLASH_COPY or FAIL_BASE_WRITES, or leave it unset for the default");
        };
    }

    /** uint64 arrives as a Java long; anything above 2^63 is far past every limit, so clamp it there. */
    static long unsigned(long value) {
        return value < 0 ? Long.MAX_VALUE : value;
    }

    /** uint32 arrives as a Java int; clamped like {@link #unsigned(long)} so a range check reports it as too large. */
    static int unsigned(int value) {
        return value < 0 ? Integer.MAX_VALUE : value;
    }

    static Array toProto(ArrayInfo a) {
        ArrayLimits l = a.limits();
        return Array.newBuilder()
                .setId(a.id())
                .setName(a.name())
                .setSite(a.site())
                .setVersion(a.version())
                .setNbdEndpoint(a.nbdEndpoint())
                .setCapacity(Capacity.newBuilder()
                        .setPoolTotalBytes(a.poolTotalBytes())
                        .setPoolFreeBytes(a.poolFreeBytes())
                        .setProvisionedBytes(a.provisionedBytes())
                        .setAllocatedBytes(a.allocatedBytes()))
                .setLimits(Limits.newBuilder()
                        .setMaxVolumes(l.maxVolumes())
                        .setMaxFlashcopiesPerBase(l.maxFlashCopiesPerBase())
                        .setMaxFlashcopies(l.maxFlashCopies())
                        .setMaxCopiesInProgress(l.maxCopiesInProgress())
                        .setMaxMirrors(l.maxMirrors()))
                .setCounts(Counts.newBuilder()
                        .setVolumes(a.volumes())
                        .setFlashcopies(a.flashCopies())
                        .setFlashcopyRelationships(a.copies().flashCopyRelationships())
                        .setFlashcopyGroups(a.copies().flashCopyGroups())
                        .setVolumeCopies(a.copies().volumeCopies())
                        .setCopiesInProgress(a.copies().copiesInProgress())
                        .setMirrors(a.copies().mirrors()))
                .addAllEnabledFeatures(a.enabledFeatures())
                .addAllFeaturesOutOfCompliance(a.copies().featuresOutOfCompliance())
                .addAllNeedsAttention(a.copies().needsAttention())
                .build();
    }

    static Timestamp timestamp(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    /** Proto strings cannot be null; an engine's "none" is the empty string on the wire. */
    static String text(String s) {
        return s == null ? "" : s;
    }

    private static String emptyToNull(String s) {
        return s.isEmpty() ? null : s;
    }
}
