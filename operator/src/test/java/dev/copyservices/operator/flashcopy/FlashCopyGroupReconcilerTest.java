package dev.copyservices.operator.flashcopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Timestamp;
import dev.copyservices.api.agent.v1.CopyOptions;
import dev.copyservices.api.agent.v1.GroupPair;
import dev.copyservices.api.agent.v1.GroupState;
import dev.copyservices.api.agent.v1.PairState;
import dev.copyservices.api.agent.v1.Relationship;
import dev.copyservices.api.agent.v1.RelationshipState;
import dev.copyservices.crds.common.VolumeReference;
import dev.copyservices.crds.flashcopy.FlashCopyGroup;
import dev.copyservices.crds.flashcopy.FlashCopyGroupSpec;
import dev.copyservices.operator.agent.AgentException;
import dev.copyservices.operator.agent.FakeAgentClient;
import dev.copyservices.operator.agent.GroupClient;
import dev.copyservices.operator.common.Conditions;
import dev.copyservices.operator.common.FakeVolumeReferences;
import dev.copyservices.operator.common.MutableClock;
import dev.copyservices.operator.common.RecordedEvents;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class FlashCopyGroupReconcilerTest {
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private dev.copyservices.api.agent.v1.FlashCopyGroup onArray;
    private long flashes;
    private final GroupClient groups = new GroupClient() {
        @Override
        public dev.copyservices.api.agent.v1.FlashCopyGroup getGroup(String endpoint, String name) throws AgentException {
            calls.add("get");
            if (onArray == null) {
                throw new AgentException("GroupNotFound", "no group", "", null) {
                    @Override
                    public boolean notFound() {
                        return true;
                    }
                };
            }
            return onArray;
        }

        @Override
        public dev.copyservices.api.agent.v1.FlashCopyGroup createGroup(String endpoint, String name, CopyOptions options) {
            calls.add("create " + name);
            onArray = dev.copyservices.api.agent.v1.FlashCopyGroup.newBuilder().setName(name).setState(GroupState.GROUP_DEFINED)
                    .setOptions(options).build();
            return onArray;
        }

        @Override
        public dev.copyservices.api.agent.v1.FlashCopyGroup addPair(String endpoint, String group, String source, String target) {
            calls.add("add " + source + ">" + target);
            onArray = onArray.toBuilder().addPairs(GroupPair.newBuilder().setSource(source).setTarget(target)
                    .setState(PairState.PAIR_DEFINED)).build();
            return onArray;
        }

        @Override
        public dev.copyservices.api.agent.v1.FlashCopyGroup removePair(String endpoint, String group, String source, String target) {
            calls.add("remove " + source + ">" + target);
            List<GroupPair> kept = new ArrayList<>(onArray.getPairsList());
            kept.removeIf(p -> p.getSource().equals(source));
            onArray = onArray.toBuilder().clearPairs().addAllPairs(kept).build();
            return onArray;
        }

        @Override
        public dev.copyservices.api.agent.v1.FlashCopyGroup flashGroup(String endpoint, String name) {
            calls.add("flash");
            flashes++;
            var flashed = onArray.toBuilder().clearPairs().setState(GroupState.GROUP_TARGET_AVAILABLE)
                    .setLastFlash(Timestamp.newBuilder().setSeconds(1_800_000_000L + flashes));
            for (GroupPair p : onArray.getPairsList()) {
                flashed.addPairs(p.toBuilder().setState(PairState.PAIR_TARGET_AVAILABLE).setConsistent(true)
                        .setRelationship(Relationship.newBuilder().setSource(p.getSource()).setTarget(p.getTarget())
                                .setState(RelationshipState.RELATIONSHIP_COPYING)));
            }
            onArray = flashed.build();
            return onArray;
        }

        @Override
        public dev.copyservices.api.agent.v1.FlashCopyGroup terminateGroup(String endpoint, String name, boolean force) {
            calls.add("terminate" + (force ? " force" : ""));
            return onArray;
        }

        @Override
        public void deleteGroup(String endpoint, String name) {
            calls.add("delete");
        }
    };
    private final FakeVolumeReferences pvcs = new FakeVolumeReferences();
    private final List<String> selected = new ArrayList<>();
    private final RecordedEvents events = new RecordedEvents();
    private final FlashCopyGroupReconciler reconciler = new FlashCopyGroupReconciler(new FakeAgentClient(), groups,
            array -> Optional.of("10.0.0.1:7400"), pvcs, group -> List.copyOf(selected), events,
            new MutableClock(Instant.parse("2026-12-06T10:00:00Z")));

    FlashCopyGroupReconcilerTest() {
        for (String name : List.of("db", "log")) {
            pvcs.bound.put(name, VolumeReference.ofVolume("node-1", "csi-" + name));
            pvcs.bound.put(name + "-backup", VolumeReference.ofVolume("node-1", "csi-" + name + "-b"));
            selected.add(name);
            selected.add(name + "-backup"); // the targets carry the app's labels too
        }
    }

    @Test
    void theSelectedPvcsAreFlashedOntoTheirTargetsAtOnePointInTimeAndAgainWhenTheGenerationGoesUp() {
        FlashCopyGroup resource = group();

        reconciler.reconcile(resource, null);
        assertEquals(List.of("get", "create " + AgentNames.object("shop", "nightly"), "add csi-db>csi-db-b",
                "add csi-log>csi-log-b", "flash"), calls);
        assertEquals(2, resource.getStatus().getMemberCount());
        assertEquals("Copying", resource.getStatus().getState());
        assertEquals("True", Conditions.find(resource.getStatus().getConditions(), "Ready").orElseThrow().getStatus());

        reconciler.reconcile(resource, null);
        assertEquals(1, flashes, "nothing changed: no new point in time");
        resource.getSpec().setFlashGeneration(1L);
        reconciler.reconcile(resource, null);
        assertEquals(2, flashes);
    }

    @Test
    void aPvcLeavingTheSelectionLeavesTheGroupAndOneOnAnotherArrayIsRefused() {
        FlashCopyGroup resource = group();
        reconciler.reconcile(resource, null);
        selected.removeAll(List.of("log", "log-backup"));
        reconciler.reconcile(resource, null);
        assertTrue(calls.contains("remove csi-log>csi-log-b"), calls.toString());

        pvcs.bound.put("web", VolumeReference.ofVolume("node-2", "csi-web"));
        pvcs.bound.put("web-backup", VolumeReference.ofVolume("node-2", "csi-web-b"));
        selected.add("web");
        reconciler.reconcile(resource, null);
        assertEquals("DifferentArrays", Conditions.find(resource.getStatus().getConditions(), "Ready").orElseThrow().getReason());
    }

    @Test
    void aMissingTargetSaysWhichPvcToCreate() {
        pvcs.bound.remove("log-backup");
        selected.remove("log-backup");
        FlashCopyGroup resource = group();

        reconciler.reconcile(resource, null);

        var ready = Conditions.find(resource.getStatus().getConditions(), "Ready").orElseThrow();
        assertEquals("TargetNotReady", ready.getReason());
        assertTrue(ready.getMessage().contains("log-backup"), ready.getMessage());
        assertEquals(List.of(), calls, "nothing made on the array");
    }

    @Test
    void deletingTerminatesTheGroupThenDeletesIt() {
        FlashCopyGroup resource = group();
        reconciler.reconcile(resource, null);
        calls.clear();

        reconciler.cleanup(resource, null);

        assertEquals(List.of("get", "terminate", "delete"), calls);
    }

    private static FlashCopyGroup group() {
        FlashCopyGroup group = new FlashCopyGroup();
        group.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("nightly").withGeneration(1L).build());
        FlashCopyGroupSpec spec = new FlashCopyGroupSpec();
        spec.setSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("app", "shop")).build());
        spec.setTargetSuffix("-backup");
        group.setSpec(spec);
        return group;
    }
}
