package dev.copyservices.csi.agent;

import dev.copyservices.csi.common.CsiError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The agents the driver was given (--agent), known by their array names: volume and snapshot ids
 * carry the array name, so any controller with the same agents resolves them. An agent that could
 * not be reached yet is asked for its name again whenever a name is looked up.
 */
public final class Agents {
    private final List<Agent> agents;
    private final Map<Agent, String> arrayNames = new LinkedHashMap<>();

    public Agents(List<? extends Agent> agents) {
        if (agents.isEmpty()) {
            throw new IllegalArgumentException("at least one agent is needed");
        }
        this.agents = List.copyOf(agents);
    }

    /** Every agent whose array name is known, in --agent order, looking up those not yet known. */
    public synchronized Map<String, Agent> byArray() {
        for (Agent agent : agents) {
            if (!arrayNames.containsKey(agent)) {
                try {
                    String name = agent.array().getName();
                    if (arrayNames.containsValue(name)) {
                        throw CsiError.precondition("the agents at " + agent.endpoint() + " and "
                                + endpointOf(name) + " both call their array '" + name
                                + "'; give every agent its own --name");
                    }
                    arrayNames.put(agent, name);
                } catch (AgentException unreachable) {
                    // asked again on the next lookup
                }
            }
        }
        Map<String, Agent> result = new LinkedHashMap<>();
        arrayNames.forEach((agent, name) -> result.put(name, agent));
        return result;
    }

    private String endpointOf(String arrayName) {
        return arrayNames.entrySet().stream().filter(e -> e.getValue().equals(arrayName)).map(e -> e.getKey().endpoint())
                .findFirst().orElse("?");
    }

    public Optional<Agent> find(String arrayName) {
        return Optional.ofNullable(byArray().get(arrayName));
    }

    /** The agent of an array named in an id; FAILED_PRECONDITION when the driver does not know it. */
    public Agent require(String arrayName) {
        return find(arrayName).orElseThrow(() -> new CsiError(CsiError.Code.NOT_FOUND, "array '" + arrayName
                + "' is not one of this driver's agents (" + endpoints() + ") or is not reachable;"
                + " start the driver with --agent for it"));
    }

    /** The first agent given: on a node, the agent of that node. */
    public Agent first() {
        return agents.get(0);
    }

    public List<Agent> all() {
        return agents;
    }

    public String endpoints() {
        List<String> list = new ArrayList<>();
        agents.forEach(a -> list.add(a.endpoint()));
        return String.join(", ", list);
    }
}
