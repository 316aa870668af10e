package dev.copyservices.agent.mirror;

import dev.copyservices.agent.pool.catalog.MirrorRecord;
import dev.copyservices.api.agent.v1.MemberStatus;
import dev.copyservices.api.agent.v1.MirrorRole;
import dev.copyservices.api.agent.v1.MirrorSettings;
import dev.copyservices.api.agent.v1.MirrorState;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * What a member looks like: to a person ({@link MirrorInfo}) and to the peer ({@link MemberStatus}). A
 * secondary shows what its primary last said about progress, lag and settings, since the primary
 * decides them.
 */
final class MirrorReport {
    private MirrorReport() {
    }

    static List<MirrorInfo> infos(MirrorEngine engine, List<Member> members) {
        return members.stream().map(m -> info(engine, m)).toList();
    }

    static List<MirrorInfo> all(MirrorEngine engine) {
        return engine.members().stream().map(m -> info(engine, m))
                .sorted(Comparator.comparing(MirrorInfo::volume)).toList();
    }

    static MirrorInfo info(MirrorEngine engine, Member m) {
        MirrorRecord r = m.record();
        MemberStatus peer = m.peer();
        boolean primary = m.primary();
        MirrorState state = m.state();
        MirrorSettings settings = Settings.of(r);
        long outOfSync = primary ? m.outOfSyncBytes() : peer != null ? peer.getOutOfSyncBytes() : 0;
        double progress = primary ? m.progressPercent() : peer != null ? peer.getProgressPercent() : 0;
        double lag = !r.getAsynchronous() ? 0
                : primary ? m.inFlight().lagSeconds() : peer != null ? peer.getLagSeconds() : 0;
        long lastSync = primary ? r.getLastSynchronizedUnixMillis()
                : peer != null ? peer.getLastSynchronizedUnixMillis() : 0;
        boolean inconsistent = primary ? secondaryInconsistent(r, state)
                : peer != null && peer.getSecondaryInconsistent();
        MirrorRole peerRole = peer == null || !peer.getKnown() ? MirrorRole.MIRROR_ROLE_UNSPECIFIED : peer.getRole();
        return new MirrorInfo(r.getId(), engine.volumeName(m), r.getVolumeId(),
                primary ? MirrorRole.PRIMARY : MirrorRole.SECONDARY, state, r.getPeerArrayName(), r.getPeerArrayId(),
                r.getPeerEndpoint(), r.getPeerVolume(), peerRole, engine.peerReachable(m), settings.getWriteMode(),
                settings.getConsistencyGroup(), settings.getSyncPriority(), settings.getResyncMethod(),
                r.getCapacityBytes(), outOfSync, state == MirrorState.SYNCHRONIZED ? 100 : progress, lag,
                lastSync == 0 ? null : Instant.ofEpochMilli(lastSync), Instant.ofEpochMilli(r.getCreatedUnixMillis()),
                r.getGeneration(), reason(engine, m, state), m.inFlight().bytesSent(), inconsistent, r.getLabelsMap(),
                m.inFlight().resyncBytesSent(), roundTripSeconds(engine, r.getPeerEndpoint()));
    }

    /** The last heartbeat's round trip to the peer in seconds; -1 before the first (or with no replication link). */
    private static double roundTripSeconds(MirrorEngine engine, String endpoint) {
        PeerLink link = engine.existingLink(endpoint);
        long nanos = link == null ? -1 : link.roundTripNanos();
        return nanos < 0 ? -1 : nanos / 1e9;
    }

    /** Why the member is not Synchronized, for a person; empty when it is. */
    static String reason(MirrorEngine engine, Member m, MirrorState state) {
        MirrorRecord r = m.record();
        return switch (state) {
            case SYNCHRONIZED -> "";
            case SYNCHRONIZING -> r.getLastSynchronizedUnixMillis() == 0 && m.primary()
                    ? "initial full synchronization" : "copying the changed regions";
            case SUSPENDED -> "suspended; writes are tracked until resumed";
            case UNSYNCHRONIZED -> m.primary() ? r.getUnsynchronizedReason() + (r.getAutomaticResync()
                    ? "; resumes by itself when the link returns" : "; waiting for 'csctl mirror resume'")
                    : m.peer() != null ? m.peer().getReason() : "";
            case DUAL_PRIMARY -> "Dual-role conflict detected: both members are primary; demote the one whose writes"
                    + " since the split should be overwritten";
            case DUAL_SECONDARY -> "Dual-role conflict detected: both members are secondary; promote the one to keep";
            case UNRESPONSIVE -> !m.peerKnows() ? "the peer has no member of this mirror (removed there while the link"
                    + " was down); remove it here too" : "the peer cannot be reached: "
                    + engine.linkOf(m).unreachableWhy();
            default -> "";
        };
    }

    /** This member as the peer hears it in an exchange. */
    static MemberStatus status(MirrorEngine engine, Member m) {
        MirrorRecord r = m.record();
        MirrorState state = m.state();
        return MemberStatus.newBuilder().setMirrorId(r.getId()).setKnown(true)
                .setRole(m.primary() ? MirrorRole.PRIMARY : MirrorRole.SECONDARY).setGeneration(r.getGeneration())
                .setState(state).setSettings(Settings.of(r)).setOutOfSyncBytes(m.outOfSyncBytes())
                .setProgressPercent(state == MirrorState.SYNCHRONIZED ? 100 : m.progressPercent())
                .setLagSeconds(r.getAsynchronous() ? m.inFlight().lagSeconds() : 0)
                .setLastSynchronizedUnixMillis(r.getLastSynchronizedUnixMillis())
                .setReason(reason(engine, m, state)).setVolume(engine.volumeName(m))
                .setSecondaryInconsistent(secondaryInconsistent(r, state)).build();
    }

    /**
     * Whether the secondary may hold a mix of old and new regions. A Synchronized member's peer holds
     * every region (a flush marker confirmed it), so it is consistent even in the moment before the
     * record that says so is committed; the record is read before the state, so the two never
     * contradict each other in one report.
     */
    static boolean secondaryInconsistent(MirrorRecord r, MirrorState state) {
        return r.getSecondaryInconsistent() && state != MirrorState.SYNCHRONIZED;
    }
}
