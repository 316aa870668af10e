package dev.copyservices.operator.mirror;

import dev.copyservices.api.agent.v1.Mirror;
import dev.copyservices.api.agent.v1.MirrorsResponse;
import dev.copyservices.crds.common.VolumeReference;
import dev.copyservices.crds.mirror.RemoteMirror;
import dev.copyservices.crds.mirror.RemoteMirrorSpec;
import dev.copyservices.crds.mirror.RemoteMirrorStatus;
import dev.copyservices.crds.mirror.WriteMode;
import dev.copyservices.operator.agent.AgentClient;
import dev.copyservices.operator.agent.AgentEventSource;
import dev.copyservices.operator.agent.AgentException;
import dev.copyservices.operator.agent.MirrorClient;
import dev.copyservices.operator.common.ArrayEndpoints;
import dev.copyservices.operator.common.Conditions;
import dev.copyservices.operator.common.KubernetesEvents;
import dev.copyservices.operator.common.StatusPatch;
import dev.copyservices.operator.common.VolumeReferences;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Keeps one side of a remote mirror as its RemoteMirror says (see {@link MirrorConvergence}) and its
 * status as the agent reports it: role, state, progress, lag, with the Ready, Synchronized,
 * DualRoleConflict and RPOBreached conditions. Follows the agent's MIRROR_* events, so a state change
 * or another tenth synchronized shows within a second. Deleting the resource removes the mirror
 * relationship from this side (the agent tells the peer); the data stays on both volumes.
 */
public class RemoteMirrorReconciler implements Reconciler<RemoteMirror>, Cleaner<RemoteMirror> {
    static final String READY = "Ready";
    static final String SYNCHRONIZED = "Synchronized";
    static final String DUAL_ROLE_CONFLICT = "DualRoleConflict";
    static final String RPO_BREACHED = "RPOBreached";
    /** Set on a RemoteMirror the operator created for a secondary; it goes when the mirror does. */
    public static final String ADOPTED_ANNOTATION = "copyservices.dev/adopted-from";
    private static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(5);

    private final AgentClient agents;
    private final MirrorClient mirrors;
    private final ArrayEndpoints arrays;
    private final VolumeReferences volumes;
    private final MirrorSpecs specs;
    private final KubernetesEvents events;
    private final Clock clock;
    private final MirrorConvergence convergence;
    private AgentEventSource<RemoteMirror> agentEvents;

    @Inject
    public RemoteMirrorReconciler(AgentClient agents, MirrorClient mirrors, ArrayEndpoints arrays, VolumeReferences volumes,
            MirrorSpecs specs, KubernetesEvents events) {
        this(agents, mirrors, arrays, volumes, specs, events, Clock.systemUTC());
    }

    RemoteMirrorReconciler(AgentClient agents, MirrorClient mirrors, ArrayEndpoints arrays, VolumeReferences volumes,
            MirrorSpecs specs, KubernetesEvents events, Clock clock) {
        this.agents = agents;
        this.mirrors = mirrors;
        this.arrays = arrays;
        this.volumes = volumes;
        this.specs = specs;
        this.events = events;
        this.clock = clock;
        this.convergence = new MirrorConvergence(agents, mirrors, specs, volumes, events);
    }

    @Override
    public List<EventSource<?, RemoteMirror>> prepareEventSources(EventSourceContext<RemoteMirror> context) {
        agentEvents = new AgentEventSource<>(agents, "agent-events", id -> context.getPrimaryCache().get(id).isPresent());
        return List.of(agentEvents);
    }

    @Override
    public UpdateControl<RemoteMirror> reconcile(RemoteMirror resource, Context<RemoteMirror> context) {
        RemoteMirrorStatus status = resource.getStatus() != null ? resource.getStatus() : new RemoteMirrorStatus();
        String previousState = status.getState();
        Long generation = resource.getMetadata().getGeneration();
        status.setObservedGeneration(generation);
        try {
            MirrorConvergence.Member member = locate(resource);
            if (agentEvents != null) {
                agentEvents.track(ResourceID.fromResource(resource), member.endpoint(),
                        e -> "Mirror".equals(e.getObjectKind()) && member.volume().equals(e.getObjectName()));
            }
            Optional<Mirror> found = find(member);
            if (found.isEmpty() && status.getMirrorId() != null) {
                return removedElsewhere(resource, status, member, generation, context);
            }
            Mirror mirror = found.isPresent() ? found.get() : convergence.create(resource, status, member);
            checkPeer(resource, member, mirror);
            mirror = convergence.role(resource, status, member, mirror);
            mirror = convergence.settings(resource, status, member, mirror);
            RemoteMirrorStatusMapper.fill(status, member.array(), mirror);
            conditions(resource, status, mirror, previousState, generation);
        } catch (AgentException e) {
            Conditions.notReady(resource, status.getConditions(), e.reason(), e.describe(), generation, clock, events);
            resource.setStatus(status);
            // A create or a role change may fail for a while (the peer not yet known to be gone, an
            // agent restarting); a secondary waiting for its primary is woken by the agent's event.
            return "WaitingForPrimary".equals(e.reason()) ? StatusPatch.of(resource, context)
                    : StatusPatch.of(resource, context).rescheduleAfter(RETRY_AFTER_FAILURE);
        }
        resource.setStatus(status);
        UpdateControl<RemoteMirror> control = StatusPatch.of(resource, context);
        return lagWatched(resource) ? control.rescheduleAfter(lagCheckInterval(resource)) : control;
    }

    private MirrorConvergence.Member locate(RemoteMirror resource) throws AgentException {
        VolumeReference volume = volumes.resolve(resource.getMetadata().getNamespace(), resource.getSpec().getVolume());
        String endpoint = arrays.endpointOf(volume.getArray()).orElseThrow(() -> new AgentException("ArrayNotFound",
                "there is no StorageArray '" + volume.getArray() + "'", "create it, or correct volume.array"));
        return new MirrorConvergence.Member(volume.getArray(), endpoint, volume.getVolume());
    }

    private Optional<Mirror> find(MirrorConvergence.Member member) throws AgentException {
        try {
            return Optional.of(mirrors.getMirror(member.endpoint(), member.volume()));
        } catch (AgentException e) {
            if (e.notFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private static void checkPeer(RemoteMirror resource, MirrorConvergence.Member member, Mirror mirror) throws AgentException {
        String peerVolume = resource.getSpec().getPeer().getVolume();
        if (!mirror.getPeerVolume().equals(peerVolume)) {
            throw new AgentException("VolumeInAnotherMirror", member.volume() + " on " + member.array()
                    + " is mirrored with " + mirror.getPeerVolume() + " on array " + mirror.getPeerArray() + ", not with "
                    + peerVolume, "remove that mirror first (csctl mirror remove " + member.volume()
                            + "), or correct this RemoteMirror");
        }
    }

    /** The mirror this resource had is gone: an adopted resource goes with it, a user's one says so. */
    private UpdateControl<RemoteMirror> removedElsewhere(RemoteMirror resource, RemoteMirrorStatus status,
            MirrorConvergence.Member member, Long generation, Context<RemoteMirror> context) {
        String message = "the mirror of " + member.volume() + " on " + member.array() + " was removed outside this resource"
                + " (at the other site or with csctl); the data stays on both volumes";
        if (adopted(resource)) {
            events.normal(resource, "MirrorRemoved", message + "; this RemoteMirror, made by the operator for the"
                    + " secondary, is deleted");
            specs.delete(resource);
            return UpdateControl.noUpdate();
        }
        Conditions.notReady(resource, status.getConditions(), "MirrorRemoved", message
                + ". To fix: delete this RemoteMirror; to mirror again, apply it anew (a full synchronization)",
                generation, clock, events);
        resource.setStatus(status);
        return StatusPatch.of(resource, context);
    }

    static boolean adopted(RemoteMirror resource) {
        var annotations = resource.getMetadata().getAnnotations();
        return annotations != null && annotations.containsKey(ADOPTED_ANNOTATION);
    }

    private void conditions(RemoteMirror resource, RemoteMirrorStatus status, Mirror mirror, String previousState,
            Long generation) {
        String state = status.getState();
        String reason = mirror.getReason().isEmpty() ? "" : ": " + mirror.getReason();
        String subject = mirror.getVolume() + " (" + status.getRole() + ") with " + mirror.getPeerVolume() + " on "
                + mirror.getPeerArray();
        boolean ready;
        String message;
        switch (mirror.getState()) {
            case SYNCHRONIZED -> {
                ready = true;
                message = subject + " is synchronized";
            }
            case SYNCHRONIZING -> {
                ready = true;
                message = subject + " is synchronizing (" + status.getProgressPercent() + "%)" + reason;
            }
            case SUSPENDED -> {
                ready = Boolean.TRUE.equals(resource.getSpec().getSuspended()) || "Secondary".equals(status.getRole());
                message = subject + " is suspended; writes are tracked. To resume: set suspended: false on the primary's"
                        + " RemoteMirror";
            }
            case UNSYNCHRONIZED -> {
                ready = false;
                message = subject + " is unsynchronized" + reason + (mirror.getResyncMethod()
                        == dev.copyservices.api.agent.v1.ResyncMethod.AUTOMATIC
                        ? ". It resynchronizes by itself once the link is back"
                        : ". To fix: restore the link, then set suspended: true and back to false on the primary's RemoteMirror"
                                + " (only changed regions are copied)");
            }
            case DUAL_PRIMARY -> {
                ready = false;
                message = "Dual-role conflict detected: " + subject + " and its peer are both Primary. To fix: decide"
                        + " whose writes to keep, then set role: Secondary on the other side's RemoteMirror (only the"
                        + " regions either side changed are copied)";
            }
            case DUAL_SECONDARY -> {
                ready = false;
                message = "Dual-role conflict detected: " + subject + " and its peer are both Secondary. To fix: set"
                        + " role: Primary on the RemoteMirror of the side whose data to keep";
            }
            default -> {
                ready = false;
                message = subject + " is " + state + reason + ". To fix: check that the peer agent runs and the link"
                        + " between the sites works";
            }
        }
        Conditions.set(status.getConditions(), READY, ready, state, message, generation, clock);
        Conditions.set(status.getConditions(), SYNCHRONIZED, "Synchronized".equals(state), state,
                "Synchronized".equals(state) ? subject + " is synchronized" : subject + " is " + state, generation, clock);
        boolean dual = state.startsWith("Dual");
        Conditions.set(status.getConditions(), DUAL_ROLE_CONFLICT, dual, dual ? state : "NoConflict",
                dual ? message : "the two sides have different roles", generation, clock);
        Long objective = resource.getSpec().getRpoObjectiveSeconds();
        if (objective != null && status.getLagSeconds() != null) {
            boolean breached = status.getLagSeconds() > objective;
            boolean wasBreached = Conditions.isTrue(status.getConditions(), RPO_BREACHED);
            Conditions.set(status.getConditions(), RPO_BREACHED, breached, breached ? "LagAboveObjective" : "LagWithinObjective",
                    "the secondary is " + status.getLagSeconds() + " s behind; the objective is " + objective + " s",
                    generation, clock);
            if (breached && !wasBreached) {
                events.warning(resource, "RPOBreached", "the secondary is " + status.getLagSeconds()
                        + " s behind, more than the objective of " + objective + " s");
            }
        } else {
            status.getConditions().removeIf(c -> RPO_BREACHED.equals(c.getType()));
        }
        if (!Objects.equals(previousState, state)) {
            if (ready) {
                events.normal(resource, state, message);
            } else {
                events.warning(resource, state, message);
            }
        }
    }

    /** Lag grows without an event; an asynchronous mirror with an RPO objective is looked at again. */
    private static boolean lagWatched(RemoteMirror resource) {
        RemoteMirrorSpec spec = resource.getSpec();
        return spec.getWriteMode() == WriteMode.Asynchronous && spec.getRpoObjectiveSeconds() != null;
    }

    private static Duration lagCheckInterval(RemoteMirror resource) {
        long objective = resource.getSpec().getRpoObjectiveSeconds();
        return Duration.ofSeconds(Math.max(1, Math.min(10, objective / 2)));
    }

    @Override
    public DeleteControl cleanup(RemoteMirror resource, Context<RemoteMirror> context) {
        RemoteMirrorStatus status = resource.getStatus();
        if (status == null || status.getArray() == null || status.getArrayVolume() == null) {
            return DeleteControl.defaultDelete();
        }
        Optional<String> endpoint = arrays.endpointOf(status.getArray());
        if (endpoint.isEmpty()) {
            events.warning(resource, "LeftOnArray", "the StorageArray " + status.getArray() + " is gone, so the mirror of "
                    + status.getArrayVolume() + " stays on its agent; remove it there with csctl mirror remove");
            return DeleteControl.defaultDelete();
        }
        try {
            MirrorsResponse removed = mirrors.removeMirror(endpoint.get(), status.getArrayVolume());
            removed.getWarningsList().forEach(w -> events.warning(resource, "MirrorNotice", w));
        } catch (AgentException e) {
            if (!e.notFound()) {
                events.warning(resource, e.reason(), "cannot remove the mirror of " + status.getArrayVolume() + " yet: "
                        + e.describe());
                return DeleteControl.noFinalizerRemoval().rescheduleAfter(Duration.ofSeconds(5));
            }
        }
        if (agentEvents != null) {
            agentEvents.untrack(ResourceID.fromResource(resource));
        }
        return DeleteControl.defaultDelete();
    }
}
