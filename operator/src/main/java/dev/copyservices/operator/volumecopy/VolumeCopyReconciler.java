package dev.copyservices.operator.volumecopy;

import dev.copyservices.api.agent.v1.CopyState;
import dev.copyservices.api.agent.v1.CreateCopyRequest;
import dev.copyservices.api.agent.v1.UpdateCopiesRequest;
import dev.copyservices.crds.common.VolumeReference;
import dev.copyservices.crds.flashcopy.FlashCopy;
import dev.copyservices.crds.volumecopy.CopySource;
import dev.copyservices.crds.volumecopy.VolumeCopy;
import dev.copyservices.crds.volumecopy.VolumeCopySpec;
import dev.copyservices.crds.volumecopy.VolumeCopyStatus;
import dev.copyservices.operator.agent.AgentClient;
import dev.copyservices.operator.agent.AgentEventSource;
import dev.copyservices.operator.agent.AgentException;
import dev.copyservices.operator.common.ArrayEndpoints;
import dev.copyservices.operator.common.Conditions;
import dev.copyservices.operator.common.CopyPriorities;
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

/**
 * Runs a VolumeCopy resource as a pair on its array: creates it (the agent's create is idempotent
 * for the same source and target), stops it, copies again when recopyGeneration goes up, keeps its
 * priority and target access as the spec says, and removes the pair when the resource is deleted
 * (stopping it first if it still runs; the data stays on both volumes). Progress comes from the
 * agent's VOLUMECOPY_* events, one per tenth of the volume, not from polling.
 */
public class VolumeCopyReconciler implements Reconciler<VolumeCopy>, Cleaner<VolumeCopy> {
    static final String READY = "Ready";

    private final AgentClient agents;
    private final ArrayEndpoints arrays;
    private final VolumeReferences volumes;
    private final FlashCopyLookup flashCopies;
    private final KubernetesEvents events;
    private final Clock clock;
    private AgentEventSource<VolumeCopy> agentEvents;

    @Inject
    public VolumeCopyReconciler(AgentClient agents, ArrayEndpoints arrays, VolumeReferences volumes, FlashCopyLookup flashCopies,
            KubernetesEvents events) {
        this(agents, arrays, volumes, flashCopies, events, Clock.systemUTC());
    }

    VolumeCopyReconciler(AgentClient agents, ArrayEndpoints arrays, VolumeReferences volumes, FlashCopyLookup flashCopies,
            KubernetesEvents events, Clock clock) {
        this.agents = agents;
        this.arrays = arrays;
        this.volumes = volumes;
        this.flashCopies = flashCopies;
        this.events = events;
        this.clock = clock;
    }

    @Override
    public List<EventSource<?, VolumeCopy>> prepareEventSources(EventSourceContext<VolumeCopy> context) {
        agentEvents = new AgentEventSource<>(agents, "agent-events", id -> context.getPrimaryCache().get(id).isPresent());
        return List.of(agentEvents);
    }

    record Pair(String array, String endpoint, String source, String target) {
    }

    @Override
    public UpdateControl<VolumeCopy> reconcile(VolumeCopy resource, Context<VolumeCopy> context) {
        VolumeCopyStatus status = resource.getStatus() != null ? resource.getStatus() : new VolumeCopyStatus();
        String previousState = status.getState();
        Long generation = resource.getMetadata().getGeneration();
        status.setObservedGeneration(generation);
        try {
            Pair pair = locate(resource);
            if (agentEvents != null) {
                agentEvents.track(ResourceID.fromResource(resource), pair.endpoint(),
                        e -> "VolumeCopy".equals(e.getObjectKind()) && pair.target().equals(e.getObjectName()));
            }
            dev.copyservices.api.agent.v1.VolumeCopy copy = converge(resource, status, pair);
            VolumeCopyStatusMapper.fill(status, pair.array(), copy);
            conditions(resource, status, copy, previousState, generation);
        } catch (AgentException e) {
            Conditions.notReady(resource, status.getConditions(), e.reason(), e.describe(), generation, clock, events);
        }
        resource.setStatus(status);
        return StatusPatch.of(resource, context);
    }

    private Pair locate(VolumeCopy resource) throws AgentException {
        CopySource source = resource.getSpec().getSource();
        String sourceArray;
        String sourceVolume;
        String namespace = resource.getMetadata().getNamespace();
        if (source.getPvc() != null) {
            VolumeReference resolved = volumes.resolve(namespace, VolumeReference.ofPvc(source.getPvc()));
            sourceArray = resolved.getArray();
            sourceVolume = resolved.getVolume();
        } else if (source.getFlashCopy() != null) {
            FlashCopy flashCopy = flashCopies.find(resource.getMetadata().getNamespace(), source.getFlashCopy())
                    .orElseThrow(() -> new AgentException("FlashCopyNotFound", "there is no FlashCopy '" + source.getFlashCopy()
                            + "' in this namespace", "create it, or correct source.flashCopy"));
            if (flashCopy.getStatus() == null || flashCopy.getStatus().getArrayName() == null) {
                throw new AgentException("FlashCopyNotReady", "FlashCopy '" + source.getFlashCopy() + "' is not on its array yet",
                        "wait until it is Ready (kubectl get flashcopy " + source.getFlashCopy() + ")");
            }
            sourceArray = flashCopy.getStatus().getArray();
            sourceVolume = flashCopy.getStatus().getArrayName();
        } else {
            sourceArray = source.getArray();
            sourceVolume = source.getVolume();
        }
        VolumeReference target = volumes.resolve(namespace, resource.getSpec().getTarget());
        if (!target.getArray().equals(sourceArray)) {
            throw new AgentException("DifferentArrays", "a VolumeCopy runs inside one array, but the source is on '" + sourceArray
                    + "' and the target on '" + target.getArray() + "'", "pick a target on " + sourceArray
                    + ", or mirror the volume to the other array (RemoteMirror)");
        }
        String endpoint = arrays.endpointOf(sourceArray).orElseThrow(() -> new AgentException("ArrayNotFound",
                "there is no StorageArray '" + sourceArray + "'", "create it, or correct the array name"));
        return new Pair(sourceArray, endpoint, sourceVolume, target.getVolume());
    }

    private dev.copyservices.api.agent.v1.VolumeCopy converge(VolumeCopy resource, VolumeCopyStatus status, Pair pair)
            throws AgentException {
        VolumeCopySpec spec = resource.getSpec();
        long wantedGeneration = spec.getRecopyGeneration() == null ? 0 : spec.getRecopyGeneration();
        dev.copyservices.api.agent.v1.VolumeCopy copy;
        try {
            copy = agents.getCopy(pair.endpoint(), pair.target());
            if (!copy.getSource().equals(pair.source())) {
                throw new AgentException("TargetInAnotherCopy", "volume '" + pair.target() + "' is the target of a VolumeCopy from '"
                        + copy.getSource() + "'", "remove that pair first (csctl volumecopy remove " + pair.target()
                        + "), or pick another target");
            }
        } catch (AgentException e) {
            if (!e.notFound()) {
                throw e;
            }
            if (Boolean.TRUE.equals(spec.getStop())) {
                throw new AgentException("Stopped", "spec.stop is true, so the copy was not started", "set stop: false to start it");
            }
            copy = agents.createCopy(pair.endpoint(), CreateCopyRequest.newBuilder().setSource(pair.source())
                    .setTarget(pair.target()).setPriority(CopyPriorities.toAgent(spec.getPriority())).build());
            status.setObservedRecopyGeneration(wantedGeneration);
            events.normal(resource, "Created", "copying " + pair.source() + " onto " + pair.target() + " on " + pair.array());
        }
        if (status.getObservedRecopyGeneration() == null) {
            status.setObservedRecopyGeneration(wantedGeneration); // the status was lost: adopt the pair as it is
        }
        boolean running = copy.getState() == CopyState.COPY_PENDING || copy.getState() == CopyState.COPY_IN_PROGRESS;
        if (Boolean.TRUE.equals(spec.getStop()) && (running || copy.getState() == CopyState.COPY_FAILED)) {
            copy = agents.stopCopy(pair.endpoint(), pair.target());
        } else if (!Boolean.TRUE.equals(spec.getStop()) && wantedGeneration > status.getObservedRecopyGeneration()) {
            copy = agents.recopy(pair.endpoint(), pair.target(), CopyPriorities.toAgent(spec.getPriority()));
            status.setObservedRecopyGeneration(wantedGeneration);
            events.normal(resource, "Recopy", "copying " + pair.source() + " onto " + pair.target() + " again from the first byte");
        }
        UpdateCopiesRequest.Builder update = UpdateCopiesRequest.newBuilder().addTargets(pair.target());
        boolean change = false;
        if (CopyPriorities.toAgent(spec.getPriority()) != copy.getPriority()) {
            update.setPriority(CopyPriorities.toAgent(spec.getPriority()));
            change = true;
        }
        boolean readOnly = !Boolean.FALSE.equals(spec.getTargetReadOnly());
        if (readOnly != copy.getTargetReadOnly()) {
            update.setTargetReadOnly(readOnly);
            change = true;
        }
        return change ? agents.updateCopy(pair.endpoint(), update.build()) : copy;
    }

    private void conditions(VolumeCopy resource, VolumeCopyStatus status, dev.copyservices.api.agent.v1.VolumeCopy copy,
            String previousState, Long generation) {
        switch (copy.getState()) {
            case COPY_COMPLETED -> Conditions.set(status.getConditions(), READY, true, "Completed",
                    "every byte of " + copy.getSource() + " is on " + copy.getTarget(), generation, clock);
            case COPY_PENDING -> Conditions.set(status.getConditions(), READY, false, "Pending",
                    "waiting for a copy slot (position " + copy.getQueuePosition() + " in the queue)", generation, clock);
            case COPY_IN_PROGRESS -> Conditions.set(status.getConditions(), READY, false, "InProgress",
                    status.getCopiedPercent() + "% copied", generation, clock);
            case COPY_STOPPED -> Conditions.set(status.getConditions(), READY, false, "Stopped",
                    "stopped: the target holds a partial copy. To fix: set stop: false and raise recopyGeneration to copy again",
                    generation, clock);
            default -> Conditions.set(status.getConditions(), READY, false, "Failed", "the copy failed: " + copy.getFailure()
                    + ". To fix: check the source and target on the array, then raise recopyGeneration", generation, clock);
        }
        String state = status.getState();
        if (!Objects.equals(previousState, state)) {
            String message = Conditions.find(status.getConditions(), READY).orElseThrow().getMessage();
            if ("Failed".equals(state) || "Stopped".equals(state)) {
                events.warning(resource, state, message);
            } else if ("Completed".equals(state)) {
                events.normal(resource, state, message);
            }
        }
    }

    @Override
    public DeleteControl cleanup(VolumeCopy resource, Context<VolumeCopy> context) {
        VolumeCopyStatus status = resource.getStatus();
        if (status == null || status.getArray() == null || status.getTargetVolume() == null) {
            return DeleteControl.defaultDelete();
        }
        java.util.Optional<String> endpoint = arrays.endpointOf(status.getArray());
        if (endpoint.isEmpty()) {
            events.warning(resource, "LeftOnArray", "the StorageArray " + status.getArray() + " is gone, so the pair onto "
                    + status.getTargetVolume() + " stays on its agent; remove it there with csctl volumecopy remove");
            return DeleteControl.defaultDelete();
        }
        try {
            dev.copyservices.api.agent.v1.VolumeCopy copy = agents.getCopy(endpoint.get(), status.getTargetVolume());
            if (copy.getState() == CopyState.COPY_PENDING || copy.getState() == CopyState.COPY_IN_PROGRESS) {
                agents.stopCopy(endpoint.get(), status.getTargetVolume());
                events.warning(resource, "StoppedForDelete", "the copy onto " + status.getTargetVolume()
                        + " was stopped before it completed: the target holds a partial copy");
            }
            agents.removeCopy(endpoint.get(), status.getTargetVolume());
        } catch (AgentException e) {
            if (!e.notFound()) {
                events.warning(resource, e.reason(), "cannot remove the pair onto " + status.getTargetVolume() + " yet: " + e.describe());
                return DeleteControl.noFinalizerRemoval().rescheduleAfter(Duration.ofSeconds(5));
            }
        }
        if (agentEvents != null) {
            agentEvents.untrack(ResourceID.fromResource(resource));
        }
        return DeleteControl.defaultDelete();
    }
}
