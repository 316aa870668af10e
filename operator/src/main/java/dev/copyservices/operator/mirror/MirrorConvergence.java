package dev.copyservices.operator.mirror;

import dev.copyservices.api.agent.v1.CreateMirrorRequest;
import dev.copyservices.api.agent.v1.Mirror;
import dev.copyservices.api.agent.v1.MirrorState;
import dev.copyservices.api.agent.v1.MirrorsResponse;
import dev.copyservices.api.agent.v1.UpdateMirrorsRequest;
import dev.copyservices.crds.mirror.MirrorRole;
import dev.copyservices.crds.mirror.RemoteMirror;
import dev.copyservices.crds.mirror.RemoteMirrorSpec;
import dev.copyservices.crds.mirror.RemoteMirrorStatus;
import dev.copyservices.operator.agent.AgentClient;
import dev.copyservices.operator.agent.AgentException;
import dev.copyservices.operator.agent.MirrorClient;
import dev.copyservices.operator.common.CopyPriorities;
import dev.copyservices.operator.common.KubernetesEvents;
import dev.copyservices.operator.common.VolumeReferences;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Brings one mirror member to what its RemoteMirror says: creates the mirror (on the primary's side),
 * changes the role, applies the settings and suspension (the primary's: the secondary's agent refuses
 * them), and writes back into the spec what was changed elsewhere.
 *
 * <p>A role or a suspension is acted on when the spec asks for something else than what the operator
 * last carried out ({@code status.appliedRole}, {@code appliedSuspended}); when the mirror differs
 * from a spec that did not change, the change came from elsewhere (a planned reversal from the other
 * site, csctl) and the spec follows it. Without that distinction the two sites' operators would undo
 * each other's role changes.
 */
final class MirrorConvergence {
    static final String LABEL_PREFIX = "copyservices.dev/";
    static final String NAMESPACE_LABEL = LABEL_PREFIX + "namespace";
    static final String NAME_LABEL = LABEL_PREFIX + "name";
    static final String SITE_LABEL = LABEL_PREFIX + "site";
    /** When the primary's volume is a PVC: its name, volume mode and file system type, for the other site's PV and PVC. */
    static final String PVC_LABEL = LABEL_PREFIX + "pvc";
    static final String VOLUME_MODE_LABEL = LABEL_PREFIX + "volume-mode";
    static final String FS_TYPE_LABEL = LABEL_PREFIX + "fs-type";
    /** The agent keeps 32 labels; up to six are the operator's. */
    private static final int MAX_USER_LABELS = 26;

    private final AgentClient agents;
    private final MirrorClient mirrors;
    private final MirrorSpecs specs;
    private final VolumeReferences volumes;
    private final KubernetesEvents events;

    MirrorConvergence(AgentClient agents, MirrorClient mirrors, MirrorSpecs specs, VolumeReferences volumes,
            KubernetesEvents events) {
        this.agents = agents;
        this.mirrors = mirrors;
        this.specs = specs;
        this.volumes = volumes;
        this.events = events;
    }

    record Member(String array, String endpoint, String volume) {
    }

    /** Creates the mirror from the primary's side; a secondary waits for the other site's create. */
    Mirror create(RemoteMirror resource, RemoteMirrorStatus status, Member member) throws AgentException {
        RemoteMirrorSpec spec = resource.getSpec();
        if (spec.getRole() == MirrorRole.Secondary) {
            throw new AgentException("WaitingForPrimary", "there is no mirror of " + member.volume() + " on " + member.array()
                    + " yet: this side becomes the secondary when site " + spec.getPeer().getSite() + " creates the mirror",
                    "apply the RemoteMirror with role: Primary for volume " + spec.getPeer().getVolume() + " at site "
                            + spec.getPeer().getSite());
        }
        String site = agents.getArray(member.endpoint()).getSite();
        CreateMirrorRequest.Builder request = CreateMirrorRequest.newBuilder().setPrimary(member.volume())
                .setPeer(spec.getPeer().getEndpoint()).setSecondary(spec.getPeer().getVolume())
                .setWriteMode(RemoteMirrorStatusMapper.toAgent(spec.getWriteMode()))
                .setSyncPriority(CopyPriorities.toAgent(spec.getSyncPriority()))
                .setResyncMethod(RemoteMirrorStatusMapper.toAgent(spec.getResyncMethod()))
                .putAllLabels(labels(resource, site));
        String pvc = spec.getVolume().getPvc();
        if (pvc != null) {
            VolumeReferences.Claim claim = volumes.claim(resource.getMetadata().getNamespace(), pvc);
            request.putLabels(PVC_LABEL, pvc).putLabels(VOLUME_MODE_LABEL, claim.volumeMode())
                    .putLabels(FS_TYPE_LABEL, claim.fsType());
        }
        if (spec.getConsistencyGroup() != null) {
            request.setConsistencyGroup(spec.getConsistencyGroup());
        }
        Mirror mirror = mirrors.createMirror(member.endpoint(), request.build());
        status.setAppliedRole(MirrorRole.Primary.name());
        status.setAppliedSuspended(false);
        events.normal(resource, "Created", "mirroring " + member.volume() + " on " + member.array() + " to "
                + spec.getPeer().getVolume() + " at site " + spec.getPeer().getSite() + "; the full synchronization runs");
        return mirror;
    }

    /** What the other site's operator needs to adopt the secondary: namespace, name, labels and this site. */
    static Map<String, String> labels(RemoteMirror resource, String site) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(NAMESPACE_LABEL, resource.getMetadata().getNamespace());
        labels.put(NAME_LABEL, resource.getMetadata().getName());
        labels.put(SITE_LABEL, site);
        Map<String, String> own = resource.getMetadata().getLabels();
        if (own != null) {
            own.entrySet().stream().filter(e -> !e.getKey().startsWith(LABEL_PREFIX)).limit(MAX_USER_LABELS)
                    .forEach(e -> labels.put(e.getKey(), e.getValue()));
        }
        return labels;
    }

    Mirror role(RemoteMirror resource, RemoteMirrorStatus status, Member member, Mirror mirror) throws AgentException {
        RemoteMirrorSpec spec = resource.getSpec();
        MirrorRole actual = RemoteMirrorStatusMapper.role(mirror.getRole());
        if (spec.getRole() == actual) {
            status.setAppliedRole(actual.name());
            return mirror;
        }
        if (status.getAppliedRole() == null || status.getAppliedRole().equals(spec.getRole().name())) {
            // Either the first sight of a mirror that exists already (take it as it is: promoting or
            // demoting on the strength of a freshly applied file could fail a site over by accident),
            // or the role changed elsewhere under a spec that did not change.
            String why = status.getAppliedRole() == null ? "the mirror existed already"
                    : "the role was changed outside this resource (by the other site or csctl)";
            specs.followRole(resource, actual);
            status.setAppliedRole(actual.name());
            events.normal(resource, "RoleFollowed", member.volume() + " is " + actual + " on " + member.array() + ": "
                    + why + "; spec.role now says " + actual);
            return mirror;
        }
        boolean force = Boolean.TRUE.equals(spec.getForce());
        Mirror changed = mirrors.changeRole(member.endpoint(), member.volume(), RemoteMirrorStatusMapper.toAgent(spec.getRole()),
                force);
        status.setAppliedRole(spec.getRole().name());
        if (force) {
            events.warning(resource, "RoleForced", member.volume() + " is " + spec.getRole() + " without its peer (force): "
                    + "when the peer returns, both sides may report a dual role until one side's role is changed");
        } else {
            events.normal(resource, "RoleChanged", member.volume() + " is " + spec.getRole() + " now; the peer took the other role");
        }
        return changed;
    }

    /** The settings and suspension: applied on the primary, followed into the spec on the secondary. */
    Mirror settings(RemoteMirror resource, RemoteMirrorStatus status, Member member, Mirror mirror) throws AgentException {
        if (mirror.getRole() != dev.copyservices.api.agent.v1.MirrorRole.PRIMARY) {
            follow(resource, status, mirror);
            return mirror;
        }
        RemoteMirrorSpec spec = resource.getSpec();
        UpdateMirrorsRequest.Builder update = UpdateMirrorsRequest.newBuilder().addVolumes(member.volume());
        boolean change = false;
        if (RemoteMirrorStatusMapper.toAgent(spec.getWriteMode()) != mirror.getWriteMode()) {
            update.setWriteMode(RemoteMirrorStatusMapper.toAgent(spec.getWriteMode()));
            change = true;
        }
        String group = spec.getConsistencyGroup() == null ? "" : spec.getConsistencyGroup();
        if (!group.equals(mirror.getConsistencyGroup())) {
            update.setConsistencyGroup(group);
            change = true;
        }
        if (CopyPriorities.toAgent(spec.getSyncPriority()) != mirror.getSyncPriority()) {
            update.setSyncPriority(CopyPriorities.toAgent(spec.getSyncPriority()));
            change = true;
        }
        if (RemoteMirrorStatusMapper.toAgent(spec.getResyncMethod()) != mirror.getResyncMethod()) {
            update.setResyncMethod(RemoteMirrorStatusMapper.toAgent(spec.getResyncMethod()));
            change = true;
        }
        if (change) {
            mirror = mirrors.updateMirror(member.endpoint(), update.build());
            events.normal(resource, "SettingsChanged", "the mirror of " + member.volume() + " is now "
                    + RemoteMirrorStatusMapper.writeMode(mirror.getWriteMode())
                    + (mirror.getConsistencyGroup().isEmpty() ? "" : " in consistency group " + mirror.getConsistencyGroup())
                    + ", sync priority " + CopyPriorities.fromAgent(mirror.getSyncPriority()) + ", resync "
                    + RemoteMirrorStatusMapper.resyncMethod(mirror.getResyncMethod()));
        }
        return suspension(resource, status, member, mirror);
    }

    /**
     * Suspends when spec.suspended turns true and resumes when it turns false (also the Manual resync
     * method's resume after a link failure). Only on a change: a suspension acts on the whole
     * consistency group, so the group's other members must not undo it.
     */
    private Mirror suspension(RemoteMirror resource, RemoteMirrorStatus status, Member member, Mirror mirror)
            throws AgentException {
        boolean wanted = Boolean.TRUE.equals(resource.getSpec().getSuspended());
        if (status.getAppliedSuspended() != null && status.getAppliedSuspended() == wanted) {
            return mirror;
        }
        MirrorState state = mirror.getState();
        MirrorsResponse response = null;
        if (wanted && state != MirrorState.SUSPENDED) {
            response = mirrors.suspendMirror(member.endpoint(), member.volume());
            events.normal(resource, "Suspended", "mirroring of " + member.volume() + " is suspended"
                    + (mirror.getConsistencyGroup().isEmpty() ? "" : " with its consistency group " + mirror.getConsistencyGroup())
                    + "; writes are tracked and only changed regions are copied on resume");
        } else if (!wanted && status.getAppliedSuspended() != null
                && (state == MirrorState.SUSPENDED || state == MirrorState.UNSYNCHRONIZED)) {
            response = mirrors.resumeMirror(member.endpoint(), member.volume());
            events.normal(resource, "Resumed", "mirroring of " + member.volume() + " resumes; the changed regions are copied");
        }
        status.setAppliedSuspended(wanted);
        if (response != null) {
            response.getWarningsList().forEach(w -> events.normal(resource, "MirrorNotice", w));
            return response.getMirrorsList().stream().filter(m -> m.getVolume().equals(member.volume())).findFirst()
                    .orElse(mirror);
        }
        return mirror;
    }

    /** On the secondary: the spec shows the primary's settings, so that a failover keeps them. */
    private void follow(RemoteMirror resource, RemoteMirrorStatus status, Mirror mirror) {
        RemoteMirrorSpec spec = resource.getSpec();
        MirrorSpecs.Settings actual = new MirrorSpecs.Settings(RemoteMirrorStatusMapper.writeMode(mirror.getWriteMode()),
                mirror.getConsistencyGroup().isEmpty() ? null : mirror.getConsistencyGroup(),
                CopyPriorities.fromAgent(mirror.getSyncPriority()),
                RemoteMirrorStatusMapper.resyncMethod(mirror.getResyncMethod()), mirror.getState() == MirrorState.SUSPENDED);
        MirrorSpecs.Settings written = new MirrorSpecs.Settings(
                spec.getWriteMode() == null ? dev.copyservices.crds.mirror.WriteMode.Synchronous : spec.getWriteMode(),
                spec.getConsistencyGroup(),
                spec.getSyncPriority() == null ? dev.copyservices.crds.common.CopyPriority.Medium : spec.getSyncPriority(),
                spec.getResyncMethod() == null ? dev.copyservices.crds.mirror.ResyncMethod.Manual : spec.getResyncMethod(),
                Boolean.TRUE.equals(spec.getSuspended()));
        status.setAppliedSuspended(actual.suspended());
        if (!Objects.equals(actual, written)) {
            specs.followSettings(resource, actual);
            events.normal(resource, "SettingsFollowed", "this side is the secondary, whose settings are the primary's:"
                    + " the spec now shows them (change them on the primary's RemoteMirror at site "
                    + spec.getPeer().getSite() + ")");
        }
    }
}
