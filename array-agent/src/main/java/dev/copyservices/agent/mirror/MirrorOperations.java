package dev.copyservices.agent.mirror;

import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;
import dev.copyservices.agent.events.EventSink.Severity;
import dev.copyservices.agent.pool.catalog.MirrorRecord;
import dev.copyservices.agent.pool.catalog.MirrorRoleRecord;
import dev.copyservices.agent.pool.catalog.VolumeRecord;
import dev.copyservices.agent.volumecopy.CopyPriority;
import dev.copyservices.api.agent.v1.MemberStatus;
import dev.copyservices.api.agent.v1.MirrorSettings;
import dev.copyservices.api.agent.v1.MirrorState;
import dev.copyservices.api.agent.v1.PeerHello;
import dev.copyservices.api.agent.v1.ProposeMirrorReply;
import dev.copyservices.api.agent.v1.ProposeMirrorRequest;
import dev.copyservices.api.agent.v1.ResyncMethod;
import dev.copyservices.api.agent.v1.RoleRequest;
import dev.copyservices.api.agent.v1.WriteMode;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The control operations a person runs on one agent: the feature's activation, create, suspend,
 * resume, settings, remove. Role changes are in {@link RoleChanges}, status in {@link MirrorReport}.
 */
public final class MirrorOperations {
    private final MirrorEngine engine;

    public MirrorOperations(MirrorEngine engine) {
        this.engine = engine;
    }

    // ---- the feature ---------------------------------------------------------------------------------

    public MirroringInfo status() {
        var m = engine.mirroring();
        return new MirroringInfo(m.getActivated(), engine.options.enabled(), engine.options.endpoint() == null ? ""
                : engine.options.endpoint(), m.getPartnerArrayName(), m.getPartnerArrayId(), engine.count(),
                engine.limits.maxMirrors(), groups());
    }

    /** Members furthest from Synchronized first: a group shows the state of its worst member. */
    private static final List<MirrorState> WORST_FIRST = List.of(MirrorState.DUAL_PRIMARY,
            MirrorState.DUAL_SECONDARY, MirrorState.UNSYNCHRONIZED, MirrorState.UNRESPONSIVE, MirrorState.SUSPENDED,
            MirrorState.SYNCHRONIZING, MirrorState.SYNCHRONIZED);

    private List<MirroringInfo.GroupInfo> groups() {
        java.util.Map<String, List<Member>> byGroup = new java.util.TreeMap<>();
        for (Member member : engine.members()) {
            if (member.asynchronous() && !member.group().isEmpty()) {
                byGroup.computeIfAbsent(member.group(), g -> new ArrayList<>()).add(member);
            }
        }
        List<MirroringInfo.GroupInfo> groups = new ArrayList<>();
        byGroup.forEach((name, members) -> {
            MirrorState worst = MirrorState.SYNCHRONIZED;
            List<String> volumes = new ArrayList<>();
            for (Member member : members) {
                volumes.add(engine.volumeName(member));
                int rank = WORST_FIRST.indexOf(member.state());
                if (rank >= 0 && rank < WORST_FIRST.indexOf(worst)) {
                    worst = member.state();
                }
            }
            volumes.sort(null);
            groups.add(new MirroringInfo.GroupInfo(name, List.copyOf(volumes), worst));
        });
        return groups;
    }

    /** Creates the mirror log directory (the seed's mirror repositories, L9957); idempotent. */
    public MirroringInfo activate() {
        if (engine.options.endpoint() == null) {
            throw new EngineException(Reason.NO_REPLICATION_LISTENER, "this agent has no replication listener, so"
                    + " no peer could reach its mirrors", "start the agent with --replication-listen HOST:PORT"
                            + " --tls-cert FILE --tls-key FILE --tls-ca FILE, then activate");
        }
        synchronized (engine.control) {
            if (!engine.mirroring().getActivated()) {
                try {
                    Files.createDirectories(engine.mirrorDirectory());
                    engine.pool.update(c -> c.setMirroring(c.getMirroring().toBuilder().setActivated(true)));
                } catch (IOException e) {
                    throw dev.copyservices.agent.volume.PoolErrors.of("activate mirroring", e);
                }
                engine.events.publish(Severity.INFO, "MIRRORING_ACTIVATED", "Array", arrayName(), "remote mirroring"
                        + " activated; this array can hold primaries and secondaries", "");
            }
            return status();
        }
    }

    /** Removes the mirror log; refused while any mirror exists (L11247). */
    public MirroringInfo deactivate() {
        synchronized (engine.control) {
            if (engine.count() > 0) {
                throw new EngineException(Reason.MIRRORS_EXIST, "this array still has " + engine.count()
                        + " mirror(s); deactivating would drop their change tracking", "remove every mirror first"
                                + " ('csctl mirror list', then 'csctl mirror remove NAME...')");
            }
            if (engine.mirroring().getActivated()) {
                try {
                    engine.pool.update(c -> c.setMirroring(c.getMirroring().toBuilder().clear()));
                    try (var files = Files.list(engine.mirrorDirectory())) {
                        for (var file : files.toList()) {
                            Files.deleteIfExists(file);
                        }
                    } catch (java.nio.file.NoSuchFileException ignored) {
                        // nothing to remove
                    }
                    Files.deleteIfExists(engine.mirrorDirectory());
                } catch (IOException e) {
                    throw dev.copyservices.agent.volume.PoolErrors.of("deactivate mirroring", e);
                }
                engine.events.publish(Severity.INFO, "MIRRORING_DEACTIVATED", "Array", arrayName(), "remote"
                        + " mirroring deactivated", "");
            }
            return status();
        }
    }

    void checkCanCreate(String where) {
        if (!engine.options.enabled()) {
            throw new EngineException(Reason.FEATURE_DISABLED, "remote mirroring is disabled on " + where
                    + " (--disable-feature mirror): existing mirrors keep working, new ones are refused",
                    "restart that agent without --disable-feature mirror");
        }
        if (!engine.mirroring().getActivated()) {
            throw new EngineException(Reason.MIRRORING_NOT_ACTIVATED, "remote mirroring is not activated on " + where,
                    "activate it there first ('csctl mirror activate')");
        }
        if (engine.count() >= engine.limits.maxMirrors()) {
            throw new EngineException(Reason.MIRROR_LIMIT_REACHED, where + " already has " + engine.count()
                    + " mirrors, its limit (primaries and secondaries count alike, L7176)", "remove mirrors you no"
                            + " longer need, or raise the agent's --max-mirrors");
        }
    }

    // ---- create ------------------------------------------------------------------------------------

    public MirrorInfo create(String primary, String peer, String secondary, MirrorSettings requested,
            Map<String, String> labels) {
        MirrorSettings settings = Settings.defaults(requested);
        Settings.check(settings);
        Settings.checkLabels(labels);
        checkPeerAddress(peer);
        if (secondary == null || secondary.isEmpty()) {
            throw new EngineException(Reason.INVALID_MIRROR_REQUEST, "no secondary volume was named",
                    "name the volume on the peer that becomes the secondary");
        }
        VolumeRecord volume;
        synchronized (engine.control) {
            volume = engine.volumes.find(primary).orElseThrow(() -> new EngineException(Reason.VOLUME_NOT_FOUND,
                    "volume '" + primary + "' does not exist", "check the name with 'csctl volume list'"));
            Member existing = engine.byVolumeId(volume.getId());
            if (existing != null && existing.primary() && existing.record().getPeerEndpoint().equals(peer)
                    && existing.record().getPeerVolume().equals(secondary)) {
                return MirrorReport.info(engine, existing); // a retry of the same create
            }
            checkCanCreate("this array");
            engine.rules.checkPrimary(volume, existing);
        }
        PeerLink link = engine.link(peer);
        PeerHello hello;
        try {
            hello = link.call().hello(PeerSide.hello(engine));
            link.succeeded();
        } catch (StatusRuntimeException e) {
            throw link.error(e, peer, "create the mirror");
        }
        checkPartner(hello);
        String id = UUID.randomUUID().toString();
        ProposeMirrorReply reply;
        try {
            reply = link.call().proposeMirror(ProposeMirrorRequest.newBuilder().setMirrorId(id)
                    .setPrimaryArray(PeerSide.hello(engine)).setPrimaryVolume(primary).setPrimaryVolumeId(volume.getId())
                    .setSecondaryVolume(secondary).setCapacityBytes(volume.getSizeBytes()).setSettings(settings)
                    .putAllLabels(labels).build());
        } catch (StatusRuntimeException e) {
            throw link.error(e, hello.getArrayName(), "take the secondary");
        }
        MirrorRecord record = MirrorRecord.newBuilder().setId(id).setVolumeId(volume.getId())
                .setRole(MirrorRoleRecord.MR_PRIMARY).setGeneration(1).setPeerArrayId(hello.getArrayId())
                .setPeerArrayName(hello.getArrayName()).setPeerEndpoint(peer).setPeerVolume(secondary)
                .setPeerVolumeId(reply.getSecondaryVolumeId()).setCapacityBytes(volume.getSizeBytes())
                .setRegionBytes(engine.options.regionBytes()).setCreatedUnixMillis(System.currentTimeMillis())
                .putAllLabels(labels).build();
        record = Settings.applyTo(record.toBuilder(), settings).build();
        Member member = add(record, true, hello);
        engine.events.publish(Severity.INFO, "MIRROR_CREATED", "Mirror", primary, "mirror created: '" + primary
                + "' (primary) to '" + secondary + "' on array '" + hello.getArrayName() + "', " + Settings.describe(
                        settings) + "; the full synchronization starts", "");
        engine.reconcile(member);
        return MirrorReport.info(engine, member);
    }

    static void checkPeerAddress(String peer) {
        if (peer == null || !peer.matches("[^\\s:]+:\\d{1,5}") && !peer.matches("\\[[0-9a-fA-F:]+\\]:\\d{1,5}")) {
            throw new EngineException(Reason.INVALID_MIRROR_REQUEST, "peer '" + peer + "' is not HOST:PORT",
                    "give the peer agent's replication address, the --replication-listen it was started with");
        }
    }

    /** Refuses a peer that is this array, or another array than the one partner (L7136). */
    void checkPartner(PeerHello hello) {
        var mirroring = engine.mirroring();
        if (hello.getArrayId().equals(engine.pool.catalog().getArrayId())) {
            throw new EngineException(Reason.INVALID_MIRROR_REQUEST, "the peer is this array itself",
                    "give the replication address of the other array's agent");
        }
        if (!mirroring.getPartnerArrayId().isEmpty() && !mirroring.getPartnerArrayId().equals(hello.getArrayId())
                && mirroring.getPartnerArrayName().equals(hello.getArrayName())) {
            // The name is the same but the array is not: most likely the partner was rebuilt (L11623).
            throw new EngineException(Reason.WRONG_PARTNER, "the peer is named '" + hello.getArrayName()
                    + "' like this array's partner but is another array (id " + hello.getArrayId() + ", the partner"
                    + " is " + mirroring.getPartnerArrayId() + "); an array mirrors with one partner (L7136)",
                    "if '" + hello.getArrayName() + "' was rebuilt, remove this array's mirrors with the old one"
                            + " first (they can be removed here alone while it is gone), then create the mirrors"
                            + " again");
        }
        if (!mirroring.getPartnerArrayId().isEmpty() && !mirroring.getPartnerArrayId().equals(hello.getArrayId())) {
            throw new EngineException(Reason.WRONG_PARTNER, "this array mirrors with array '"
                    + mirroring.getPartnerArrayName() + "' already; an array mirrors with one partner (L7136), not"
                    + " also with '" + hello.getArrayName() + "'", "mirror to '" + mirroring.getPartnerArrayName()
                            + "', or remove all mirrors with it first");
        }
    }

    /** Commits a new member (its change map first: a crash before the commit leaves a file, removed at start). */
    Member add(MirrorRecord record, boolean allChanged, PeerHello peer) {
        synchronized (engine.control) {
            try {
                return engine.volumes.whileExisting(List.of(record.getVolumeId()), () -> {
                    ChangeMap map = ChangeMap.create(engine.mapFile(record.getId()), record.getCapacityBytes(),
                            record.getRegionBytes(), allChanged);
                    try {
                        engine.pool.update(c -> {
                            c.addMirrors(record);
                            if (c.getMirroring().getPartnerArrayId().isEmpty()) {
                                c.setMirroring(c.getMirroring().toBuilder().setPartnerArrayId(peer.getArrayId())
                                        .setPartnerArrayName(peer.getArrayName()));
                            }
                        });
                    } catch (IOException | RuntimeException e) {
                        map.close();
                        Files.deleteIfExists(engine.mapFile(record.getId()));
                        throw e;
                    }
                    Member member = new Member(engine, record, map);
                    if (allChanged) { // a new primary: until create reconciles it
                        member.awaitFirstReconcile();
                    }
                    engine.register(member);
                    return member;
                });
            } catch (IOException e) {
                throw dev.copyservices.agent.volume.PoolErrors.of("create mirror", e);
            }
        }
    }

    // ---- suspend, resume, settings, remove -----------------------------------------------------------

    public Outcome suspend(List<String> volumes, boolean memberOnly) {
        List<String> warnings = new ArrayList<>();
        List<Member> targets = primaries(volumes, memberOnly, "suspend", warnings);
        synchronized (engine.control) {
            for (Member m : targets) {
                if (!m.record().getSuspended()) {
                    engine.commit(m, b -> b.setSuspended(true));
                    engine.reconcile(m);
                    engine.heartbeat().report(m);
                }
            }
        }
        return new Outcome(MirrorReport.infos(engine, targets), warnings);
    }

    public Outcome resume(List<String> volumes, boolean memberOnly) {
        List<String> warnings = new ArrayList<>();
        List<Member> targets = primaries(volumes, memberOnly, "resume", warnings);
        synchronized (engine.control) {
            for (Member m : targets) {
                MirrorRecord r = m.record();
                if (r.getSuspended() || r.getUnsynchronized()) {
                    boolean mixed = r.getUnsynchronized() || m.map().toCopyCount() > 0;
                    engine.commit(m, b -> b.setSuspended(false).setUnsynchronized(false).clearUnsynchronizedReason()
                            .setSecondaryInconsistent(b.getSecondaryInconsistent() || mixed));
                    m.confirmed(false);
                    engine.reconcile(m);
                    engine.heartbeat().report(m);
                }
                if (!engine.peerReachable(m)) {
                    warnings.add("'" + engine.volumeName(m) + "': the peer cannot be reached now; the resync starts"
                            + " when it can");
                }
            }
        }
        return new Outcome(MirrorReport.infos(engine, targets), warnings);
    }

    public Outcome update(List<String> volumes, MirrorUpdate update) {
        List<String> warnings = new ArrayList<>();
        List<Member> targets = primaries(volumes, true, "change the settings of", warnings);
        synchronized (engine.control) {
            List<MirrorSettings> next = new ArrayList<>();
            for (Member m : targets) { // all or none: check every one before changing any
                MirrorSettings s = Settings.apply(Settings.of(m.record()), update);
                Settings.check(s);
                next.add(s);
            }
            for (int i = 0; i < targets.size(); i++) {
                Member m = targets.get(i);
                MirrorSettings s = next.get(i);
                engine.commit(m, b -> Settings.applyTo(b, s));
                engine.events.publish(Severity.INFO, "MIRROR_SETTINGS_CHANGED", "Mirror", engine.volumeName(m),
                        "mirror '" + engine.volumeName(m) + "' now " + Settings.describe(s), "");
                engine.heartbeat().priorityChanged(m);
            }
        }
        return new Outcome(MirrorReport.infos(engine, targets), warnings);
    }

    /** Ends mirrors from either side; the data stays (L11057). The peer drops its member when it can be reached. */
    public Outcome remove(List<String> volumes) {
        List<Member> targets = new ArrayList<>();
        for (String v : new LinkedHashSet<>(volumes)) {
            targets.add(engine.require(v));
        }
        List<MirrorInfo> before = MirrorReport.infos(engine, targets);
        List<String> warnings = new ArrayList<>();
        for (Member m : targets) {
            PeerLink link = engine.linkOf(m);
            try {
                link.call().removeMirror(RoleRequest.newBuilder().setMirrorId(m.id())
                        .setCallerArrayId(engine.pool.catalog().getArrayId()).build());
                link.succeeded();
            } catch (StatusRuntimeException e) {
                link.failed(e);
                warnings.add("'" + engine.volumeName(m) + "': the peer array '" + m.record().getPeerArrayName()
                        + "' could not be reached (" + PeerLink.describe(e) + "); its member '"
                        + m.record().getPeerVolume() + "' still names this mirror: remove it on that agent too");
            }
        }
        removeMembers(targets, "removed by a person");
        return new Outcome(before, warnings);
    }

    /** Drops members here only: the change maps go, the data stays, secondaries take writes again. */
    void removeMembers(List<Member> members, String why) {
        synchronized (engine.control) {
            Set<String> ids = new java.util.HashSet<>();
            members.forEach(m -> ids.add(m.id()));
            try {
                engine.pool.update(c -> {
                    List<MirrorRecord> kept = new ArrayList<>(c.getMirrorsList());
                    kept.removeIf(r -> ids.contains(r.getId()));
                    c.clearMirrors().addAllMirrors(kept);
                    if (kept.isEmpty()) {
                        c.setMirroring(c.getMirroring().toBuilder().clearPartnerArrayId().clearPartnerArrayName());
                    }
                });
            } catch (IOException e) {
                throw dev.copyservices.agent.volume.PoolErrors.of("remove mirror", e);
            }
            for (Member m : members) {
                String volume = engine.volumeName(m);
                engine.unregister(m);
                engine.events.publish(Severity.INFO, "MIRROR_REMOVED", "Mirror", volume, "mirror of '" + volume
                        + "' with '" + m.record().getPeerVolume() + "' on array '" + m.record().getPeerArrayName()
                        + "' removed (" + why + "); the data stays on both volumes", "");
            }
        }
    }

    /**
     * The named primaries, each with its consistency group unless {@code memberOnly}; a secondary is
     * refused with where to run the command instead (settings are the primary's, L10845).
     */
    private List<Member> primaries(List<String> volumes, boolean memberOnly, String action, List<String> warnings) {
        if (volumes.isEmpty()) {
            throw new EngineException(Reason.INVALID_MIRROR_REQUEST, "no mirror was named", "name one or more"
                    + " mirrors by their volume on this agent");
        }
        Set<Member> result = new LinkedHashSet<>();
        for (String v : volumes) {
            Member m = engine.require(v);
            if (!m.primary()) {
                throw new EngineException(Reason.MIRROR_STATE, "cannot " + action + " '" + v + "' here: it is the"
                        + " secondary; the primary's agent decides", "run the command on the agent of array '"
                                + m.record().getPeerArrayName() + "' for its volume '" + m.record().getPeerVolume()
                                + "'");
            }
            List<Member> group = memberOnly ? List.of(m) : engine.fateGroup(m);
            if (group.size() > 1) {
                warnings.add("'" + v + "' is in consistency group '" + m.group() + "': its " + group.size()
                        + " members " + (action.equals("suspend") ? "are suspended" : "resume") + " together"
                        + " (--member-only acts on one)");
            }
            result.addAll(group);
        }
        return new ArrayList<>(result);
    }

    public dev.copyservices.api.agent.v1.CommunicationTest test(String volume) {
        return CommunicationTester.test(engine, engine.require(volume));
    }

    private String arrayName() {
        return engine.pool.catalog().getArrayName();
    }
}
