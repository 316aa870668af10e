package dev.copyservices.csi.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.crds.array.StorageArray;
import dev.copyservices.crds.array.StorageArraySpec;
import dev.copyservices.csi.common.CsiError;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StorageArrayAgentsTest {
    private final List<String> connected = new ArrayList<>();

    /** An agent whose array name is the endpoint's host part, so tests can tell which one answers. */
    private Agent connect(String endpoint) {
        connected.add(endpoint);
        return new FakeAgent(endpoint.substring(0, endpoint.indexOf(':')));
    }

    private static StorageArray array(String name, String endpoint) {
        StorageArray array = new StorageArray();
        array.setMetadata(new ObjectMetaBuilder().withName(name).build());
        StorageArraySpec spec = new StorageArraySpec();
        spec.setEndpoint(endpoint);
        array.setSpec(spec);
        return array;
    }

    @Test
    void theNodesOwnAgentIsTheStorageArrayNamedAfterTheNode() {
        StorageArrayAgents source = new StorageArrayAgents("node-1", this::connect);
        source.put(array("node-0", "a:1"));
        assertEquals(Optional.empty(), source.local());
        assertEquals(List.of(), source.probed(), "a node without its own agent has nothing to be ready with");
        source.put(array("node-1", "b:1"));
        assertEquals("fake:b", source.local().orElseThrow().endpoint());
        assertEquals(List.of(source.local().orElseThrow()), source.probed());
        assertEquals(2, source.agents().size());
    }

    @Test
    void aChangedEndpointReplacesTheAgentAndTheSameOneKeepsIt() {
        StorageArrayAgents source = new StorageArrayAgents(null, this::connect);
        source.put(array("node-1", "a:1"));
        Agent first = source.agents().get(0);
        source.put(array("node-1", "a:1"));
        assertSame(first, source.agents().get(0), "an update that keeps the endpoint keeps the channel");
        source.put(array("node-1", "b:1"));
        assertEquals(List.of("a:1", "b:1"), connected);
        assertEquals(List.of("fake:b"), source.agents().stream().map(Agent::endpoint).toList());
        source.put(array("node-2", "c:1"));
        assertEquals(source.agents(), source.probed(), "a controller probes every agent");
    }

    @Test
    void aDeletedStorageArrayOrOneWithoutEndpointTakesItsAgentAway() {
        StorageArrayAgents source = new StorageArrayAgents(null, this::connect);
        source.put(array("node-1", "a:1"));
        source.put(array("node-2", "b:1"));
        source.remove("node-1");
        source.put(array("node-2", null));
        assertEquals(List.of(), source.agents());
    }

    @Test
    void agentsForgetsTheArraysOfAgentsThatLeftTheSource() {
        StorageArrayAgents source = new StorageArrayAgents(null, this::connect);
        Agents agents = new Agents(source);
        source.put(array("node-1", "a:1"));
        source.put(array("node-2", "b:1"));
        assertEquals(List.of("a", "b"), List.copyOf(agents.byArray().keySet()));
        source.put(array("node-2", "c:1"));
        assertEquals(List.of("a", "c"), List.copyOf(agents.byArray().keySet()));
        CsiError missing = assertThrows(CsiError.class, () -> agents.require("b"));
        assertEquals(CsiError.Code.NOT_FOUND, missing.code());
        assertTrue(missing.getMessage().contains("create a StorageArray"), missing.getMessage());
    }

    @Test
    void probeWithoutAnyAgentSaysWhatToDo() {
        Agents controller = new Agents(new StorageArrayAgents(null, this::connect));
        assertTrue(assertThrows(CsiError.class, controller::probed).getMessage().contains("no StorageArray resources"));
        Agents node = new Agents(new StorageArrayAgents("node-1", this::connect));
        CsiError noLocal = assertThrows(CsiError.class, node::local);
        assertEquals(CsiError.Code.UNAVAILABLE, noLocal.code());
        assertTrue(noLocal.getMessage().contains("no StorageArray named 'node-1'"), noLocal.getMessage());
    }
}
