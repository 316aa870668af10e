package dev.copyservices.agent.mirror;

import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;
import dev.copyservices.agent.events.EventSink.Severity;
import dev.copyservices.agent.pool.catalog.MirrorRoleRecord;
import dev.copyservices.agent.volume.HostAccess;
import dev.copyservices.api.agent.v1.ChangedRegions;
import dev.copyservices.api.agent.v1.CollectChangesRequest;
import dev.copyservices.api.agent.v1.MemberStatus;
import dev.copyservices.api.agent.v1.MirrorRole;
import dev.copyservices.api.agent.v1.ReplicationRecord;
import dev.copyservices.api.agent.v1.RoleRequest;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Promote and demote (L11714-11868). With the peer reachable the two members swap roles in one step:
 * the old primary stops host writes, sends every changed region and becomes secondary, then the other
 * becomes primary, so a planned reversal loses nothing. With the peer unreachable, {@code force} changes
 * this member alone; the peer's return then shows a dual role. Resolving a dual role keeps the data of
 * the member that ends primary: the other hands over the regions it changed, and only the union of
 * both members' changed regions is copied (beyond the seed, which re-creates the mirror with a full copy).
 */
public final class RoleChanges {
    /** How long a planned reversal may take to send the changed regions before it gives up. */
    static final long DRAIN_SECONDS = 600;
    private static final String DEMOTING = "mirror-demote";

    private final MirrorEngine engine;

    public RoleChanges(MirrorEngine engine) {
        this.engine = engine;
    }

    public MirrorInfo change(String volume, MirrorRole role, boolean force) {
        if (role != MirrorRole.PRIMARY && role != MirrorRole.SECONDARY) {
            throw new EngineException(Reason.INVALID_MIRROR_REQUEST, "no role was given", "promote (PRIMARY) or"
                    + " demote (SECONDARY)");
        }
        if (!engine.mirroring().getActivated()) {
            // no mirror can exist here then; say why rather than "in no mirror" (L11758, L11817)
            throw new EngineException(Reason.MIRRORING_NOT_ACTIVATED, "remote mirroring is not activated on this"
                    + " array, so '" + volume + "' has no mirror role to " + (role == MirrorRole.PRIMARY ? "promote"
                    : "demote"), "run the role change on the agent that holds the mirror, or activate mirroring"
                    + " here ('csctl mirror activate') and create the mirror first");
        }
        Member m = engine.require(volume);
        boolean promote = role == MirrorRole.PRIMARY;
        synchronized (m.roleLock) { // one role change of a member at a time
            if (promote == m.primary()) {
                return MirrorReport.info(engine, m); // already so (in a dual role: change the other member)
            }
            PeerLink link = engine.linkOf(m);
            MemberStatus peer = force ? engine.heartbeat().exchangeOneBeforeForcedChange(m, link) : peerNow(m, link);
            if (peer == null || !peer.getKnown()) {
                if (!force) {
                    throw new EngineException(Reason.PEER_UNREACHABLE, "cannot " + (promote ? "promote" : "demote")
                            + " '" + volume + "' together with its peer: " + (peer == null ? "array '"
                                    + m.record().getPeerArrayName() + "' cannot be reached (" + link.unreachableWhy()
                                    + ")" : "the peer has no member of this mirror"), "if the peer is lost, repeat"
                                    + " with --force; when it returns, both members are " + (promote ? "primary"
                                    : "secondary") + " (Dual" + (promote ? "Primary" : "Secondary") + ") until one"
                                    + " is " + (promote ? "demoted" : "promoted"));
                }
                if (promote) {
                    becomePrimary(m, "forced promotion while the peer was unreachable", false);
                } else {
                    becomeSecondary(m, "forced demotion while the peer was unreachable");
                }
                return MirrorReport.info(engine, m);
            }
            RoleRequest request = RoleRequest.newBuilder().setMirrorId(m.id())
                    .setCallerArrayId(engine.pool.catalog().getArrayId()).setCallerGeneration(m.record().getGeneration())
                    .build();
            if (promote && peer.getRole() == MirrorRole.PRIMARY) {
                call(link, m, "hand over the primary role", () -> link.longCall(DRAIN_SECONDS + 30)
                        .relinquishPrimary(request));
                becomePrimary(m, "planned role reversal", true);
            } else if (promote) {
                ChangedRegions theirs = call(link, m, "hand over its changed regions", () -> link.call()
                        .collectChanges(collect(m, false)));
                addChanged(m, theirs);
                becomePrimary(m, "resolving a dual-secondary conflict", false);
                try {
                    link.call().collectChanges(collect(m, true));
                } catch (StatusRuntimeException e) {
                    link.failed(e); // the peer keeps its map: a later hand-over copies a little more
                }
            } else if (peer.getRole() == MirrorRole.SECONDARY) {
                drainAndDemote(m);
                try {
                    link.call().assumePrimary(request);
                } catch (StatusRuntimeException e) {
                    throw new EngineException(Reason.PEER_UNREACHABLE, "'" + volume + "' is secondary now, with every"
                            + " region sent, but array '" + m.record().getPeerArrayName() + "' did not take the"
                            + " primary role (" + PeerLink.describe(e) + ")", "promote '" + m.record().getPeerVolume()
                                    + "' on that array's agent");
                }
            } else {
                yieldPrimary(m, link);
            }
            engine.heartbeat().exchangeNow(link);
            return MirrorReport.info(engine, m);
        }
    }

    /**
     * The planned demotion of a primary: hosts may only read from now on, every changed region and
     * queued write reaches the peer durably, then the member is secondary with nothing left to copy.
     */
    void drainAndDemote(Member m) {
        if (!m.primary()) {
            return;
        }
        engine.volumes.restrictHostAccess(m.record().getVolumeId(), DEMOTING, HostAccess.READ_ONLY,
                "being demoted to secondary of the mirror with '" + m.record().getPeerVolume() + "'");
        try {
            if (m.record().getSuspended() || m.record().getUnsynchronized()) {
                engine.commit(m, b -> b.setSuspended(false).setUnsynchronized(false).clearUnsynchronizedReason());
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DRAIN_SECONDS);
            while (true) {
                engine.reconcile(m);
                ReplicationStream stream = m.stream();
                if (stream == null) {
                    throw new EngineException(Reason.PEER_UNREACHABLE, "the link to array '"
                            + m.record().getPeerArrayName() + "' is down, so the changed regions of '"
                            + engine.volumeName(m) + "' cannot be sent before the role change", "repair the link and"
                                    + " try again, or change roles with --force (the peer's copy then lacks them)");
                }
                if (m.map().toCopyCount() == 0 && !m.resyncing()) {
                    ReplicationStream.Sent marker = stream.send(m, ReplicationRecord.Kind.FLUSH, 0, 0, null, -1, -1);
                    if (marker != null && stream.await(marker, TimeUnit.SECONDS.toNanos(DRAIN_SECONDS), false)
                            && m.map().toCopyCount() == 0) {
                        break;
                    }
                }
                m.awaitResync(200);
                if (System.nanoTime() > deadline) {
                    throw new EngineException(Reason.MIRROR_STATE, "the changed regions of '" + engine.volumeName(m)
                            + "' were not all sent within " + DRAIN_SECONDS + " s", "check the link's speed and try"
                                    + " again; raise the sync priority to send faster");
                }
            }
            becomeSecondary(m, "planned role reversal");
            clearMap(m);
        } finally {
            engine.volumes.restrictHostAccess(m.record().getVolumeId(), DEMOTING, HostAccess.READ_WRITE, "");
        }
    }

    /** Dual primary: this member yields; its changed regions go to the peer, which copies the union back. */
    private void yieldPrimary(Member m, PeerLink link) {
        engine.volumes.restrictHostAccess(m.record().getVolumeId(), DEMOTING, HostAccess.READ_ONLY,
                "being demoted to resolve a dual-primary conflict");
        try {
            m.stop();
            ChangedRegions.Builder mine = ChangedRegions.newBuilder().setMirrorId(m.id())
                    .setRegionBytes(m.map().regionBytes()).setRegions(m.map().regions())
                    .setCallerArrayId(engine.pool.catalog().getArrayId());
            for (long word : m.map().snapshot()) {
                mine.addWords(word);
            }
            call(link, m, "take over this member's changed regions", () -> link.call().handOverChanges(mine.build()));
            becomeSecondary(m, "resolving a dual-primary conflict");
            clearMap(m);
        } finally {
            engine.volumes.restrictHostAccess(m.record().getVolumeId(), DEMOTING, HostAccess.READ_WRITE, "");
        }
    }

    void becomePrimary(Member m, String why, boolean peerHoldsAll) {
        engine.commit(m, b -> {
            b.setRole(MirrorRoleRecord.MR_PRIMARY).setGeneration(b.getGeneration() + 1).setSuspended(false)
                    .setUnsynchronized(false).clearUnsynchronizedReason();
            return peerHoldsAll ? b.setLastSynchronizedUnixMillis(System.currentTimeMillis())
                    .setSecondaryInconsistent(false) : b;
        });
        m.roleChanged();
        m.confirmed(peerHoldsAll && m.map().toCopyCount() == 0);
        engine.restrict(m, HostAccess.READ_WRITE);
        engine.promoted(m);
        publish(m, "primary", why);
        engine.reconcile(m);
    }

    void becomeSecondary(Member m, String why) {
        m.stop();
        engine.restrict(m, HostAccess.READ_ONLY);
        engine.commit(m, b -> b.setRole(MirrorRoleRecord.MR_SECONDARY).setGeneration(b.getGeneration() + 1)
                .setSuspended(false).setUnsynchronized(false).clearUnsynchronizedReason());
        m.roleChanged();
        engine.demoted(m, why);
        publish(m, "secondary", why);
    }

    private void publish(Member m, String role, String why) {
        String volume = engine.volumeName(m);
        engine.events.publish(Severity.INFO, "MIRROR_ROLE_CHANGED", "Mirror", volume, "'" + volume + "' is now the "
                + role + " of its mirror with '" + m.record().getPeerVolume() + "' on array '"
                + m.record().getPeerArrayName() + "' (" + why + "; generation " + m.record().getGeneration() + ")",
                role.equals("primary") ? "" : "hosts may only read it now");
        engine.heartbeat().report(m);
    }

    private MemberStatus peerNow(Member m, PeerLink link) {
        return engine.heartbeat().exchangeOne(m, link);
    }

    private CollectChangesRequest collect(Member m, boolean release) {
        return CollectChangesRequest.newBuilder().setMirrorId(m.id()).setRelease(release)
                .setCallerArrayId(engine.pool.catalog().getArrayId()).build();
    }

    private void addChanged(Member m, ChangedRegions theirs) {
        try {
            m.map().addChanged(theirs.getWordsList().stream().mapToLong(Long::longValue).toArray());
        } catch (IOException e) {
            throw dev.copyservices.agent.volume.PoolErrors.of("take over the peer's changed regions", e);
        }
    }

    private void clearMap(Member m) {
        try {
            m.map().clearAll();
        } catch (IOException e) {
            throw dev.copyservices.agent.volume.PoolErrors.of("clear the change map", e);
        }
    }

    private interface Call<T> {
        T run();
    }

    private <T> T call(PeerLink link, Member m, String what, Call<T> call) {
        try {
            T result = call.run();
            link.succeeded();
            return result;
        } catch (StatusRuntimeException e) {
            throw link.error(e, m.record().getPeerArrayName(), what);
        }
    }
}
