package dev.copyservices.operator.flashcopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.api.agent.v1.FullPolicy;
import dev.copyservices.crds.common.VolumeReference;
import dev.copyservices.crds.flashcopy.FlashCopy;
import dev.copyservices.crds.flashcopy.FlashCopyMode;
import dev.copyservices.crds.flashcopy.FlashCopySpec;
import dev.copyservices.crds.flashcopy.RepositorySpec;
import dev.copyservices.operator.agent.AgentException;
import dev.copyservices.operator.agent.FakeAgentClient;
import dev.copyservices.operator.common.MutableClock;
import dev.copyservices.operator.common.RecordedEvents;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FlashCopyReconcilerTest {
    private final FakeAgentClient agent = new FakeAgentClient();
    private final RecordedEvents events = new RecordedEvents();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-06T10:00:00Z"));
    private final dev.copyservices.operator.common.FakeVolumeReferences pvcs = new dev.copyservices.operator.common.FakeVolumeReferences();
    private final FlashCopyReconciler reconciler = new FlashCopyReconciler(agent,
            array -> array.equals("node-1") ? Optional.of("10.0.0.1:7400") : Optional.empty(), pvcs, new FlashCopyExposure() {
                @Override
                public String expose(FlashCopy resource, String storageArray, String agentArrayName, String agentName,
                        long sizeBytes, String volumeMode) {
                    exposed.add(resource.getSpec().getExposeAs() + " " + agentArrayName + "/" + agentName);
                    return null;
                }

                @Override
                public void withdraw(FlashCopy resource) {
                    exposed.add("withdrawn");
                }
            }, events, clock);
    private final List<String> exposed = new java.util.ArrayList<>();
    private final String agentName = AgentNames.object("apps", "db-before-upgrade");

    @Test
    void theFirstReconcileCreatesTheFlashCopyWithTheRepositoryTheSpecAsksFor() {
        FlashCopy resource = flashCopy();
        resource.getSpec().setRepository(repository(10, 80, dev.copyservices.crds.flashcopy.FullPolicy.FailBaseWrites));

        reconciler.reconcile(resource, null);

        assertEquals(1, agent.creates.size());
        var request = agent.creates.get(0);
        assertEquals("db", request.getBase());
        assertEquals(agentName, request.getName());
        assertEquals(AgentNames.repository("apps", "db-before-upgrade"), request.getRepositoryName());
        assertEquals(10, request.getRepositoryPercent());
        assertEquals(80, request.getWarningThresholdPercent());
        assertEquals(FullPolicy.FAIL_BASE_WRITES, request.getFullPolicy());
        assertEquals("db-before-upgrade", request.getAttributesMap().get("kubernetes.name"));
        assertEquals("Optimal", resource.getStatus().getState());
        assertEquals(agentName, resource.getStatus().getArrayName());
        assertEquals("True", condition(resource, "Ready").getStatus());
        assertEquals("False", condition(resource, "RepositoryThresholdExceeded").getStatus());
        assertEquals(List.of("Normal Created"), events.recorded);
    }

    @Test
    void aNightlyScheduleTakesOnePointInTimeAtTwoAndWakesTheOperatorForTheNext() {
        FlashCopy resource = flashCopy();
        resource.getMetadata().setCreationTimestamp("2026-12-06T09:30:00Z");
        resource.getSpec().setSchedule("0 2 * * *");

        var first = reconciler.reconcile(resource, null);
        assertEquals(Optional.of(java.time.Duration.ofHours(16).plusSeconds(1).toMillis()), first.getScheduleDelay(),
                "woken at 02:00 tomorrow");
        String created = resource.getStatus().getPointInTime();

        clock.now = Instant.parse("2026-12-07T02:00:00Z");
        reconciler.reconcile(resource, null);
        clock.now = Instant.parse("2026-12-07T02:00:30Z");
        var again = reconciler.reconcile(resource, null);

        assertEquals(1, agent.calls.stream().filter(c -> c.startsWith("recreate")).count(), agent.calls.toString());
        assertEquals("2026-12-07T02:00:00Z", resource.getStatus().getLastScheduleTime());
        assertTrue(!created.equals(resource.getStatus().getPointInTime()), "the point in time moved");
        assertTrue(events.recorded.contains("Normal ScheduledFlash"), events.recorded.toString());
        assertTrue(again.getScheduleDelay().orElseThrow() > java.time.Duration.ofHours(23).toMillis());
    }

    @Test
    void aScheduleMissedWhileTheOperatorWasDownTakesOnePointInTimeNotOnePerMissedTime() {
        FlashCopy resource = flashCopy();
        resource.getMetadata().setCreationTimestamp("2026-12-01T09:30:00Z");
        resource.getSpec().setSchedule("@hourly");

        reconciler.reconcile(resource, null);
        reconciler.reconcile(resource, null);

        assertEquals(1, agent.calls.stream().filter(c -> c.startsWith("recreate")).count(), agent.calls.toString());
    }

    @Test
    void aScheduleThatIsNotCronIsReportedWithHowToWriteOne() {
        FlashCopy resource = flashCopy();
        resource.getSpec().setSchedule("0 25 * * *");

        reconciler.reconcile(resource, null);

        var ready = condition(resource, "Ready");
        assertEquals("InvalidSchedule", ready.getReason());
        assertTrue(ready.getMessage().contains("hour '25' is outside 0-23") && ready.getMessage().contains("@daily"),
                ready.getMessage());
    }

    @Test
    void exposeAsMakesTheClaimOfTheFlashCopyAndDeletingWithdrawsItFirst() {
        agent.array = agent.array.toBuilder().setName("site-a-node-1").build();
        FlashCopy resource = flashCopy();
        resource.getSpec().setExposeAs("db-yesterday");

        reconciler.reconcile(resource, null);
        assertEquals(List.of("db-yesterday site-a-node-1/" + agentName), exposed);
        assertEquals("True", condition(resource, "Exposed").getStatus());

        reconciler.cleanup(resource, null);
        assertEquals("withdrawn", exposed.get(exposed.size() - 1));
    }

    @Test
    void reconcilingAgainChangesNothingOnTheArray() {
        FlashCopy resource = flashCopy();
        reconciler.reconcile(resource, null);
        String pointInTime = resource.getStatus().getPointInTime();

        reconciler.reconcile(resource, null);

        assertEquals(List.of("get " + agentName, "create " + agentName, "get " + agentName), agent.calls);
        assertEquals(pointInTime, resource.getStatus().getPointInTime());
    }

    @Test
    void raisingFlashGenerationTakesOneNewPointInTime() {
        FlashCopy resource = flashCopy();
        reconciler.reconcile(resource, null);
        String first = resource.getStatus().getPointInTime();

        resource.getSpec().setFlashGeneration(1L);
        reconciler.reconcile(resource, null);
        reconciler.reconcile(resource, null);

        assertEquals(1, agent.calls.stream().filter(c -> c.startsWith("recreate")).count());
        assertFalse(first.equals(resource.getStatus().getPointInTime()));
        assertEquals(1L, resource.getStatus().getObservedFlashGeneration());
    }

    @Test
    void enabledFalseDisablesAndTrueAgainReCreates() {
        FlashCopy resource = flashCopy();
        reconciler.reconcile(resource, null);

        resource.getSpec().setEnabled(false);
        reconciler.reconcile(resource, null);
        assertEquals("Disabled", resource.getStatus().getState());
        assertEquals("Disabled", condition(resource, "Ready").getReason());

        resource.getSpec().setEnabled(true);
        reconciler.reconcile(resource, null);
        assertEquals("Optimal", resource.getStatus().getState());
        assertTrue(agent.calls.contains("recreate " + agentName));
    }

    @Test
    void aChangedThresholdOrFullPolicyIsAppliedToTheExistingRepository() {
        FlashCopy resource = flashCopy();
        reconciler.reconcile(resource, null);

        resource.getSpec().setRepository(repository(null, 70, dev.copyservices.crds.flashcopy.FullPolicy.FailFlashCopy));
        reconciler.reconcile(resource, null);

        assertTrue(agent.calls.contains("update " + agentName), agent.calls.toString());
        assertEquals(70, agent.flashCopies.get(agentName).getRepository().getWarningThresholdPercent());
    }

    @Test
    void aRepositoryOverItsThresholdRaisesTheConditionAndOneWarning() {
        FlashCopy resource = flashCopy();
        reconciler.reconcile(resource, null);
        agent.flashCopies.computeIfPresent(agentName, (n, fc) -> fc.toBuilder()
                .setRepository(fc.getRepository().toBuilder().setUsedPercent(61.234).setThresholdExceeded(true)).build());

        reconciler.reconcile(resource, null);
        reconciler.reconcile(resource, null);

        Condition threshold = condition(resource, "RepositoryThresholdExceeded");
        assertEquals("True", threshold.getStatus());
        assertTrue(threshold.getMessage().startsWith("61.23% of the repository"), threshold.getMessage());
        assertEquals(1, events.recorded.stream().filter(e -> e.equals("Warning RepositoryThresholdExceeded")).count());
    }

    @Test
    void wrongReferencesAreReportedWithWhatToDoAndChangeNothing() {
        FlashCopy unknownArray = flashCopy();
        unknownArray.getSpec().setSource(VolumeReference.ofVolume("node-9", "db"));
        reconciler.reconcile(unknownArray, null);
        assertEquals("ArrayNotFound", condition(unknownArray, "Ready").getReason());

        FlashCopy pvc = flashCopy();
        pvc.getSpec().setSource(VolumeReference.ofPvc("db-unbound"));
        reconciler.reconcile(pvc, null);
        assertEquals("PvcNotBound", condition(pvc, "Ready").getReason());

        FlashCopy across = copyMode(null);
        across.getSpec().setTarget(VolumeReference.ofVolume("node-2", "db-copy"));
        reconciler.reconcile(across, null);
        assertEquals("DifferentArrays", condition(across, "Ready").getReason());

        assertEquals(List.of(), agent.calls);
    }

    @Test
    void aPvcSourceIsFlashedAsTheVolumeItsPersistentVolumeHolds() {
        pvcs.bound.put("db-data", VolumeReference.ofVolume("node-1", "csi-abc"));
        FlashCopy resource = flashCopy();
        resource.getSpec().setSource(VolumeReference.ofPvc("db-data"));

        reconciler.reconcile(resource, null);

        assertEquals("csi-abc", agent.creates.get(0).getBase());
        assertEquals("True", condition(resource, "Ready").getStatus());
    }

    @Test
    void anAgentRefusalBecomesTheConditionWithTheAgentsReasonAndCorrection() {
        agent.failure = new AgentException("TooManyFlashcopies", "base db has 4 FlashCopies already", "delete one first");
        FlashCopy resource = flashCopy();

        reconciler.reconcile(resource, null);

        Condition ready = condition(resource, "Ready");
        assertEquals("TooManyFlashcopies", ready.getReason());
        assertEquals("base db has 4 FlashCopies already. To fix: delete one first", ready.getMessage());
    }

    @Test
    void deletingTheResourceDeletesTheFlashCopyAndWaitsWhileTheAgentCannotBeReached() {
        FlashCopy resource = flashCopy();
        reconciler.reconcile(resource, null);

        agent.failure = new AgentException("AgentUnreachable", "cannot reach", "start it");
        DeleteControl blocked = reconciler.cleanup(resource, null);
        assertFalse(blocked.isRemoveFinalizer(), "the finalizer stays while the FlashCopy is still on the array");

        agent.failure = null;
        assertTrue(reconciler.cleanup(resource, null).isRemoveFinalizer());
        assertFalse(agent.flashCopies.containsKey(agentName));
        assertTrue(reconciler.cleanup(resource, null).isRemoveFinalizer(), "already gone is fine");
    }

    @Test
    void copyModeEstablishesARelationshipOntoTheTargetAndReflashesOncePerGeneration() {
        dev.copyservices.crds.flashcopy.CopyOptions options = new dev.copyservices.crds.flashcopy.CopyOptions();
        options.setBackgroundCopy(true);
        options.setPersistent(true);
        options.setIncremental(true);
        FlashCopy resource = copyMode(options);

        reconciler.reconcile(resource, null);
        assertEquals("Copying", resource.getStatus().getState());
        assertEquals("db-copy", resource.getStatus().getArrayName());
        assertEquals("True", condition(resource, "Ready").getStatus());
        assertEquals("False", condition(resource, "BackgroundCopyComplete").getStatus());
        assertTrue(agent.relationships.get("db-copy").getOptions().getIncremental());

        resource.getSpec().setFlashGeneration(1L);
        reconciler.reconcile(resource, null);
        reconciler.reconcile(resource, null);
        assertEquals(1, agent.calls.stream().filter(c -> c.startsWith("reflash")).count());

        agent.relationships.computeIfPresent("db-copy", (t, r) -> r.toBuilder()
                .setState(dev.copyservices.api.agent.v1.RelationshipState.RELATIONSHIP_COPIED).setCopiedPercent(100).build());
        reconciler.reconcile(resource, null);
        assertEquals("True", condition(resource, "BackgroundCopyComplete").getStatus());
        assertTrue(events.recorded.contains("Normal Copied"));
    }

    @Test
    void anEndedNonPersistentRelationshipIsNotEstablishedAgainUntilTheGenerationGoesUp() {
        FlashCopy resource = copyMode(null);
        reconciler.reconcile(resource, null);
        agent.relationships.clear(); // its background copy completed and it ended by itself

        reconciler.reconcile(resource, null);
        assertEquals("RelationshipEnded", condition(resource, "Ready").getReason());
        assertEquals(1, agent.calls.stream().filter(c -> c.startsWith("establish")).count());

        resource.getSpec().setFlashGeneration(1L);
        reconciler.reconcile(resource, null);
        assertEquals(2, agent.calls.stream().filter(c -> c.startsWith("establish")).count());
    }

    @Test
    void deletingACopyModeFlashCopyWithdrawsOnlyWhenTheTargetIsCompleteUnlessForced() {
        FlashCopy resource = copyMode(null);
        reconciler.reconcile(resource, null);
        agent.uncopiedRegions = true;

        assertFalse(reconciler.cleanup(resource, null).isRemoveFinalizer(), "the safe-terminate rule holds the delete");
        assertTrue(agent.relationships.containsKey("db-copy"));
        assertTrue(events.recorded.contains("Warning RegionsNotCopied"));

        resource.getMetadata().setAnnotations(java.util.Map.of("copyservices.dev/force-withdraw", "true"));
        assertTrue(reconciler.cleanup(resource, null).isRemoveFinalizer());
        assertTrue(agent.calls.contains("withdraw db-copy --force"));
        assertTrue(events.recorded.contains("Warning TargetIncomplete"));
    }

    private static FlashCopy copyMode(dev.copyservices.crds.flashcopy.CopyOptions options) {
        FlashCopy resource = flashCopy();
        resource.getSpec().setMode(FlashCopyMode.Copy);
        resource.getSpec().setTarget(VolumeReference.ofVolume("node-1", "db-copy"));
        resource.getSpec().setCopyOptions(options);
        return resource;
    }

    private static Condition condition(FlashCopy resource, String type) {
        return resource.getStatus().getConditions().stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
    }

    private static RepositorySpec repository(Integer percent, int threshold, dev.copyservices.crds.flashcopy.FullPolicy policy) {
        RepositorySpec repository = new RepositorySpec();
        repository.setPercent(percent);
        repository.setWarningThresholdPercent(threshold);
        repository.setFullPolicy(policy);
        return repository;
    }

    private static FlashCopy flashCopy() {
        FlashCopy resource = new FlashCopy();
        resource.setMetadata(new ObjectMetaBuilder().withName("db-before-upgrade").withNamespace("apps").withGeneration(1L).build());
        FlashCopySpec spec = new FlashCopySpec();
        spec.setSource(VolumeReference.ofVolume("node-1", "db"));
        spec.setMode(FlashCopyMode.Snapshot);
        spec.setEnabled(true);
        spec.setFlashGeneration(0L);
        resource.setSpec(spec);
        return resource;
    }

    @Test
    void agentNamesFitThirtyCharactersAndDifferAcrossNamespaces() {
        String longName = "a-very-long-flashcopy-resource-name-indeed";
        assertTrue(AgentNames.object("ns", longName).length() <= 30);
        assertTrue(AgentNames.repository("ns", longName).length() <= 30);
        assertFalse(AgentNames.object("a", "db").equals(AgentNames.object("b", "db")));
        assertEquals(AgentNames.object("a", "db"), AgentNames.object("a", "db"));
        assertTrue(new Quantity("1Gi").getNumericalAmount().longValueExact() == 1L << 30);
    }
}
