package dev.copyservices.agent.mirror;

import dev.copyservices.agent.events.EventSink.Severity;
import dev.copyservices.agent.pool.catalog.MirrorRecord;
import dev.copyservices.api.agent.v1.ExchangeReply;
import dev.copyservices.api.agent.v1.ExchangeRequest;
import dev.copyservices.api.agent.v1.MemberStatus;
import dev.copyservices.api.agent.v1.MirrorState;
import dev.copyservices.api.agent.v1.ReplicationRecord;
import dev.copyservices.api.agent.v1.ReplicationServiceGrpc;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The mirror engine's periodic work. Every second: exchange member status with each peer (so a lost
 * or returning link, a role conflict or a removed member shows on both sides without waiting for a
 * write, unlike the seed's L12612), resume Automatic mirrors whose link is back, start due resyncs,
 * and publish an event for every state change. Every {@link #SWEEP_SECONDS} seconds: sweep the change
 * maps, clearing the regions the peer holds durably and nobody wrote since the last sweep.
 */
final class Heartbeat implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Heartbeat.class.getName());
    private static final long EXCHANGE_SECONDS = 5;
    /**
     * How long a region must stay unwritten before its changed bit is cleared. A write to a region
     * whose bit is clear waits for a sync of the change map, so regions a host keeps writing should
     * keep their bit; a bit left set costs only that region's copy after a restart. Half a minute
     * keeps a working set's bits (the seed's mirror log) set, like an activity log.
     */
    static final long SWEEP_SECONDS = 30;
    /** Heartbeats that may time out in a row before a busy peer counts as lost (a refused connection counts at once). */
    private static final int MISSES_TOLERATED = 2;
    private final Map<String, Integer> misses = new java.util.concurrent.ConcurrentHashMap<>();

    private final MirrorEngine engine;
    private final PeerSide peerSide;
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("mirror-heartbeat").factory());
    private final ScheduledExecutorService sweeps = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("mirror-sweep").factory());

    Heartbeat(MirrorEngine engine) {
        this.engine = engine;
        this.peerSide = new PeerSide(engine);
    }

    void start() {
        ticks.scheduleWithFixedDelay(this::tick, 0, 1, TimeUnit.SECONDS);
        sweeps.scheduleWithFixedDelay(this::sweep, SWEEP_SECONDS, SWEEP_SECONDS, TimeUnit.SECONDS);
    }

    private void tick() {
        try {
            Map<String, List<Member>> byPeer = new HashMap<>();
            for (Member m : engine.members()) {
                byPeer.computeIfAbsent(m.record().getPeerEndpoint(), e -> new ArrayList<>()).add(m);
            }
            for (var entry : byPeer.entrySet()) {
                exchange(engine.link(entry.getKey()), entry.getValue());
            }
            for (Member m : engine.members()) {
                engine.later(() -> {
                    resumeIfAutomatic(m);
                    engine.reconcile(m);
                    report(m);
                });
            }
        } catch (RuntimeException e) {
            LOG.log(java.util.logging.Level.WARNING, "mirror heartbeat failed", e);
        }
    }

    /** Exchanges the status of {@code members} with their peer; false when the peer did not answer. */
    boolean exchange(PeerLink link, List<Member> members) {
        return exchange(link, members, TimeUnit.SECONDS.toMillis(EXCHANGE_SECONDS));
    }

    private boolean exchange(PeerLink link, List<Member> members, long deadlineMillis) {
        ExchangeRequest.Builder request = ExchangeRequest.newBuilder().setArrayId(engine.pool.catalog().getArrayId())
                .setReplicationEndpoint(engine.options.endpoint() == null ? "" : engine.options.endpoint());
        Map<String, Member> byId = new HashMap<>();
        for (Member m : members) {
            request.addMembers(MirrorReport.status(engine, m));
            byId.put(m.id(), m);
        }
        try {
            long start = System.nanoTime();
            ExchangeReply reply = ReplicationServiceGrpc.newBlockingStub(channelOf(link)).withWaitForReady()
                    .withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS).exchange(request.build());
            link.roundTrip(System.nanoTime() - start); // includes the peer's answer, as csctl mirror test's does
            link.succeeded();
            misses.remove(link.endpoint());
            for (MemberStatus heard : reply.getMembersList()) {
                Member m = byId.get(heard.getMirrorId());
                if (m != null) {
                    peerSide.absorb(m, heard);
                }
            }
            return true;
        } catch (StatusRuntimeException e) {
            int missed = misses.merge(link.endpoint(), 1, Integer::sum);
            if (e.getStatus().getCode() == io.grpc.Status.Code.DEADLINE_EXCEEDED && missed <= MISSES_TOLERATED
                    && link.reachable() && link.connected()) {
                return false; // a loaded peer (or a busy link) answers late: not lost yet
            }
            boolean was = link.reachable();
            link.failed(e);
            if (was) {
                link.breakStream("the peer stopped answering: " + PeerLink.describe(e));
            }
            return false;
        }
    }

    /** A fresh exchange of one member (before a role change); null when the peer cannot be reached. */
    MemberStatus exchangeOne(Member m, PeerLink link) {
        if (!exchange(link, List.of(m))) {
            return null;
        }
        return m.peer();
    }

    /**
     * As {@link #exchangeOne}, for a forced role change: without a live connection to the peer, it is
     * given one immediate reconnect and {@value #FORCED_EXCHANGE_MILLIS} ms to answer instead of the
     * full exchange deadline. A peer that was killed refuses connections at once and never answers, and
     * the administrator who forces a takeover is waiting for the volume to become writable.
     */
    MemberStatus exchangeOneBeforeForcedChange(Member m, PeerLink link) {
        if (link.connected()) {
            return exchangeOne(m, link);
        }
        link.reconnectNow();
        if (!exchange(link, List.of(m), FORCED_EXCHANGE_MILLIS)) {
            return null;
        }
        return m.peer();
    }

    static final long FORCED_EXCHANGE_MILLIS = 1000;

    /** Exchanges at once (after a role change), so both sides show the new roles without waiting a tick. */
    void exchangeNow(PeerLink link) {
        List<Member> members = engine.members().stream()
                .filter(m -> m.record().getPeerEndpoint().equals(link.endpoint())).toList();
        if (!members.isEmpty()) {
            exchange(link, members);
        }
    }

    private io.grpc.Channel channelOf(PeerLink link) {
        return link.channel();
    }

    /** Resync method Automatic: an Unsynchronized primary resumes once its peer answers again (L7879). */
    private void resumeIfAutomatic(Member m) {
        MirrorRecord r = m.record();
        if (m.primary() && r.getUnsynchronized() && r.getAutomaticResync() && !r.getSuspended()
                && engine.peerReachable(m) && !m.dualRole() && m.peerKnows()) {
            engine.commit(m, b -> b.setUnsynchronized(false).clearUnsynchronizedReason().setSecondaryInconsistent(true));
            m.confirmed(false);
            String volume = engine.volumeName(m);
            engine.events.publish(Severity.INFO, "MIRROR_RESUMED", "Mirror", volume, "mirror '" + volume
                    + "' resumes by itself (resync method Automatic): the link to array '" + r.getPeerArrayName()
                    + "' is back; the changed regions are copied", "");
        }
    }

    /** Publishes an event when the member's state differs from the last one published. */
    void report(Member m) {
        synchronized (m.reportLock) {
            MirrorState state = m.state();
            if (state == m.reported) {
                reportProgress(m, state);
                return;
            }
            m.reportedProgressStep = 0;
            MirrorState before = m.reported;
            m.reported = state;
            String volume = engine.volumeName(m);
            String reason = MirrorReport.reason(engine, m, state);
            String role = m.primary() ? "primary" : "secondary";
            String subject = "mirror '" + volume + "' (" + role + ", with '" + m.record().getPeerVolume()
                    + "' on array '" + m.record().getPeerArrayName() + "')";
            switch (state) {
                case SYNCHRONIZING -> engine.events.publish(Severity.INFO, "MIRROR_SYNCHRONIZING", "Mirror", volume,
                        subject + " is synchronizing: " + reason, "");
                case SYNCHRONIZED -> engine.events.publish(Severity.INFO, "MIRROR_SYNCHRONIZED", "Mirror", volume,
                        subject + " is synchronized", "");
                case SUSPENDED -> engine.events.publish(Severity.INFO, "MIRROR_SUSPENDED", "Mirror", volume,
                        subject + " is suspended; writes are tracked", "resume it with 'csctl mirror resume " + volume
                                + "'; only the changed regions are copied");
                case UNSYNCHRONIZED -> engine.events.publish(Severity.WARNING, "MIRROR_UNSYNCHRONIZED", "Mirror", volume,
                        "Mirrored pair becomes unsynchronized: " + subject + ": " + reason, m.record().getAutomaticResync()
                                ? "check the link to array '" + m.record().getPeerArrayName() + "'; the mirror"
                                        + " resumes by itself when it is back"
                                : "check the link to array '" + m.record().getPeerArrayName() + "', then resume it"
                                        + " ('csctl mirror resume " + volume + "'); only changed regions are copied");
                case DUAL_PRIMARY, DUAL_SECONDARY -> engine.events.publish(Severity.CRITICAL, "MIRROR_DUAL_ROLE_CONFLICT",
                        "Mirror", volume, "Dual-role conflict detected: " + subject + " and its peer are both "
                                + role, state == MirrorState.DUAL_PRIMARY
                                ? "decide whose writes to keep, then demote the other member ('csctl mirror demote');"
                                        + " only the regions either side changed are copied"
                                : "promote the member whose data to keep ('csctl mirror promote')");
                case UNRESPONSIVE -> engine.events.publish(before == null ? Severity.INFO : Severity.WARNING,
                        "MIRROR_UNRESPONSIVE", "Mirror", volume, subject + " is unresponsive: " + reason,
                        m.peerKnows() ? "check that the peer agent runs and the link between the arrays works"
                                : "remove the mirror here too ('csctl mirror remove " + volume + "')");
                default -> {
                }
            }
        }
    }

    /**
     * MIRROR_PROGRESS once per tenth of the volume synchronized (checked at each tick, so on the
     * secondary's side too, from the primary's heartbeat): followers such as the operator show progress
     * without asking.
     */
    private void reportProgress(Member m, MirrorState state) {
        if (state != MirrorState.SYNCHRONIZING) {
            return;
        }
        double progress = m.primary() ? m.progressPercent() : m.peer() != null ? m.peer().getProgressPercent() : 0;
        int step = (int) Math.min(9, Math.floor(progress / 10));
        if (step <= m.reportedProgressStep) {
            return;
        }
        m.reportedProgressStep = step;
        String volume = engine.volumeName(m);
        engine.events.publish(Severity.INFO, "MIRROR_PROGRESS", "Mirror", volume, "mirror '" + volume + "' is "
                + (step * 10) + "% synchronized", "");
    }

    void priorityChanged(Member m) {
        m.priorityChanged();
    }

    /**
     * Clears the changed bits of regions the peer holds durably: those not written for a whole sweep
     * period, once a flush marker sent after them is acknowledged.
     */
    private void sweep() {
        for (Member m : engine.members()) {
            try {
                ReplicationStream stream = m.stream();
                if (stream == null || !m.primary() || m.resyncing() || m.map().toCopyCount() > 0) {
                    continue;
                }
                long[] candidates = m.map().beginSweep();
                ReplicationStream.Sent marker = stream.send(m, ReplicationRecord.Kind.FLUSH, 0, 0, null, -1, -1);
                if (marker != null && stream.await(marker, TimeUnit.SECONDS.toNanos(30), false)) {
                    m.map().finishSweep(candidates);
                }
            } catch (java.io.IOException | RuntimeException e) {
                LOG.warning("sweeping the change map of mirror " + m.id() + " failed: " + e);
            }
        }
    }

    @Override
    public void close() {
        ticks.shutdownNow();
        sweeps.shutdownNow();
    }
}
