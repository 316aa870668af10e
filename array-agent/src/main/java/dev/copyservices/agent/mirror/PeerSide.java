package dev.copyservices.agent.mirror;

import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;
import dev.copyservices.agent.events.EventSink.Severity;
import dev.copyservices.agent.pool.catalog.MirrorRecord;
import dev.copyservices.agent.pool.catalog.MirrorRoleRecord;
import dev.copyservices.agent.pool.catalog.VolumeRecord;
import dev.copyservices.agent.volume.VolumeDevice;
import dev.copyservices.api.agent.v1.CandidatesRequest;
import dev.copyservices.api.agent.v1.ChangedRegions;
import dev.copyservices.api.agent.v1.CollectChangesRequest;
import dev.copyservices.api.agent.v1.ExchangeReply;
import dev.copyservices.api.agent.v1.ExchangeRequest;
import dev.copyservices.api.agent.v1.ListSecondaryCandidatesResponse;
import dev.copyservices.api.agent.v1.MemberStatus;
import dev.copyservices.api.agent.v1.MirrorRole;
import dev.copyservices.api.agent.v1.MirrorSettings;
import dev.copyservices.api.agent.v1.PeerHello;
import dev.copyservices.api.agent.v1.ProposeMirrorReply;
import dev.copyservices.api.agent.v1.ProposeMirrorRequest;
import dev.copyservices.api.agent.v1.ReplicationRecord;
import dev.copyservices.api.agent.v1.RoleReply;
import dev.copyservices.api.agent.v1.RoleRequest;
import java.io.IOException;
import java.util.List;

/**
 * What this agent does when its peer calls: hold a new secondary, exchange member status, apply the
 * primary's records, and the peer's half of role changes and removes. The gRPC service is a thin
 * adapter over this class.
 */
public final class PeerSide {
    private final MirrorEngine engine;

    public PeerSide(MirrorEngine engine) {
        this.engine = engine;
    }

    static PeerHello hello(MirrorEngine engine) {
        var catalog = engine.pool.catalog();
        return PeerHello.newBuilder().setArrayId(catalog.getArrayId()).setArrayName(catalog.getArrayName())
                .setSite(catalog.getSite()).setReplicationEndpoint(engine.options.endpoint() == null ? ""
                        : engine.options.endpoint())
                .setMirroringActivated(catalog.getMirroring().getActivated()).setMirroringEnabled(engine.enabled())
                .setPartnerArrayId(catalog.getMirroring().getPartnerArrayId()).build();
    }

    public PeerHello hello(PeerHello caller) {
        return hello(engine);
    }

    /** Takes the secondary of a new mirror: the rules of L7504-7510 and L8341 on this side. */
    public ProposeMirrorReply propose(ProposeMirrorRequest request) {
        MirrorOperations operations = new MirrorOperations(engine);
        Member member;
        synchronized (engine.control) {
            Member same = engine.byId(request.getMirrorId());
            if (same != null) {
                return reply(same);
            }
            VolumeRecord volume = engine.volumes.find(request.getSecondaryVolume()).orElseThrow(() ->
                    new EngineException(Reason.VOLUME_NOT_FOUND, "volume '" + request.getSecondaryVolume()
                            + "' does not exist on array '" + engine.pool.catalog().getArrayName() + "'",
                            "create it there first, at least " + dev.copyservices.api.Sizes.format(
                                    request.getCapacityBytes()) + " large"));
            Member existing = engine.byVolumeId(volume.getId());
            if (existing != null && !existing.primary()
                    && existing.record().getPeerArrayId().equals(request.getPrimaryArray().getArrayId())
                    && existing.record().getPeerVolumeId().equals(request.getPrimaryVolumeId())) {
                // a create that failed after this side took the secondary: the retry takes it over
                operations.removeMembers(List.of(existing), "the primary created the mirror again");
                existing = null;
            }
            operations.checkCanCreate("array '" + engine.pool.catalog().getArrayName() + "'");
            operations.checkPartner(request.getPrimaryArray());
            engine.rules.checkSecondary(volume, existing, request.getCapacityBytes());
            MirrorSettings settings = request.getSettings();
            MirrorRecord record = Settings.applyTo(MirrorRecord.newBuilder()
                    .setId(request.getMirrorId()).setVolumeId(volume.getId()).setRole(MirrorRoleRecord.MR_SECONDARY)
                    .setGeneration(1).setPeerArrayId(request.getPrimaryArray().getArrayId())
                    .setPeerArrayName(request.getPrimaryArray().getArrayName())
                    .setPeerEndpoint(request.getPrimaryArray().getReplicationEndpoint())
                    .setPeerVolume(request.getPrimaryVolume()).setPeerVolumeId(request.getPrimaryVolumeId())
                    .setCapacityBytes(request.getCapacityBytes()).setRegionBytes(engine.options.regionBytes())
                    .setCreatedUnixMillis(System.currentTimeMillis()).putAllLabels(request.getLabelsMap()), settings)
                    .build();
            member = operations.add(record, false, request.getPrimaryArray());
            // the primary is calling right now and starts the initial copy next: until its first heartbeat
            // says more, that is what the secondary shows (not "unresponsive, not contacted yet")
            member.heardFromPeer(MemberStatus.newBuilder().setMirrorId(record.getId()).setKnown(true)
                    .setRole(MirrorRole.PRIMARY).setGeneration(1)
                    .setState(dev.copyservices.api.agent.v1.MirrorState.SYNCHRONIZING).setSettings(settings)
                    .setOutOfSyncBytes(request.getCapacityBytes()).setVolume(request.getPrimaryVolume())
                    .setReason("initial full synchronization").build());
            engine.events.publish(Severity.INFO, "MIRROR_CREATED", "Mirror", volume.getName(), "'" + volume.getName()
                    + "' is now the secondary of '" + request.getPrimaryVolume() + "' on array '"
                    + request.getPrimaryArray().getArrayName() + "'; hosts may only read it", "");
        }
        return reply(member);
    }

    /** The volumes here that {@link #propose} would take as the secondary of a primary this large. */
    public ListSecondaryCandidatesResponse candidates(CandidatesRequest request) {
        return new SecondaryCandidates(engine).eligible(request);
    }

    private ProposeMirrorReply reply(Member member) {
        long size = engine.volumes.findById(member.record().getVolumeId()).map(VolumeRecord::getSizeBytes).orElse(0L);
        return ProposeMirrorReply.newBuilder().setSecondaryVolumeId(member.record().getVolumeId())
                .setSecondarySizeBytes(size).build();
    }

    /** The peer's heartbeat: take in what it says of each member, answer with ours. */
    public ExchangeReply exchange(ExchangeRequest request) {
        ExchangeReply.Builder reply = ExchangeReply.newBuilder().setArrayId(engine.pool.catalog().getArrayId());
        for (MemberStatus heard : request.getMembersList()) {
            Member member = engine.byId(heard.getMirrorId());
            if (member == null) {
                reply.addMembers(MemberStatus.newBuilder().setMirrorId(heard.getMirrorId()).setKnown(false));
                continue;
            }
            absorb(member, heard);
            reply.addMembers(MirrorReport.status(engine, member));
        }
        return reply.build();
    }

    /** What the peer said of a member: roles (a dual role shows), and a secondary adopts its primary's settings. */
    void absorb(Member member, MemberStatus heard) {
        boolean wasDual = member.dualRole();
        if (!member.heardFromPeer(heard)) {
            return; // older than what the peer said since: its role and settings are out of date
        }
        if (heard.getKnown() && !member.primary() && heard.getRole() == MirrorRole.PRIMARY
                && !Settings.of(member.record()).equals(heard.getSettings())) {
            engine.commit(member, b -> Settings.applyTo(b, heard.getSettings()));
            String volume = engine.volumeName(member);
            // said here too, so that whoever follows this agent's events (the operator) sees it
            engine.events.publish(Severity.INFO, "MIRROR_SETTINGS_CHANGED", "Mirror", volume, "mirror '" + volume
                    + "' (secondary) now " + Settings.describe(heard.getSettings()) + ", as its primary set it", "");
        }
        if (wasDual != member.dualRole()) {
            engine.later(() -> engine.reconcile(member));
        }
        // What the peer said may change this member's state (a secondary's state is its primary's): said
        // now, not at this agent's next tick, which could come after it changed back, unseen by followers
        engine.later(() -> engine.heartbeat().report(member));
    }

    /** Applies one record of the primary's stream; returns why not, or empty when applied. */
    public String apply(ReplicationRecord record) {
        Member member = engine.byId(record.getMirrorId());
        if (member == null) {
            return "this array has no member of mirror " + record.getMirrorId();
        }
        if (member.primary()) {
            return "the member here is primary too (dual-role conflict); nothing was applied";
        }
        VolumeDevice device = member.inner();
        if (device == null) {
            return "the secondary volume is not open";
        }
        try {
            switch (record.getKind()) {
                case WRITE -> {
                    String outside = RecordBounds.outside("a write", record.getOffset(), record.getData().size(),
                            device.size());
                    if (outside != null) {
                        return outside;
                    }
                    device.write(record.getOffset(), record.getData().asReadOnlyByteBuffer());
                }
                case ZERO -> {
                    String outside = RecordBounds.outside("a zeroing", record.getOffset(), record.getLength(), device.size());
                    if (outside != null) {
                        return outside;
                    }
                    device.writeZeroes(record.getOffset(), record.getLength());
                }
                case FLUSH -> device.flush();
                default -> {
                    return "unknown record kind " + record.getKind();
                }
            }
            return "";
        } catch (IOException e) {
            return "writing the secondary volume failed: " + e.getMessage();
        }
    }

    public RoleReply relinquishPrimary(RoleRequest request) {
        Member member = known(request.getMirrorId());
        new RoleChanges(engine).drainAndDemote(member);
        return RoleReply.newBuilder().setGeneration(member.record().getGeneration()).build();
    }

    public RoleReply assumePrimary(RoleRequest request) {
        Member member = known(request.getMirrorId());
        new RoleChanges(engine).becomePrimary(member, "the peer handed over the primary role", true);
        return RoleReply.newBuilder().setGeneration(member.record().getGeneration()).build();
    }

    /** The peer yields (dual primary): its changed regions join ours, and we copy them back to it. */
    public RoleReply handOverChanges(ChangedRegions changes) {
        Member member = known(changes.getMirrorId());
        if (!member.primary()) {
            throw new EngineException(Reason.MIRROR_STATE, "the member here is not primary", "promote one side first");
        }
        long[] words = changes.getWordsList().stream().mapToLong(Long::longValue).toArray();
        try {
            member.map().addChanged(words);
        } catch (IOException e) {
            throw dev.copyservices.agent.volume.PoolErrors.of("take over the peer's changed regions", e);
        }
        member.confirmed(false);
        engine.commit(member, b -> b.setUnsynchronized(false).clearUnsynchronizedReason().setSecondaryInconsistent(true));
        return RoleReply.newBuilder().setGeneration(member.record().getGeneration()).build();
    }

    /** The peer takes the primary role (dual secondary): it gets our changed regions; with release we forget them. */
    public ChangedRegions collectChanges(CollectChangesRequest request) {
        Member member = known(request.getMirrorId());
        ChangedRegions.Builder reply = ChangedRegions.newBuilder().setMirrorId(member.id())
                .setRegionBytes(member.map().regionBytes()).setRegions(member.map().regions());
        if (request.getRelease()) {
            try {
                member.map().clearAll();
            } catch (IOException e) {
                throw dev.copyservices.agent.volume.PoolErrors.of("forget the handed-over regions", e);
            }
            return reply.build();
        }
        for (long word : member.map().snapshot()) {
            reply.addWords(word);
        }
        return reply.build();
    }

    public RoleReply removeMirror(RoleRequest request) {
        Member member = engine.byId(request.getMirrorId());
        if (member != null) {
            new MirrorOperations(engine).removeMembers(List.of(member), "removed on array '"
                    + member.record().getPeerArrayName() + "'");
        }
        return RoleReply.getDefaultInstance();
    }

    private Member known(String mirrorId) {
        Member member = engine.byId(mirrorId);
        if (member == null) {
            throw new EngineException(Reason.MIRROR_NOT_FOUND, "array '" + engine.pool.catalog().getArrayName()
                    + "' has no member of mirror " + mirrorId, "remove the mirror on the calling array too");
        }
        return member;
    }
}
