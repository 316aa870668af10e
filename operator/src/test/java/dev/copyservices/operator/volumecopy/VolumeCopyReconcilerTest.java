package dev.copyservices.operator.volumecopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.api.agent.v1.CopyPriority;
import dev.copyservices.api.agent.v1.CopyState;
import dev.copyservices.crds.common.VolumeReference;
import dev.copyservices.crds.flashcopy.FlashCopy;
import dev.copyservices.crds.flashcopy.FlashCopyStatus;
import dev.copyservices.crds.volumecopy.CopySource;
import dev.copyservices.crds.volumecopy.VolumeCopy;
import dev.copyservices.crds.volumecopy.VolumeCopySpec;
import dev.copyservices.operator.agent.FakeAgentClient;
import dev.copyservices.operator.common.MutableClock;
import dev.copyservices.operator.common.RecordedEvents;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VolumeCopyReconcilerTest {
    private final FakeAgentClient agent = new FakeAgentClient();
    private final RecordedEvents events = new RecordedEvents();
    private final Map<String, FlashCopy> flashCopies = new java.util.HashMap<>();
    private final VolumeCopyReconciler reconciler = new VolumeCopyReconciler(agent,
            array -> array.startsWith("node-") ? Optional.of("10.0.0.1:7400") : Optional.empty(),
            new dev.copyservices.operator.common.FakeVolumeReferences(),
            new FlashCopyLookup() {
                @Override
                public Optional<FlashCopy> find(String namespace, String name) {
                    return Optional.ofNullable(flashCopies.get(name));
                }
            }, events, new MutableClock(Instant.parse("2026-12-06T10:00:00Z")));

    @Test
    void aCopyFromAFlashCopyResourceCopiesItsVolumeOnItsArray() {
        FlashCopy snap = new FlashCopy();
        FlashCopyStatus snapStatus = new FlashCopyStatus();
        snapStatus.setArray("node-1");
        snapStatus.setArrayName("db-snap-1a2b3c4d");
        snap.setStatus(snapStatus);
        flashCopies.put("db-snap", snap);
        CopySource source = new CopySource();
        source.setFlashCopy("db-snap");
        VolumeCopy resource = volumeCopy(source);
        resource.getSpec().setPriority(dev.copyservices.crds.common.CopyPriority.High);

        reconciler.reconcile(resource, null);

        assertEquals(List.of("getCopy restore", "createCopy db-snap-1a2b3c4d restore"), agent.calls);
        assertEquals(CopyPriority.COPY_PRIORITY_HIGH, agent.copies.get("restore").getPriority());
        assertEquals("InProgress", resource.getStatus().getState());
        assertEquals("InProgress", ready(resource).getReason());
    }

    @Test
    void completionMakesItReadyWithOneEvent() {
        VolumeCopy resource = volumeCopy(volumeSource("node-1", "db"));
        reconciler.reconcile(resource, null);
        agent.copies.computeIfPresent("restore", (t, c) -> c.toBuilder().setState(CopyState.COPY_COMPLETED).setCopiedPercent(100).build());

        reconciler.reconcile(resource, null);
        reconciler.reconcile(resource, null);

        assertEquals("True", ready(resource).getStatus());
        assertEquals(100.0, resource.getStatus().getCopiedPercent());
        assertEquals(List.of("Normal Created", "Normal Completed"), events.recorded);
    }

    @Test
    void stopThenRaisingRecopyGenerationCopiesAgainOnce() {
        VolumeCopy resource = volumeCopy(volumeSource("node-1", "db"));
        reconciler.reconcile(resource, null);

        resource.getSpec().setStop(true);
        reconciler.reconcile(resource, null);
        assertEquals("Stopped", resource.getStatus().getState());

        resource.getSpec().setStop(false);
        resource.getSpec().setRecopyGeneration(1L);
        reconciler.reconcile(resource, null);
        reconciler.reconcile(resource, null);

        assertEquals(1, agent.calls.stream().filter(c -> c.startsWith("recopy")).count());
        assertEquals("InProgress", resource.getStatus().getState());
    }

    @Test
    void priorityAndTargetAccessFollowTheSpec() {
        VolumeCopy resource = volumeCopy(volumeSource("node-1", "db"));
        reconciler.reconcile(resource, null);

        resource.getSpec().setPriority(dev.copyservices.crds.common.CopyPriority.Lowest);
        resource.getSpec().setTargetReadOnly(false);
        reconciler.reconcile(resource, null);

        assertEquals(CopyPriority.COPY_PRIORITY_LOWEST, agent.copies.get("restore").getPriority());
        assertEquals(false, agent.copies.get("restore").getTargetReadOnly());
    }

    @Test
    void sourceAndTargetOnDifferentArraysAreRefusedWithoutCallingTheAgent() {
        VolumeCopy resource = volumeCopy(volumeSource("node-2", "db"));

        reconciler.reconcile(resource, null);

        assertEquals("DifferentArrays", ready(resource).getReason());
        assertTrue(ready(resource).getMessage().contains("To fix:"));
        assertEquals(List.of(), agent.calls);
    }

    @Test
    void aTargetThatIsInAnotherCopyIsReportedNotTakenOver() {
        agent.copies.put("restore", dev.copyservices.api.agent.v1.VolumeCopy.newBuilder().setSource("other").setTarget("restore")
                .setState(CopyState.COPY_COMPLETED).build());
        VolumeCopy resource = volumeCopy(volumeSource("node-1", "db"));

        reconciler.reconcile(resource, null);

        assertEquals("TargetInAnotherCopy", ready(resource).getReason());
        assertEquals("other", agent.copies.get("restore").getSource());
    }

    @Test
    void deletingARunningCopyStopsAndRemovesThePair() {
        VolumeCopy resource = volumeCopy(volumeSource("node-1", "db"));
        reconciler.reconcile(resource, null);

        assertTrue(reconciler.cleanup(resource, null).isRemoveFinalizer());

        assertTrue(agent.calls.containsAll(List.of("stopCopy restore", "removeCopy restore")), agent.calls.toString());
        assertTrue(agent.copies.isEmpty());
    }

    private static Condition ready(VolumeCopy resource) {
        return resource.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst().orElseThrow();
    }

    private static CopySource volumeSource(String array, String volume) {
        CopySource source = new CopySource();
        source.setArray(array);
        source.setVolume(volume);
        return source;
    }

    private static VolumeCopy volumeCopy(CopySource source) {
        VolumeCopy resource = new VolumeCopy();
        resource.setMetadata(new ObjectMetaBuilder().withName("restore").withNamespace("apps").withGeneration(1L).build());
        VolumeCopySpec spec = new VolumeCopySpec();
        spec.setSource(source);
        spec.setTarget(VolumeReference.ofVolume("node-1", "restore"));
        spec.setPriority(dev.copyservices.crds.common.CopyPriority.Medium);
        spec.setTargetReadOnly(true);
        spec.setStop(false);
        spec.setRecopyGeneration(0L);
        resource.setSpec(spec);
        return resource;
    }
}
