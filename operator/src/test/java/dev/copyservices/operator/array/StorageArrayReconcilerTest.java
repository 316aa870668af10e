package dev.copyservices.operator.array;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.api.agent.v1.Array;
import dev.copyservices.api.agent.v1.Capacity;
import dev.copyservices.api.agent.v1.Counts;
import dev.copyservices.crds.array.Feature;
import dev.copyservices.crds.array.StorageArray;
import dev.copyservices.crds.array.StorageArraySpec;
import dev.copyservices.operator.agent.AgentException;
import dev.copyservices.operator.agent.FakeAgentClient;
import dev.copyservices.operator.common.MutableClock;
import dev.copyservices.operator.common.RecordedEvents;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class StorageArrayReconcilerTest {
    private final FakeAgentClient agent = new FakeAgentClient();
    private final RecordedEvents events = new RecordedEvents();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-06T10:00:00Z"));
    private final List<String> adopted = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final StorageArrayReconciler reconciler = new StorageArrayReconciler(agent, events,
            array -> adopted.add(array.getMetadata().getName()), clock);

    @Test
    void aReachableAgentFillsTheStatusAndTurnsReady() {
        StorageArray resource = storageArray("site-a");
        agent.array = array("site-a", "flashcopy", "volumecopy", "mirror");

        reconciler.reconcile(resource, null);

        assertEquals("id-1", resource.getStatus().getArrayId());
        assertEquals(3, resource.getStatus().getCounts().volumes);
        assertEquals(1000L, resource.getStatus().getCapacity().poolTotalBytes);
        assertEquals(7L, resource.getStatus().getObservedGeneration());
        Condition ready = ready(resource);
        assertEquals("True", ready.getStatus());
        assertEquals("AgentReady", ready.getReason());
        assertEquals(List.of("Normal AgentReady"), events.recorded);
    }

    @Test
    void secondariesAreAdoptedOnlyWhenTheAgentHoldsMirrors() {
        StorageArray resource = storageArray("site-a");
        agent.array = array("site-a");
        reconciler.reconcile(resource, null);
        assertEquals(List.of(), adopted, "no mirrors on the agent: nothing to list");

        agent.array = agent.array.toBuilder().setCounts(agent.array.getCounts().toBuilder().setMirrors(2)).build();
        reconciler.reconcile(resource, null);
        assertEquals(List.of("node-1"), adopted);
    }

    @Test
    void anUnreachableAgentTurnsReadyFalseWithItsHintAndOneWarningEvent() {
        StorageArray resource = storageArray(null);
        agent.array = array("site-a");
        reconciler.reconcile(resource, null);
        agent.failure = new AgentException("AgentUnreachable", "cannot reach the agent at 10.0.0.1:7400", "check that it runs");

        reconciler.reconcile(resource, null);
        reconciler.reconcile(resource, null);

        Condition ready = ready(resource);
        assertEquals("False", ready.getStatus());
        assertEquals("AgentUnreachable", ready.getReason());
        assertEquals("cannot reach the agent at 10.0.0.1:7400. To fix: check that it runs", ready.getMessage());
        assertEquals("id-1", resource.getStatus().getArrayId(), "what was last seen stays");
        assertEquals(List.of("Normal AgentReady", "Warning AgentUnreachable"), events.recorded, "one Event per change, not per reconcile");
    }

    @Test
    void anAgentOfAnotherSiteIsNotReady() {
        StorageArray resource = storageArray("site-b");
        agent.array = array("site-a");

        reconciler.reconcile(resource, null);

        assertEquals("SiteMismatch", ready(resource).getReason());
        assertTrue(ready(resource).getMessage().contains("start the agent with --site site-b"), ready(resource).getMessage());
    }

    @Test
    void aFeatureTheSpecNeedsButTheAgentHasTurnedOffIsReported() {
        StorageArray resource = storageArray(null);
        resource.getSpec().setFeatures(List.of(Feature.FlashCopy, Feature.RemoteMirror));
        agent.array = array("site-a", "flashcopy", "volumecopy");

        reconciler.reconcile(resource, null);

        assertEquals("FeatureDisabled", ready(resource).getReason());
        assertTrue(ready(resource).getMessage().contains("--disable-feature mirror"), ready(resource).getMessage());
    }

    @Test
    void aSteadyReadyConditionKeepsItsTransitionTime() {
        StorageArray resource = storageArray(null);
        agent.array = array("site-a");
        reconciler.reconcile(resource, null);
        String first = ready(resource).getLastTransitionTime();

        clock.now = clock.now.plusSeconds(60);
        reconciler.reconcile(resource, null);

        assertEquals(first, ready(resource).getLastTransitionTime());
        assertEquals("2026-12-06T10:01:00Z", resource.getStatus().getLastSeen());
    }

    private static Condition ready(StorageArray resource) {
        return resource.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst().orElseThrow();
    }

    private static StorageArray storageArray(String site) {
        StorageArray resource = new StorageArray();
        resource.setMetadata(new ObjectMetaBuilder().withName("node-1").withGeneration(7L).build());
        StorageArraySpec spec = new StorageArraySpec();
        spec.setEndpoint("10.0.0.1:7400");
        spec.setSite(site);
        resource.setSpec(spec);
        return resource;
    }

    private static Array array(String site, String... features) {
        return Array.newBuilder().setId("id-1").setName("node-1").setSite(site)
                .setCapacity(Capacity.newBuilder().setPoolTotalBytes(1000).setPoolFreeBytes(400))
                .setCounts(Counts.newBuilder().setVolumes(3))
                .addAllEnabledFeatures(List.of(features))
                .build();
    }
}
