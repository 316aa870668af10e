package dev.copyservices.operator.array;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.crds.array.StorageArray;
import dev.copyservices.operator.common.RecordedEvents;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AgentPodReconcilerTest {
    private final Map<String, StorageArray> stored = new HashMap<>();
    private final List<String> writes = new ArrayList<>();
    private final RecordedEvents events = new RecordedEvents();
    private final AgentPodReconciler reconciler = new AgentPodReconciler(new DiscoveredArrays() {
        @Override
        public Optional<StorageArray> get(String name) {
            return Optional.ofNullable(stored.get(name));
        }

        @Override
        public void create(StorageArray array) {
            writes.add("create " + array.getMetadata().getName() + " " + array.getSpec().getEndpoint());
            stored.put(array.getMetadata().getName(), array);
        }

        @Override
        public void update(String name, String endpoint, String site) {
            writes.add("update " + name + " " + endpoint);
            stored.get(name).getSpec().setEndpoint(endpoint);
        }
    }, events);

    @Test
    void aRunningAgentPodGetsAStorageArrayNamedAfterItsNodeWithItsControlPortAndSite() {
        reconciler.reconcile(pod("Running", "10.1.2.3", 7411), null);

        assertEquals(List.of("create node-3 10.1.2.3:7411"), writes);
        StorageArray array = stored.get("node-3");
        assertEquals("site-a", array.getSpec().getSite());
        assertEquals("agents/agent-abc", array.getMetadata().getAnnotations().get(AgentPodReconciler.DISCOVERED_FROM));
    }

    @Test
    void aPodThatIsNotRunningOrHasNoAddressCreatesNothing() {
        reconciler.reconcile(pod("Pending", null, 7411), null);
        reconciler.reconcile(pod("Running", null, 7411), null);

        assertEquals(List.of(), writes);
    }

    @Test
    void theDefaultControlPortAndIpv6AddressesMakeAValidEndpoint() {
        reconciler.reconcile(pod("Running", "fd00::7", null), null);

        assertEquals(List.of("create node-3 [fd00::7]:7400"), writes);
    }

    @Test
    void aDiscoveredArrayFollowsItsPodsNewAddressButAPersonsArrayIsLeftAlone() {
        reconciler.reconcile(pod("Running", "10.1.2.3", 7411), null);
        reconciler.reconcile(pod("Running", "10.1.2.9", 7411), null);
        assertEquals(List.of("create node-3 10.1.2.3:7411", "update node-3 10.1.2.9:7411"), writes);

        StorageArray own = AgentPodReconciler.storageArray("node-3", "192.0.2.1:7400", null, "x/y");
        own.getMetadata().setAnnotations(null);
        stored.put("node-3", own);
        reconciler.reconcile(pod("Running", "10.1.2.10", 7411), null);
        assertEquals(2, writes.size(), writes.toString());
        assertTrue(events.recorded.contains("Normal StorageArrayKept"), events.recorded.toString());
    }

    private static Pod pod(String phase, String ip, Integer port) {
        var container = new io.fabric8.kubernetes.api.model.ContainerBuilder().withName("agent").withImage("agent");
        if (port != null) {
            container.addNewPort().withName("control").withContainerPort(port).endPort();
        }
        return new PodBuilder().withNewMetadata().withNamespace("agents").withName("agent-abc")
                .withLabels(Map.of("app.kubernetes.io/component", "array-agent", "copyservices.dev/site", "site-a")).endMetadata()
                .withNewSpec().withNodeName("node-3").withContainers(container.build()).endSpec()
                .withNewStatus().withPhase(phase).withPodIP(ip).endStatus().build();
    }
}
