package dev.copyservices.operator.flashcopy;

import dev.copyservices.api.agent.v1.CreateFlashCopyRequest;
import dev.copyservices.api.agent.v1.FlashCopyState;
import dev.copyservices.api.agent.v1.FullPolicy;
import dev.copyservices.api.agent.v1.UpdateFlashCopyRequest;
import dev.copyservices.crds.common.VolumeReference;
import dev.copyservices.crds.flashcopy.FlashCopy;
import dev.copyservices.crds.flashcopy.FlashCopyMode;
import dev.copyservices.crds.flashcopy.FlashCopySpec;
import dev.copyservices.crds.flashcopy.FlashCopyStatus;
import dev.copyservices.crds.flashcopy.RepositorySpec;
import dev.copyservices.operator.agent.AgentClient;
import dev.copyservices.operator.agent.AgentEventSource;
import dev.copyservices.operator.agent.AgentException;
import dev.copyservices.operator.common.ArrayEndpoints;
import dev.copyservices.operator.common.Conditions;
import dev.copyservices.operator.common.KubernetesEvents;
import dev.copyservices.operator.common.Times;
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
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Runs a FlashCopy resource on its base volume's agent. Copy mode is a relationship onto the target
 * ({@link CopyModeFlashCopies}). Snapshot mode: creates the FlashCopy
 * (idempotent by a name derived from the resource), takes a new point in time when flashGeneration
 * goes up, disables and re-enables it, keeps the repository's threshold and full policy as the spec
 * says, and deletes it on the agent when the resource is deleted (a finalizer: otherwise the
 * repository would stay on the array unseen). Agent events about the FlashCopy or its repository
 * reconcile it at once, so the threshold and full conditions show without polling.
 */
public class FlashCopyReconciler implements Reconciler<FlashCopy>, Cleaner<FlashCopy> {
    static final String READY = "Ready";
    static final String THRESHOLD = "RepositoryThresholdExceeded";
    static final String EXPOSED = "Exposed";

    private final AgentClient agents;
    private final ArrayEndpoints arrays;
    private final VolumeReferences volumes;
    private final FlashCopyExposure exposure;
    private final KubernetesEvents events;
    private final Clock clock;
    private final ScheduledFlashes schedule;
    private final CopyModeFlashCopies copyMode;
    private AgentEventSource<FlashCopy> agentEvents;

    @Inject
    public FlashCopyReconciler(AgentClient agents, ArrayEndpoints arrays, VolumeReferences volumes, FlashCopyExposure exposure,
            KubernetesEvents events) {
        this(agents, arrays, volumes, exposure, events, Clock.systemUTC());
    }

    FlashCopyReconciler(AgentClient agents, ArrayEndpoints arrays, VolumeReferences volumes, FlashCopyExposure exposure,
            KubernetesEvents events, Clock clock) {
        this.agents = agents;
        this.arrays = arrays;
        this.volumes = volumes;
        this.exposure = exposure;
        this.events = events;
        this.clock = clock;
        this.copyMode = new CopyModeFlashCopies(agents, events, clock);
        this.schedule = new ScheduledFlashes(events, clock);
    }

    @Override
    public List<EventSource<?, FlashCopy>> prepareEventSources(EventSourceContext<FlashCopy> context) {
        agentEvents = new AgentEventSource<>(agents, "agent-events", id -> context.getPrimaryCache().get(id).isPresent());
        return List.of(agentEvents);
    }

    @Override
    public UpdateControl<FlashCopy> reconcile(FlashCopy resource, Context<FlashCopy> context) {
        FlashCopyStatus status = resource.getStatus() != null ? resource.getStatus() : new FlashCopyStatus();
        String previousState = status.getState();
        boolean previouslyOverThreshold = Conditions.isTrue(status.getConditions(), THRESHOLD);
        Long generation = resource.getMetadata().getGeneration();
        status.setObservedGeneration(generation);
        Optional<java.time.Duration> wake = Optional.empty();
        try {
            Located base = locate(resource);
            if (resource.getSpec().getMode() == FlashCopyMode.Copy) {
                String target = base.target();
                track(resource, base.endpoint(), Set.of(target));
                copyMode.reconcile(resource, status, base.array(), base.endpoint(), base.volume(), target, generation);
                wake = schedule.apply(resource, status, () -> Times.rfc3339(agents.reflash(base.endpoint(), target)
                        .getPointInTime())); // the status follows with the agent's event of the re-flash
            } else {
                String name = AgentNames.object(resource.getMetadata().getNamespace(), resource.getMetadata().getName());
                String repository = AgentNames.repository(resource.getMetadata().getNamespace(), resource.getMetadata().getName());
                track(resource, base.endpoint(), Set.of(name, repository));
                dev.copyservices.api.agent.v1.FlashCopy flashCopy = converge(resource, status, base, name, repository);
                dev.copyservices.api.agent.v1.FlashCopy[] latest = {flashCopy};
                wake = schedule.apply(resource, status, () -> {
                    latest[0] = agents.recreateFlashCopy(base.endpoint(), name);
                    return Times.rfc3339(latest[0].getPointInTime());
                });
                FlashCopyStatusMapper.fill(status, base.array(), latest[0]);
                conditions(resource, status, latest[0], previousState, previouslyOverThreshold, generation);
                expose(resource, status, base, latest[0], generation);
            }
        } catch (AgentException e) {
            Conditions.notReady(resource, status.getConditions(), e.reason(), e.describe(), generation, clock, events);
        }
        resource.setStatus(status);
        UpdateControl<FlashCopy> control = StatusPatch.of(resource, context);
        return wake.map(control::rescheduleAfter).orElse(control);
    }

    /** The source's array, its agent and volume, and a Copy-mode target's volume on the same array. */
    /** spec.exposeAs: the Exposed condition says whether the read-only PVC is there, or why not. */
    private void expose(FlashCopy resource, FlashCopyStatus status, Located base, dev.copyservices.api.agent.v1.FlashCopy flashCopy,
            Long generation) throws AgentException {
        if (resource.getSpec().getExposeAs() == null) {
            status.getConditions().removeIf(c -> EXPOSED.equals(c.getType()));
            return;
        }
        String volumeMode = resource.getSpec().getSource().getPvc() == null ? "Filesystem"
                : volumes.claim(resource.getMetadata().getNamespace(), resource.getSpec().getSource().getPvc()).volumeMode();
        String problem = exposure.expose(resource, base.array(), agents.getArray(base.endpoint()).getName(), flashCopy.getName(),
                flashCopy.getSizeBytes(), volumeMode);
        boolean wasExposed = Conditions.isTrue(status.getConditions(), EXPOSED);
        if (problem == null) {
            Conditions.set(status.getConditions(), EXPOSED, true, "Exposed", "PersistentVolumeClaim "
                    + resource.getSpec().getExposeAs() + " reads this FlashCopy (mounted read-only)", generation, clock);
            if (!wasExposed) {
                events.normal(resource, "Exposed", "PersistentVolumeClaim " + resource.getSpec().getExposeAs() + " reads "
                        + flashCopy.getName());
            }
        } else {
            Conditions.set(status.getConditions(), EXPOSED, false, "ClaimNameTaken", problem
                    + ". To fix: choose another exposeAs, or delete that claim", generation, clock);
        }
    }

    record Located(String array, String endpoint, String volume, String target) {
    }

    /** Agent events about these objects reconcile the resource. */
    private void track(FlashCopy resource, String endpoint, Set<String> objects) {
        if (agentEvents != null) {
            agentEvents.track(ResourceID.fromResource(resource), endpoint, e -> objects.contains(e.getObjectName()));
        }
    }

    private Located locate(FlashCopy resource) throws AgentException {
        FlashCopySpec spec = resource.getSpec();
        String namespace = resource.getMetadata().getNamespace();
        VolumeReference source = volumes.resolve(namespace, spec.getSource());
        VolumeReference target = spec.getTarget() == null ? null : volumes.resolve(namespace, spec.getTarget());
        if (target != null && !target.getArray().equals(source.getArray())) {
            throw new AgentException("DifferentArrays", "a Copy-mode FlashCopy runs inside one array, but the source is on '"
                    + source.getArray() + "' and the target on '" + target.getArray() + "'", "pick a target on " + source.getArray());
        }
        String endpoint = arrays.endpointOf(source.getArray()).orElseThrow(() -> new AgentException("ArrayNotFound",
                "there is no StorageArray '" + source.getArray() + "'",
                "create it, or correct source.array (kubectl get storagearrays lists them)"));
        return new Located(source.getArray(), endpoint, source.getVolume(), target == null ? null : target.getVolume());
    }

    private dev.copyservices.api.agent.v1.FlashCopy converge(FlashCopy resource, FlashCopyStatus status, Located base,
            String name, String repository) throws AgentException {
        FlashCopySpec spec = resource.getSpec();
        long wantedGeneration = spec.getFlashGeneration() == null ? 0 : spec.getFlashGeneration();
        dev.copyservices.api.agent.v1.FlashCopy flashCopy;
        try {
            flashCopy = agents.getFlashCopy(base.endpoint(), name);
        } catch (AgentException e) {
            if (!e.notFound()) {
                throw e;
            }
            flashCopy = agents.createFlashCopy(base.endpoint(), createRequest(resource, base.volume(), name, repository));
            status.setObservedFlashGeneration(wantedGeneration);
            events.normal(resource, "Created", "FlashCopy " + name + " of " + base.volume() + " on " + base.array()
                    + " at " + Times.rfc3339(flashCopy.getPointInTime()));
        }
        if (status.getObservedFlashGeneration() == null) {
            // the status was lost (or written by an older operator): adopt what the array has
            status.setObservedFlashGeneration(wantedGeneration);
        }
        boolean enabled = !Boolean.FALSE.equals(spec.getEnabled());
        boolean disabled = flashCopy.getState() == FlashCopyState.DISABLED;
        if (!enabled && !disabled) {
            flashCopy = agents.disableFlashCopy(base.endpoint(), name);
            events.normal(resource, "Disabled", "FlashCopy " + name + " disabled: no more copy-on-write, repository kept");
        } else if (enabled && (disabled || wantedGeneration > status.getObservedFlashGeneration())) {
            flashCopy = agents.recreateFlashCopy(base.endpoint(), name);
            status.setObservedFlashGeneration(wantedGeneration);
            events.normal(resource, "NewPointInTime", "FlashCopy " + name + " re-created at "
                    + Times.rfc3339(flashCopy.getPointInTime()));
        }
        UpdateFlashCopyRequest update = settingsChange(spec.getRepository(), flashCopy, name);
        if (update != null) {
            flashCopy = agents.updateFlashCopy(base.endpoint(), update);
        }
        return flashCopy;
    }

    private static CreateFlashCopyRequest createRequest(FlashCopy resource, String base, String name, String repository) {
        CreateFlashCopyRequest.Builder request = CreateFlashCopyRequest.newBuilder()
                .setBase(base)
                .setName(name)
                .setRepositoryName(repository)
                .putAttributes("kubernetes.namespace", resource.getMetadata().getNamespace())
                .putAttributes("kubernetes.name", resource.getMetadata().getName());
        RepositorySpec settings = resource.getSpec().getRepository();
        if (settings != null) {
            if (settings.getPercent() != null) {
                request.setRepositoryPercent(settings.getPercent());
            }
            if (settings.getCapacity() != null) {
                // a fractional byte count (1.5Ki is fine, 0.3 is not) rounds up
                request.setRepositoryCapacityBytes(settings.getCapacity().getNumericalAmount()
                        .setScale(0, java.math.RoundingMode.CEILING).longValueExact());
            }
            if (settings.getWarningThresholdPercent() != null) {
                request.setWarningThresholdPercent(settings.getWarningThresholdPercent());
            }
            request.setFullPolicy(fullPolicy(settings));
        }
        return request.build();
    }

    /** The threshold and full policy the spec asks for, when the agent's differ; else null. */
    private static UpdateFlashCopyRequest settingsChange(RepositorySpec settings, dev.copyservices.api.agent.v1.FlashCopy flashCopy,
            String name) {
        if (settings == null) {
            return null;
        }
        UpdateFlashCopyRequest.Builder update = UpdateFlashCopyRequest.newBuilder().setName(name);
        boolean change = false;
        if (settings.getWarningThresholdPercent() != null
                && settings.getWarningThresholdPercent() != flashCopy.getRepository().getWarningThresholdPercent()) {
            update.setWarningThresholdPercent(settings.getWarningThresholdPercent());
            change = true;
        }
        if (settings.getFullPolicy() != null && fullPolicy(settings) != flashCopy.getRepository().getFullPolicy()) {
            update.setFullPolicy(fullPolicy(settings));
            change = true;
        }
        return change ? update.build() : null;
    }

    private static FullPolicy fullPolicy(RepositorySpec settings) {
        return settings.getFullPolicy() == dev.copyservices.crds.flashcopy.FullPolicy.FailBaseWrites
                ? FullPolicy.FAIL_BASE_WRITES : FullPolicy.FAIL_FLASH_COPY;
    }

    private void conditions(FlashCopy resource, FlashCopyStatus status, dev.copyservices.api.agent.v1.FlashCopy flashCopy,
            String previousState, boolean previouslyOverThreshold, Long generation) {
        String state = status.getState();
        switch (flashCopy.getState()) {
            case OPTIMAL -> Conditions.set(status.getConditions(), READY, true, "Optimal",
                    "the FlashCopy shows its point in time", generation, clock);
            case DISABLED -> Conditions.set(status.getConditions(), READY, false, "Disabled",
                    "disabled by spec.enabled: false; set it to true for a new point in time", generation, clock);
            case FULL -> Conditions.set(status.getConditions(), READY, false, "RepositoryFull",
                    "the repository is full and base writes fail (full policy FailBaseWrites). To fix: raise "
                            + "flashGeneration for a new point in time, or delete the FlashCopy", generation, clock);
            default -> Conditions.set(status.getConditions(), READY, false, "Failed",
                    "the FlashCopy failed: " + flashCopy.getFailure() + ". To fix: raise flashGeneration to re-create it",
                    generation, clock);
        }
        if (previousState != null && !Objects.equals(previousState, state) && !"Optimal".equals(state)) {
            events.warning(resource, state, Conditions.find(status.getConditions(), READY).orElseThrow().getMessage());
        }
        boolean over = Boolean.TRUE.equals(status.getRepository().thresholdExceeded);
        String usage = status.getRepository().usedPercent + "% of the repository " + status.getRepository().name + " is in use";
        Conditions.set(status.getConditions(), THRESHOLD, over, over ? "ThresholdExceeded" : "BelowThreshold",
                over ? usage + ", at or over its warning threshold. To fix: raise flashGeneration for a new point in "
                        + "time, which empties it, or delete FlashCopies no longer needed" : usage, generation, clock);
        if (over && !previouslyOverThreshold) {
            events.warning(resource, THRESHOLD, usage);
        }
    }

    @Override
    public DeleteControl cleanup(FlashCopy resource, Context<FlashCopy> context) {
        FlashCopyStatus status = resource.getStatus();
        if (status == null || status.getArray() == null || status.getArrayName() == null) {
            return DeleteControl.defaultDelete();
        }
        java.util.Optional<String> endpoint = arrays.endpointOf(status.getArray());
        if (endpoint.isEmpty()) {
            events.warning(resource, "LeftOnArray", "the StorageArray " + status.getArray() + " is gone, so FlashCopy "
                    + status.getArrayName() + " stays on its agent; delete it there with csctl flashcopy delete");
            return DeleteControl.defaultDelete();
        }
        if (resource.getSpec().getMode() == FlashCopyMode.Copy) {
            if (!copyMode.withdraw(resource, endpoint.get(), status.getArrayName())) {
                // Safe terminate: the target would be left incomplete; wait for the copy or a forced withdraw.
                return DeleteControl.noFinalizerRemoval().rescheduleAfter(java.time.Duration.ofSeconds(5));
            }
            if (agentEvents != null) {
                agentEvents.untrack(ResourceID.fromResource(resource));
            }
            return DeleteControl.defaultDelete();
        }
        try {
            exposure.withdraw(resource); // the claim first: nothing may mount a FlashCopy being deleted
            agents.deleteFlashCopy(endpoint.get(), status.getArrayName());
        } catch (AgentException e) {
            if (!e.notFound()) {
                // Keep the finalizer: removing it now would leave the repository on the array unseen.
                events.warning(resource, e.reason(), "cannot delete FlashCopy " + status.getArrayName() + " yet: " + e.describe());
                return DeleteControl.noFinalizerRemoval().rescheduleAfter(java.time.Duration.ofSeconds(5));
            }
        }
        if (agentEvents != null) {
            agentEvents.untrack(ResourceID.fromResource(resource));
        }
        return DeleteControl.defaultDelete();
    }
}
