package dev.copyservices.agent.grpc;

import dev.copyservices.agent.flashcopy.CopyOptions;
import dev.copyservices.agent.flashcopy.GroupInfo;
import dev.copyservices.agent.flashcopy.GroupPairInfo;
import dev.copyservices.agent.flashcopy.GroupState;
import dev.copyservices.agent.flashcopy.RelationshipInfo;
import dev.copyservices.agent.flashcopy.RelationshipState;
import dev.copyservices.agent.flashcopy.WithdrawResult;
import dev.copyservices.api.agent.v1.FlashCopyGroup;
import dev.copyservices.api.agent.v1.GroupPair;
import dev.copyservices.api.agent.v1.PairState;
import dev.copyservices.api.agent.v1.Relationship;
import dev.copyservices.api.agent.v1.WithdrawResponse;

/**
 * FlashCopy Copy mode (relationships and groups) between engine records and API messages. Apart from
 * ProtoMapper so that Snapshot mode and Copy mode each have a mapper of a readable size; the shared
 * helpers (timestamps, empty strings for null) are ProtoMapper's.
 */
final class CopyModeMapper {
    private CopyModeMapper() {
    }

    static Relationship toProto(RelationshipInfo r) {
        Relationship.Builder b = Relationship.newBuilder()
                .setId(ProtoMapper.text(r.id()))
                .setSource(r.source())
                .setTarget(r.target())
                .setOptions(toProto(r.options()))
                .setState(toProto(r.state()))
                .setRegionBytes(r.regionBytes())
                .setRegions(r.regions())
                .setCopiedRegions(r.copiedRegions())
                .setCopiedPercent(r.copiedPercent())
                .setChangesTracked(r.changesTracked())
                .setSourceChangedRegions(r.sourceChangedRegions())
                .setTargetChangedRegions(r.targetChangedRegions())
                .setRegionsToCopyAtFlash(r.regionsToCopyAtFlash())
                .setGroup(ProtoMapper.text(r.group()))
                .setFailure(ProtoMapper.text(r.failure()))
                .setFlashCount(r.flashCount());
        // unset rather than the epoch, as for FlashCopies: a client shows "-" for a time not known
        if (r.pointInTime() != null) {
            b.setPointInTime(ProtoMapper.timestamp(r.pointInTime()));
        }
        if (r.established() != null) {
            b.setEstablished(ProtoMapper.timestamp(r.established()));
        }
        return b.build();
    }

    static WithdrawResponse toProto(WithdrawResult w) {
        return WithdrawResponse.newBuilder()
                .setRelationship(toProto(w.relationship()))
                .setTargetComplete(w.targetComplete())
                .build();
    }

    static FlashCopyGroup toProto(GroupInfo g) {
        FlashCopyGroup.Builder b = FlashCopyGroup.newBuilder()
                .setName(g.name())
                .setState(toProto(g.state()))
                .setOptions(toProto(g.options()))
                .setConsistent(g.consistent())
                .setCopiedPercent(g.copiedPercent());
        // absent before the first flash: the contract's way of saying "never flashed"
        if (g.lastFlash() != null) {
            b.setLastFlash(ProtoMapper.timestamp(g.lastFlash()));
        }
        if (g.created() != null) {
            b.setCreated(ProtoMapper.timestamp(g.created()));
        }
        g.pairs().forEach(p -> b.addPairs(toProto(p)));
        return b.build();
    }

    static GroupPair toProto(GroupPairInfo p) {
        GroupPair.Builder b = GroupPair.newBuilder()
                .setSource(p.source())
                .setTarget(p.target())
                .setState(p.targetAvailable() ? PairState.PAIR_TARGET_AVAILABLE : PairState.PAIR_DEFINED)
                .setConsistent(p.consistent())
                .setDiscovered(p.discovered());
        // absent for a Defined pair and for a discovered one, whose flash time nobody knows
        if (p.flashTime() != null) {
            b.setFlashTime(ProtoMapper.timestamp(p.flashTime()));
        }
        if (p.relationship() != null) {
            b.setRelationship(toProto(p.relationship()));
        }
        return b.build();
    }

    static dev.copyservices.api.agent.v1.CopyOptions toProto(CopyOptions o) {
        return dev.copyservices.api.agent.v1.CopyOptions.newBuilder()
                .setBackgroundCopy(o.backgroundCopy())
                .setPersistent(o.persistent())
                .setIncremental(o.incremental())
                .build();
    }

    /**
     * Passed as asked, contradictions included: whether incremental without persistent is refused is the
     * engine's rule (CopyOptions.checked), so the refusal and its correction come from one place.
     */
    static CopyOptions fromProto(dev.copyservices.api.agent.v1.CopyOptions o) {
        return new CopyOptions(o.getBackgroundCopy(), o.getPersistent(), o.getIncremental());
    }

    static dev.copyservices.api.agent.v1.RelationshipState toProto(RelationshipState state) {
        return switch (state) {
            case COPYING -> dev.copyservices.api.agent.v1.RelationshipState.RELATIONSHIP_COPYING;
            case COPIED -> dev.copyservices.api.agent.v1.RelationshipState.RELATIONSHIP_COPIED;
            case NO_BACKGROUND_COPY -> dev.copyservices.api.agent.v1.RelationshipState.RELATIONSHIP_NO_BACKGROUND_COPY;
            case FAILED -> dev.copyservices.api.agent.v1.RelationshipState.RELATIONSHIP_FAILED;
        };
    }

    static dev.copyservices.api.agent.v1.GroupState toProto(GroupState state) {
        return switch (state) {
            case DEFINED -> dev.copyservices.api.agent.v1.GroupState.GROUP_DEFINED;
            case PREPARING -> dev.copyservices.api.agent.v1.GroupState.GROUP_PREPARING;
            case TARGET_AVAILABLE -> dev.copyservices.api.agent.v1.GroupState.GROUP_TARGET_AVAILABLE;
            case TERMINATING -> dev.copyservices.api.agent.v1.GroupState.GROUP_TERMINATING;
        };
    }
}
