package dev.copyservices.operator.flashcopy;

import dev.copyservices.api.agent.v1.GroupPair;
import dev.copyservices.api.agent.v1.GroupState;
import dev.copyservices.api.agent.v1.PairState;
import dev.copyservices.api.agent.v1.RelationshipState;
import dev.copyservices.crds.common.VolumeReference;
import dev.copyservices.crds.flashcopy.FlashCopyGroup;
import dev.copyservices.crds.flashcopy.FlashCopyGroupStatus;
import dev.copyservices.operator.agent.AgentClient;
import dev.copyservices.operator.agent.AgentEventSource;
import dev.copyservices.operator.agent.AgentException;
import dev.copyservices.operator.agent.GroupClient;
import dev.copyservices.operator.common.ArrayEndpoints;
import dev.copyservices.operator.common.Conditions;
import dev.copyservices.operator.common.KubernetesEvents;
import dev.copyservices.operator.common.LabelSelectors;
import dev.copyservices.operator.common.StatusPatch;
import dev.copyservices.operator.common.Times;
import dev.copyservices.operator.common.VolumeReferences;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A FlashCopyGroup as one FlashCopy group on the array: each PVC the selector picks is flashed onto
 * the PVC of its name plus targetSuffix (Copy mode), all at one write-order-consistent point in time,
 * again whenever flashGeneration goes up. PVCs that join the selection are added as pairs (flashed
 * with the next point in time), PVCs that leave are removed from the group. Deleting the resource
 * terminates the group under the safe-terminate rule (the force-withdraw annotation overrides it)
 * and deletes it on the array; the data stays on the volumes.
 */
public class FlashCopyGroupReconciler implements Reconciler<FlashCopyGroup>, Cleaner<FlashCopyGroup> {
    static final String READY = "Ready";

    private final AgentClient agents;
    private final GroupClient groups;
    private final ArrayEndpoints arrays;
    private final VolumeReferences volumes;
    private final ClaimSelection claims;
    private final KubernetesEvents events;
    private final Clock clock;
    private AgentEventSource<FlashCopyGroup> agentEvents;

    @Inject
    public FlashCopyGroupReconciler(AgentClient agents, GroupClient groups, ArrayEndpoints arrays, VolumeReferences volumes,
            ClaimSelection claims, KubernetesEvents events) {
        this(agents, groups, arrays, volumes, claims, events, Clock.systemUTC());
    }

    FlashCopyGroupReconciler(AgentClient agents, GroupClient groups, ArrayEndpoints arrays, VolumeReferences volumes,
            ClaimSelection claims, KubernetesEvents events, Clock clock) {
        this.agents = agents;
        this.groups = groups;
        this.arrays = arrays;
        this.volumes = volumes;
        this.claims = claims;
        this.events = events;
        this.clock = clock;
    }

    @Override
    public List<EventSource<?, FlashCopyGroup>> prepareEventSources(EventSourceContext<FlashCopyGroup> context) {
        agentEvents = new AgentEventSource<>(agents, "agent-events", id -> context.getPrimaryCache().get(id).isPresent());
        var pvcs = InformerEventSourceConfiguration.from(PersistentVolumeClaim.class, FlashCopyGroup.class)
                .withSecondaryToPrimaryMapper((PersistentVolumeClaim pvc) -> context.getPrimaryCache()
                        .list(g -> Objects.equals(g.getMetadata().getNamespace(), pvc.getMetadata().getNamespace())
                                && LabelSelectors.matches(g.getSpec().getSelector(), pvc.getMetadata().getLabels()))
                        .map(ResourceID::fromResource).collect(Collectors.toSet()))
                .build();
        return List.of(agentEvents, new InformerEventSource<>(pvcs, context));
    }

    /** One member: the volumes of a source PVC and of its target PVC. */
    record Pair(String sourcePvc, String targetPvc, String source, String target) {
    }

    @Override
    public UpdateControl<FlashCopyGroup> reconcile(FlashCopyGroup resource, Context<FlashCopyGroup> context) {
        FlashCopyGroupStatus status = resource.getStatus() != null ? resource.getStatus() : new FlashCopyGroupStatus();
        String previousState = status.getState();
        Long generation = resource.getMetadata().getGeneration();
        status.setObservedGeneration(generation);
        try {
            Map<String, String> located = new LinkedHashMap<>();
            List<Pair> pairs = pairs(resource, located);
            String array = located.get("array");
            String endpoint = located.get("endpoint");
            String name = AgentNames.object(resource.getMetadata().getNamespace(), resource.getMetadata().getName());
            Set<String> objects = new HashSet<>();
            objects.add(name);
            pairs.forEach(p -> objects.add(p.target()));
            if (agentEvents != null) {
                agentEvents.track(ResourceID.fromResource(resource), endpoint, e -> objects.contains(e.getObjectName()));
            }
            dev.copyservices.api.agent.v1.FlashCopyGroup group = converge(resource, status, endpoint, name, pairs);
            fill(status, array, name, group, pairs);
            conditions(resource, status, group, previousState, generation);
        } catch (AgentException e) {
            Conditions.notReady(resource, status.getConditions(), e.reason(), e.describe(), generation, clock, events);
        }
        resource.setStatus(status);
        return StatusPatch.of(resource, context);
    }

    /** The selected PVCs (not the targets among them) and their targets, all on one array. */
    private List<Pair> pairs(FlashCopyGroup resource, Map<String, String> located) throws AgentException {
        String namespace = resource.getMetadata().getNamespace();
        String suffix = resource.getSpec().getTargetSuffix();
        List<String> selected = claims.select(resource);
        Set<String> names = new HashSet<>(selected);
        List<Pair> pairs = new ArrayList<>();
        String array = null;
        for (String pvc : selected) {
            if (pvc.endsWith(suffix) && names.contains(pvc.substring(0, pvc.length() - suffix.length()))) {
                continue; // a target the selector picks too
            }
            VolumeReference source = volumes.resolve(namespace, VolumeReference.ofPvc(pvc));
            VolumeReference target;
            try {
                target = volumes.resolve(namespace, VolumeReference.ofPvc(pvc + suffix));
            } catch (AgentException e) {
                throw new AgentException("TargetNotReady", "the target of " + pvc + ", PVC " + pvc + suffix + ", is not usable: "
                        + e.getMessage(), e.correction() == null || e.correction().isEmpty() ? "create it on the same array"
                                : e.correction() + " (the target must be on the same array, at least as large)");
            }
            if (array != null && !array.equals(source.getArray()) || !source.getArray().equals(target.getArray())) {
                throw new AgentException("DifferentArrays", "a FlashCopyGroup's volumes must all be on one array, but " + pvc
                        + " is on " + source.getArray() + ", its target on " + target.getArray()
                        + (array == null ? "" : " and the first member on " + array),
                        "select PVCs of one array, or make one group per array");
            }
            array = source.getArray();
            pairs.add(new Pair(pvc, pvc + suffix, source.getVolume(), target.getVolume()));
        }
        if (pairs.isEmpty()) {
            throw new AgentException("NoMembers", "the selector picks no PersistentVolumeClaim in namespace " + namespace,
                    "label the PVCs to flash together, or correct spec.selector");
        }
        String chosen = array;
        located.put("array", chosen);
        located.put("endpoint", arrays.endpointOf(chosen).orElseThrow(() -> new AgentException("ArrayNotFound",
                "there is no StorageArray '" + chosen + "'", "create it")));
        return pairs;
    }

    private dev.copyservices.api.agent.v1.FlashCopyGroup converge(FlashCopyGroup resource, FlashCopyGroupStatus status,
            String endpoint, String name, List<Pair> pairs) throws AgentException {
        long wanted = resource.getSpec().getFlashGeneration() == null ? 0 : resource.getSpec().getFlashGeneration();
        dev.copyservices.api.agent.v1.FlashCopyGroup group;
        try {
            group = groups.getGroup(endpoint, name);
        } catch (AgentException e) {
            if (!e.notFound()) {
                throw e;
            }
            group = groups.createGroup(endpoint, name, CopyModeFlashCopies.options(resource.getSpec().getCopyOptions()));
        }
        Set<String> present = group.getPairsList().stream().map(p -> p.getSource() + ">" + p.getTarget()).collect(Collectors.toSet());
        Set<String> wantedPairs = pairs.stream().map(p -> p.source() + ">" + p.target()).collect(Collectors.toSet());
        for (GroupPair p : group.getPairsList()) {
            if (!wantedPairs.contains(p.getSource() + ">" + p.getTarget())) {
                group = groups.removePair(endpoint, name, p.getSource(), p.getTarget());
                events.normal(resource, "MemberRemoved", p.getSource() + " left the group; its target keeps what it holds");
            }
        }
        for (Pair p : pairs) {
            if (!present.contains(p.source() + ">" + p.target())) {
                group = groups.addPair(endpoint, name, p.source(), p.target());
            }
        }
        boolean neverFlashed = !group.hasLastFlash();
        if (neverFlashed || status.getObservedFlashGeneration() == null || wanted > status.getObservedFlashGeneration()) {
            if (neverFlashed || status.getObservedFlashGeneration() != null) {
                group = groups.flashGroup(endpoint, name);
                events.normal(resource, "Flashed", pairs.size() + " volumes at one point in time, "
                        + Times.rfc3339(group.getLastFlash()));
            }
            status.setObservedFlashGeneration(wanted); // a lost status adopts the group as it is
        }
        return group;
    }

    private static void fill(FlashCopyGroupStatus status, String array, String name,
            dev.copyservices.api.agent.v1.FlashCopyGroup group, List<Pair> pairs) {
        status.setArray(array);
        status.setArrayName(name);
        status.setPointInTime(group.hasLastFlash() ? Times.rfc3339(group.getLastFlash()) : null);
        status.setCopiedPercent(Math.round(group.getCopiedPercent() * 10) / 10.0);
        status.setMemberCount(pairs.size());
        List<FlashCopyGroupStatus.Member> members = new ArrayList<>();
        for (Pair p : pairs) {
            FlashCopyGroupStatus.Member m = new FlashCopyGroupStatus.Member();
            m.source = p.sourcePvc();
            m.target = p.targetPvc();
            GroupPair onArray = group.getPairsList().stream().filter(g -> g.getSource().equals(p.source())
                    && g.getTarget().equals(p.target())).findFirst().orElse(null);
            m.state = onArray == null ? "Pending" : onArray.hasRelationship() ? pairState(onArray.getRelationship().getState())
                    // a relationship that is not persistent ends once its copy is complete
                    : onArray.getState() == PairState.PAIR_TARGET_AVAILABLE || onArray.hasFlashTime() ? "Copied" : "Pending";
            m.copiedPercent = onArray == null || !onArray.hasRelationship() ? 0.0
                    : Math.round(onArray.getRelationship().getCopiedPercent() * 10) / 10.0;
            members.add(m);
        }
        status.setMembers(members);
        status.setState(members.stream().map(m -> m.state).min((x, y) -> rank(x) - rank(y)).orElse("Pending"));
    }

    private static String pairState(RelationshipState state) {
        return switch (state) {
            case RELATIONSHIP_COPYING -> "Copying";
            case RELATIONSHIP_COPIED -> "Copied";
            case RELATIONSHIP_NO_BACKGROUND_COPY -> "NoBackgroundCopy";
            case RELATIONSHIP_FAILED -> "Failed";
            default -> "Pending";
        };
    }

    /** The group's state is its least advanced member's: Failed, then Pending, Copying, NoBackgroundCopy, Copied. */
    private static int rank(String state) {
        return List.of("Failed", "Pending", "Copying", "NoBackgroundCopy", "Copied").indexOf(state);
    }

    private void conditions(FlashCopyGroup resource, FlashCopyGroupStatus status,
            dev.copyservices.api.agent.v1.FlashCopyGroup group, String previousState, Long generation) {
        String state = status.getState();
        boolean available = List.of("Copying", "Copied", "NoBackgroundCopy").contains(state);
        String message = switch (state) {
            case "Failed" -> "a member's copy failed: its target lost the image. To fix: check the array, then raise"
                    + " flashGeneration to flash the group again";
            case "Pending" -> "a member has no relationship yet; it is flashed with the next point in time (raise flashGeneration)";
            default -> status.getMemberCount() + " targets hold one point in time (" + status.getPointInTime() + "), "
                    + status.getCopiedPercent() + "% copied";
        };
        Conditions.set(status.getConditions(), READY, available, state, message, generation, clock);
        if (!Objects.equals(previousState, state) && "Failed".equals(state)) {
            events.warning(resource, state, message);
        }
    }

    @Override
    public DeleteControl cleanup(FlashCopyGroup resource, Context<FlashCopyGroup> context) {
        FlashCopyGroupStatus status = resource.getStatus();
        if (status == null || status.getArray() == null || status.getArrayName() == null) {
            return DeleteControl.defaultDelete();
        }
        var endpoint = arrays.endpointOf(status.getArray());
        if (endpoint.isEmpty()) {
            events.warning(resource, "LeftOnArray", "the StorageArray " + status.getArray() + " is gone, so the group "
                    + status.getArrayName() + " stays on its agent; terminate and delete it there with csctl flashcopy-group");
            return DeleteControl.defaultDelete();
        }
        boolean force = resource.getMetadata().getAnnotations() != null
                && "true".equals(resource.getMetadata().getAnnotations().get(CopyModeFlashCopies.FORCE_WITHDRAW));
        try {
            var group = groups.getGroup(endpoint.get(), status.getArrayName());
            if (group.getState() != GroupState.GROUP_DEFINED) { // a group never flashed has nothing to withdraw
                groups.terminateGroup(endpoint.get(), status.getArrayName(), force);
            }
            groups.deleteGroup(endpoint.get(), status.getArrayName());
        } catch (AgentException e) {
            if (!e.notFound()) {
                events.warning(resource, e.reason(), "cannot end the group " + status.getArrayName() + " yet: " + e.describe()
                        + (force ? "" : ". To end it now, leaving targets with an incomplete copy: kubectl annotate"
                                + " flashcopygroup " + resource.getMetadata().getName() + " " + CopyModeFlashCopies.FORCE_WITHDRAW
                                + "=true"));
                return DeleteControl.noFinalizerRemoval().rescheduleAfter(Duration.ofSeconds(5));
            }
        }
        if (agentEvents != null) {
            agentEvents.untrack(ResourceID.fromResource(resource));
        }
        return DeleteControl.defaultDelete();
    }
}
