package dev.copyservices.agent.mirror;

import dev.copyservices.agent.array.ArrayLimits;
import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;
import dev.copyservices.agent.events.EventSink;
import dev.copyservices.agent.events.EventSink.Severity;
import dev.copyservices.agent.flashcopy.FlashCopyEngine;
import dev.copyservices.agent.pool.Pool;
import dev.copyservices.agent.pool.catalog.MirrorRecord;
import dev.copyservices.agent.pool.catalog.MirrorRoleRecord;
import dev.copyservices.agent.pool.catalog.MirroringRecord;
import dev.copyservices.agent.pool.catalog.VolumeKind;
import dev.copyservices.agent.pool.catalog.VolumeRecord;
import dev.copyservices.agent.volume.HostAccess;
import dev.copyservices.agent.volume.VolumeDevice;
import dev.copyservices.agent.volume.VolumeEngine;
import dev.copyservices.agent.volume.VolumeLifecycle;
import dev.copyservices.agent.volumecopy.VolumeCopyEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.logging.Logger;

/**
 * Remote mirrors of this agent (004 chapters 6-10): the registry of members, their records and change
 * maps, the links to the peer, and the lifecycle hooks that put every standard volume behind a
 * {@link MirrorDevice}. Control operations live in {@link MirrorOperations} and {@link RoleChanges},
 * the peer's calls in {@link PeerSide}, the periodic work in {@link Heartbeat}.
 */
public final class MirrorEngine implements VolumeLifecycle, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(MirrorEngine.class.getName());
    static final String ACCESS_OWNER = "mirror";

    /**
     * {@code tls} and {@code endpoint} are null when the agent has no replication listener; {@code
     * endpoint} is the address peers are told to use (the listener, or what --replication-advertise says).
     */
    public record Options(boolean enabled, dev.copyservices.api.tls.ReloadingTls tls, String endpoint, long writeTimeoutMillis,
            int regionBytes) {
        public static Options disabledLink() {
            return new Options(true, null, null, 5000, 64 << 10);
        }
    }

    final Pool pool;
    final ArrayLimits limits;
    final EventSink events;
    final Options options;
    final Object control = new Object();
    private final Map<String, Member> byId = new ConcurrentHashMap<>();
    private final Map<String, Member> byVolume = new ConcurrentHashMap<>();
    private final Map<String, MirrorDevice> devices = new ConcurrentHashMap<>();
    private final Map<String, PeerLink> links = new ConcurrentHashMap<>();
    private final ExecutorService later = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("mirror-state").factory());
    VolumeEngine volumes;
    FlashCopyEngine flashCopies;
    VolumeCopyEngine volumeCopies;
    MirrorRules rules;
    private Heartbeat heartbeat;
    private volatile boolean closed;

    public MirrorEngine(Pool pool, ArrayLimits limits, EventSink events, Options options) {
        this.pool = pool;
        this.limits = limits;
        this.events = events;
        this.options = options;
    }

    /**
     * Opens every member the catalog names: its change map (a lost map means every region is due, the
     * seed's full synchronization after a lost repository), and its secondary's read-only export; then
     * starts the heartbeat. Before NBD serves, so no host write reaches a secondary.
     */
    public void open(VolumeEngine volumeEngine, FlashCopyEngine flashCopyEngine, VolumeCopyEngine volumeCopyEngine)
            throws IOException {
        this.volumes = volumeEngine;
        this.flashCopies = flashCopyEngine;
        this.volumeCopies = volumeCopyEngine;
        this.rules = new MirrorRules(volumeEngine, flashCopyEngine, volumeCopyEngine);
        for (MirrorRecord record : pool.catalog().getMirrorsList()) {
            if (volumes.findById(record.getVolumeId()).isEmpty()) {
                LOG.warning("mirror " + record.getId() + " names volume " + record.getVolumeId() + ", which is gone");
                continue;
            }
            ChangeMap map = ChangeMap.open(mapFile(record.getId()), record.getCapacityBytes(), record.getRegionBytes());
            if (map.lost()) {
                LOG.warning("the change map of mirror " + record.getId() + " was lost: every region will be copied");
            }
            Member loaded = new Member(this, record, map);
            loaded.awaitFirstReconcile(); // until the heartbeat's first look at the peer
            register(loaded);
        }
        flashCopies.heldBackBy(this::heldBack);
        for (Member m : byId.values()) {
            if (!m.primary()) {
                holdFlashCopies(m, HostAccess.NONE);
            }
        }
        heartbeat = new Heartbeat(this);
        heartbeat.start();
    }

    // ---- registry --------------------------------------------------------------------------------

    void register(Member member) {
        MirrorDevice device = devices.get(member.record().getVolumeId());
        if (device != null) {
            member.setInner(device.device());
        }
        byId.put(member.id(), member);
        byVolume.put(member.record().getVolumeId(), member);
        if (!member.primary()) {
            restrict(member, HostAccess.READ_ONLY);
        } else {
            // a host write that looked before the put saw no member and goes straight to the volume, untracked:
            // once it ends, the initial copy (every region is due) reads what it wrote
            volumes.awaitHostRequests(member.record().getVolumeId());
        }
    }

    void unregister(Member member) {
        member.stop();
        byId.remove(member.id());
        byVolume.remove(member.record().getVolumeId());
        restrict(member, HostAccess.READ_WRITE);
        try {
            member.map().close();
            Files.deleteIfExists(mapFile(member.id()));
        } catch (IOException e) {
            LOG.warning("could not remove the change map of mirror " + member.id() + ": " + e);
        }
    }

    /** The member whose volume this is, if it is a primary: the data path's one lookup. */
    Member primaryOf(String volumeId) {
        Member member = byVolume.get(volumeId);
        return member != null && member.primary() ? member : null;
    }

    Member byId(String id) {
        return byId.get(id);
    }

    Member byVolumeId(String volumeId) {
        return byVolume.get(volumeId);
    }

    Collection<Member> members() {
        return byId.values();
    }

    /** The member of the named local volume, or a NOT_FOUND error saying where to look. */
    Member require(String volume) {
        if (volume == null || volume.isEmpty()) {
            throw new EngineException(Reason.INVALID_MIRROR_REQUEST, "no volume was named",
                    "name the mirror by its volume on this agent, e.g. 'csctl mirror show db'");
        }
        VolumeRecord record = volumes.find(volume).orElseThrow(() -> new EngineException(Reason.VOLUME_NOT_FOUND,
                "volume '" + volume + "' does not exist", "check the name with 'csctl mirror list'"));
        Member member = byVolume.get(record.getId());
        if (member == null) {
            throw new EngineException(Reason.MIRROR_NOT_FOUND, "volume '" + volume + "' is in no mirror",
                    "list the mirrors of this agent with 'csctl mirror list'");
        }
        return member;
    }

    String volumeName(Member member) {
        return volumes.findById(member.record().getVolumeId()).map(VolumeRecord::getName).orElse("?");
    }

    /** Members of a consistency group (the named one's group, or just it when it has none). */
    List<Member> fateGroup(Member member) {
        if (member.group().isEmpty() || !member.asynchronous()) {
            return List.of(member);
        }
        return byId.values().stream().filter(m -> m.primary() && m.asynchronous()
                && m.group().equals(member.group())).sorted(Comparator.comparing(Member::id)).toList();
    }

    // ---- links ------------------------------------------------------------------------------------

    /** The link to {@code endpoint} if one was opened; never opens one. */
    PeerLink existingLink(String endpoint) {
        return links.get(endpoint);
    }

    PeerLink link(String endpoint) {
        if (options.tls() == null) {
            throw new EngineException(Reason.NO_REPLICATION_LISTENER, "this agent has no replication link",
                    "start the agent with --replication-listen HOST:PORT --tls-cert FILE --tls-key FILE --tls-ca FILE");
        }
        return links.computeIfAbsent(endpoint, e -> {
            try {
                return new PeerLink(e, options.tls());
            } catch (IOException io) {
                throw new EngineException(Reason.NO_REPLICATION_LISTENER, io.getMessage(),
                        "check the --tls-* files of this agent");
            }
        });
    }

    PeerLink linkOf(Member member) {
        return link(member.record().getPeerEndpoint());
    }

    Collection<PeerLink> links() {
        return links.values();
    }

    boolean peerReachable(Member member) {
        PeerLink link = links.get(member.record().getPeerEndpoint());
        return link != null && link.reachable();
    }

    /** The stream broke: the link counts as down until a heartbeat gets through, and members stop sending. */
    void streamBroken(PeerLink link, String why) {
        later(() -> {
            link.failed(io.grpc.Status.UNAVAILABLE.withDescription(why).asRuntimeException());
            for (Member member : byId.values()) {
                if (member.record().getPeerEndpoint().equals(link.endpoint())) {
                    reconcile(member);
                }
            }
        });
    }

    /**
     * Replicates a primary when nothing stands in the way (suspended, unsynchronized, dual role, peer
     * unknown or unreachable), and stops it otherwise.
     */
    void reconcile(Member member) {
        MirrorRecord r = member.record();
        boolean want = member.primary() && !r.getSuspended() && !r.getUnsynchronized() && !member.dualRole()
                && member.peerKnows() && byId.containsKey(member.id()) && !closed;
        ReplicationStream stream = null;
        if (want) {
            PeerLink link = linkOf(member);
            stream = link.stream(member.streamKey(), why -> streamBroken(link, why));
        }
        ReplicationStream current = member.stream();
        if (stream != null && current != null && current != stream && !current.broken()) {
            // moved to another stream (write mode or group changed): what is in flight lands first, so
            // that no older record overtakes a newer one on the other stream
            member.replicateOn(null);
            member.inFlight().awaitNone(writeTimeoutNanos());
        }
        member.replicateOn(stream);
        member.reconciled(stream != null);
        if (stream != null) {
            member.resyncIfDue();
        }
    }

    // ---- durable changes -------------------------------------------------------------------------

    /** Changes a member's record durably, then in memory. */
    MirrorRecord commit(Member member, UnaryOperator<MirrorRecord.Builder> change) {
        synchronized (control) {
            MirrorRecord updated = change.apply(member.record().toBuilder()).build();
            if (updated.equals(member.record())) {
                return updated;
            }
            try {
                pool.update(c -> {
                    for (int i = 0; i < c.getMirrorsCount(); i++) {
                        if (c.getMirrors(i).getId().equals(updated.getId())) {
                            c.setMirrors(i, updated);
                            return;
                        }
                    }
                    throw new IllegalStateException("mirror " + updated.getId() + " is not in the catalog");
                });
            } catch (IOException e) {
                throw dev.copyservices.agent.volume.PoolErrors.of("update mirror " + member.id(), e);
            }
            member.setRecord(updated);
            return updated;
        }
    }

    /** Replication of a member failed: it and its consistency group go Unsynchronized (L7693). */
    void unsynchronized(Member member, String why) {
        synchronized (control) {
            for (Member m : fateGroup(member)) {
                MirrorRecord r = m.record();
                if (!byId.containsKey(m.id()) || !m.primary() || r.getSuspended() || r.getUnsynchronized()) {
                    continue;
                }
                String reason = m == member ? why : "consistency group '" + m.group() + "': member '"
                        + volumeName(member) + "' became unsynchronized (" + why + ")";
                commit(m, b -> b.setUnsynchronized(true).setUnsynchronizedReason(reason));
                reconcile(m);
                heartbeat.report(m);
            }
        }
    }

    /** A resync confirmed that the peer holds every region durably. */
    void synchronizedNow(Member member) {
        member.confirmed(true);
        commit(member, b -> b.setLastSynchronizedUnixMillis(System.currentTimeMillis())
                .setSecondaryInconsistent(false));
        heartbeat.report(member);
    }

    /** Sets or lifts the mirror's restriction of host access to a member's volume. */
    void restrict(Member member, HostAccess access) {
        String why = access == HostAccess.READ_WRITE ? "" : "secondary of mirror with '"
                + member.record().getPeerVolume() + "' on array '" + member.record().getPeerArrayName() + "'";
        volumes.restrictHostAccess(member.record().getVolumeId(), ACCESS_OWNER, access, why);
    }

    Path mapFile(String mirrorId) {
        return mirrorDirectory().resolve(mirrorId + ".map");
    }

    Path mirrorDirectory() {
        return pool.directory().root().resolve("mirror");
    }

    MirroringRecord mirroring() {
        return pool.catalog().getMirroring();
    }

    /** Runs a state change on the engine's one state thread, in order. */
    void later(Runnable task) {
        if (closed) {
            return;
        }
        later.execute(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(java.util.logging.Level.WARNING, "mirror state change failed", e);
            }
        });
    }

    long writeTimeoutNanos() {
        return TimeUnit.MILLISECONDS.toNanos(options.writeTimeoutMillis());
    }

    Heartbeat heartbeat() {
        return heartbeat;
    }

    public int count() {
        return byId.size();
    }

    public boolean enabled() {
        return options.enabled();
    }

    /** One line per mirror that needs a person: Unsynchronized waiting for resume, dual roles, orphans. */
    public List<String> needsAttention() {
        List<String> lines = new ArrayList<>();
        for (Member m : byId.values()) {
            String volume = volumeName(m);
            if (m.dualRole()) {
                lines.add("mirror '" + volume + "': dual-role conflict (both members " + (m.primary() ? "primary"
                        : "secondary") + "); " + (m.primary() ? "demote" : "promote") + " the member to change");
            } else if (m.primary() && m.record().getUnsynchronized() && !m.record().getSuspended()) {
                // a suspended mirror waits for resume by the administrator's decision: nothing to attend to
                lines.add("mirror '" + volume + "' is unsynchronized: " + m.record().getUnsynchronizedReason()
                        + "; resume it once the link is back ('csctl mirror resume " + volume + "')");
            } else if (!m.peerKnows()) {
                lines.add("mirror '" + volume + "': the peer has no member of it any more; remove it here too");
            }
        }
        lines.sort(null);
        return lines;
    }

    // ---- VolumeLifecycle -------------------------------------------------------------------------

    @Override
    public VolumeDevice wrapStandard(VolumeRecord record, VolumeDevice file) {
        MirrorDevice device = new MirrorDevice(file, record.getId(), this);
        devices.put(record.getId(), device);
        Member member = byVolume.get(record.getId());
        if (member != null) {
            member.setInner(file);
        }
        return device;
    }

    @Override
    public void checkDeletable(VolumeRecord record) {
        Member member = byVolume.get(record.getId());
        if (member != null && !member.primary()) {
            throw new EngineException(Reason.VOLUME_IN_MIRROR, "'" + record.getName() + "' is the secondary of a"
                    + " mirror with '" + member.record().getPeerVolume() + "' on array '"
                    + member.record().getPeerArrayName() + "'; a secondary in a mirror cannot be deleted (L11198)",
                    "remove the mirror first ('csctl mirror remove " + record.getName() + "'), or delete its"
                            + " primary, which ends the mirror");
        }
    }

    @Override
    public void checkDataChange(VolumeRecord record, String operation) {
        Member member = byVolume.get(record.getId());
        if (member != null && !member.primary()) {
            throw new EngineException(Reason.VOLUME_IN_MIRROR, "cannot " + operation + ": '" + record.getName()
                    + "' is a mirror's secondary and takes data only from its primary",
                    "use a FlashCopy of it instead, or promote it first");
        }
    }

    @Override
    public void deleted(VolumeRecord record) {
        devices.remove(record.getId());
        Member member = byVolume.get(record.getId());
        if (member != null && record.getKind() == VolumeKind.STANDARD) {
            PeerLink link = linkOf(member);
            try { // the secondary becomes a standard volume (L11200)
                link.call().removeMirror(dev.copyservices.api.agent.v1.RoleRequest.newBuilder().setMirrorId(member.id())
                        .setCallerArrayId(pool.catalog().getArrayId()).build());
                link.succeeded();
            } catch (io.grpc.StatusRuntimeException e) {
                link.failed(e);
                LOG.warning("mirror " + member.id() + ": the peer could not be told that the primary was deleted ("
                        + PeerLink.describe(e) + "); it shows the mirror as unresponsive until removed there");
            }
            new MirrorOperations(this).removeMembers(List.of(member), "its primary volume was deleted");
        }
    }

    /**
     * A primary became secondary: VolumeCopies reading it stop (L6488-6496); they cannot start again
     * while it is secondary (see {@link #isSecondary}).
     */
    void demoted(Member member, String why) {
        volumeCopies.failCopiesFromSource(member.record().getVolumeId(), "its source '" + volumeName(member)
                + "' became a mirror's secondary (" + why + ")");
        List<String> held = flashCopies.flashCopyIdsOf(member.record().getVolumeId());
        commit(member, b -> b.clearHeldFlashCopyIds().addAllHeldFlashCopyIds(held));
        holdFlashCopies(member, HostAccess.NONE);
        for (String id : held) {
            volumes.findById(id).ifPresent(fc -> events.publish(Severity.CRITICAL, "FLASHCOPY_FAILED", "FlashCopy",
                    fc.getName(), "FlashCopy '" + fc.getName() + "' failed: " + heldBackWhy(member), "promote '"
                            + volumeName(member) + "' to primary again to use it"));
        }
    }

    /** A secondary became primary: the FlashCopies its demotion held back are Optimal again. */
    void promoted(Member member) {
        holdFlashCopies(member, HostAccess.READ_WRITE);
        commit(member, MirrorRecord.Builder::clearHeldFlashCopyIds);
    }

    private void holdFlashCopies(Member member, HostAccess access) {
        for (String id : member.record().getHeldFlashCopyIdsList()) {
            volumes.restrictHostAccess(id, ACCESS_OWNER, access, access == HostAccess.READ_WRITE ? ""
                    : "Failed: " + heldBackWhy(member));
        }
    }

    private String heldBackWhy(Member member) {
        return "its base '" + volumeName(member) + "' was demoted to a remote mirror's secondary (L11843)";
    }

    /** Why a FlashCopy is held back by a demotion, or null. */
    private String heldBack(String flashCopyId) {
        for (Member m : byId.values()) {
            if (!m.primary() && m.record().getHeldFlashCopyIdsList().contains(flashCopyId)) {
                return heldBackWhy(m);
            }
        }
        return null;
    }

    public MirrorOperations operations() {
        return new MirrorOperations(this);
    }

    public SecondaryCandidates candidates() {
        return new SecondaryCandidates(this);
    }

    public RoleChanges roles() {
        return new RoleChanges(this);
    }

    public PeerSide peerSide() {
        return new PeerSide(this);
    }

    public MirrorInfo get(String volume) {
        return MirrorReport.info(this, require(volume));
    }

    public List<MirrorInfo> list() {
        return MirrorReport.all(this);
    }

    /** True while a volume is a mirror's secondary (VolumeCopy refuses it as source or target, L6464). */
    public boolean isSecondary(String volumeId) {
        Member member = byVolume.get(volumeId);
        return member != null && !member.primary();
    }

    @Override
    public void close() {
        closed = true;
        if (heartbeat != null) {
            heartbeat.close();
        }
        for (Member member : byId.values()) {
            member.stop();
        }
        links.values().forEach(PeerLink::close);
        later.shutdownNow();
        for (Member member : byId.values()) {
            try {
                member.map().close();
            } catch (IOException e) {
                LOG.warning("closing the change map of mirror " + member.id() + " failed: " + e);
            }
        }
    }
}
