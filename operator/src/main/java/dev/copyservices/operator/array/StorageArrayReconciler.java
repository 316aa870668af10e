package dev.copyservices.operator.array;

import dev.copyservices.api.agent.v1.Array;
import dev.copyservices.crds.array.Feature;
import dev.copyservices.crds.array.StorageArray;
import dev.copyservices.crds.array.StorageArrayStatus;
import dev.copyservices.operator.agent.AgentClient;
import dev.copyservices.operator.agent.AgentEventSource;
import dev.copyservices.operator.agent.AgentException;
import dev.copyservices.operator.common.Conditions;
import dev.copyservices.operator.common.KubernetesEvents;
import dev.copyservices.operator.common.StatusPatch;
import dev.copyservices.operator.common.Times;
import dev.copyservices.operator.mirror.MirrorAdopter;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.List;

/**
 * Keeps a StorageArray's status equal to what its agent reports: identity, capacity, counts,
 * features and what needs attention, with a Ready condition that says whether the agent answers and
 * is what the spec expects. Runs again on every event of the agent's stream (see
 * {@link AgentEventSource}), so a change on the array shows within a second. When the agent holds
 * mirrors, their secondaries get RemoteMirrors here if they have none ({@link MirrorAdopter}).
 */
public class StorageArrayReconciler implements Reconciler<StorageArray> {
    static final String READY = "Ready";

    private final AgentClient agents;
    private final KubernetesEvents events;
    private final MirrorAdopter adopter;
    private final Clock clock;
    private AgentEventSource<StorageArray> agentEvents;

    @Inject
    public StorageArrayReconciler(AgentClient agents, KubernetesEvents events, MirrorAdopter adopter) {
        this(agents, events, adopter, Clock.systemUTC());
    }

    StorageArrayReconciler(AgentClient agents, KubernetesEvents events, MirrorAdopter adopter, Clock clock) {
        this.agents = agents;
        this.events = events;
        this.adopter = adopter;
        this.clock = clock;
    }

    @Override
    public List<EventSource<?, StorageArray>> prepareEventSources(EventSourceContext<StorageArray> context) {
        agentEvents = new AgentEventSource<>(agents, "agent-events", id -> context.getPrimaryCache().get(id).isPresent());
        return List.of(agentEvents);
    }

    @Override
    public UpdateControl<StorageArray> reconcile(StorageArray resource, Context<StorageArray> context) {
        String endpoint = resource.getSpec().getEndpoint();
        if (agentEvents != null) {
            agentEvents.track(ResourceID.fromResource(resource), endpoint);
        }
        StorageArrayStatus previous = resource.getStatus();
        StorageArrayStatus status = previous != null ? previous : new StorageArrayStatus();
        boolean wasReady = previous != null && Conditions.isTrue(previous.getConditions(), READY);
        Long generation = resource.getMetadata().getGeneration();
        status.setObservedGeneration(generation);
        try {
            Array array = agents.getArray(endpoint);
            ArrayStatusMapper.fill(status, array);
            status.setLastSeen(Times.now(clock));
            Problem problem = mismatch(resource, array);
            if (problem == null) {
                Conditions.set(status.getConditions(), READY, true, "AgentReady",
                        "the agent " + array.getName() + " at " + endpoint + " answers", generation, clock);
                if (!wasReady) {
                    events.normal(resource, "AgentReady", "the agent " + array.getName() + " at " + endpoint + " answers");
                }
                if (array.getCounts().getMirrors() > 0) {
                    adoptSecondaries(resource);
                }
            } else {
                Conditions.notReady(resource, status.getConditions(), problem.reason(), problem.message(), generation, clock, events);
            }
        } catch (AgentException e) {
            Conditions.notReady(resource, status.getConditions(), e.reason(), e.describe(), generation, clock, events);
        }
        resource.setStatus(status);
        return StatusPatch.of(resource, context);
    }

    /** A failed adoption leaves the array Ready: it is about other resources, and the next event tries again. */
    private void adoptSecondaries(StorageArray resource) {
        try {
            adopter.adopt(resource);
        } catch (AgentException e) {
            events.warning(resource, "AdoptionFailed", "cannot list the mirrors to adopt their secondaries: " + e.describe());
        }
    }

    private record Problem(String reason, String message) {
    }

    /** Why the agent that answers is not the one the spec describes, or null when it is. */
    private static Problem mismatch(StorageArray resource, Array array) {
        String endpoint = resource.getSpec().getEndpoint();
        String site = resource.getSpec().getSite();
        if (site != null && !site.equals(array.getSite())) {
            return new Problem("SiteMismatch", "the agent at " + endpoint + " belongs to site '" + array.getSite()
                    + "', not '" + site + "'. To fix: correct spec.site, or start the agent with --site " + site);
        }
        for (Feature feature : resource.getSpec().getFeatures()) {
            if (!array.getEnabledFeaturesList().contains(feature.agentName())) {
                return new Problem("FeatureDisabled", "the agent at " + endpoint + " has " + feature
                        + " turned off. To fix: start the agent without --disable-feature " + feature.agentName()
                        + ", or remove " + feature + " from spec.features");
            }
        }
        return null;
    }
}
