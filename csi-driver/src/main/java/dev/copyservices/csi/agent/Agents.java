package dev.copyservices.csi.agent;

import dev.copyservices.csi.common.CsiError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The agents the driver was given (--agent), known by their array names: volume and snapshot ids
 * carry the array name, so any controller with the same agents resolves them. An agent that could
 * not be reached yet is asked for its name again on a later lookup, at most once per retry interval:
 * lookups are serialised, and an agent that does not answer must not hold up every call.
 */
public final class Agents {
    private static final Duration RETRY_AFTER = Duration.ofSeconds(10);

    private final List<Agent> agents;
    private final Duration retryAfter;
    private final Map<Agent, String> arrayNames = new LinkedHashMap<>();
    private final Map<Agent, Long> lastFailure = new HashMap<>();

    public Agents(List<? extends Agent> agents) {
        this(agents, RETRY_AFTER);
    }

    Agents(List<? extends Agent> agents, Duration retryAfter) {
        if (agents.isEmpty()) {
            throw new IllegalArgumentException("at least one agent is needed");
        }
        this.agents = List.copyOf(agents);
        this.retryAfter = retryAfter;
    }

    /** Every agent whose array name is known, in --agent order, looking up those not yet known. */
    public synchronized Map<String, Agent> byArray() {
        for (Agent agent : agents) {
            Long failed = lastFailure.get(agent);
            boolean wait = failed != null && System.nanoTime() - failed < retryAfter.toNanos();
            if (!arrayNames.containsKey(agent) && !wait) {
                try {
                    String name = agent.array().getName();
                    if (arrayNames.containsValue(name)) {
                        throw CsiError.precondition("the agents at " + agent.endpoint() + " and "
                                + endpointOf(name) + " both call their array '" + name
                                + "'; give every agent its own --name");
                    }
                    arrayNames.put(agent, name);
                    lastFailure.remove(agent);
                } catch (AgentException unreachable) {
                    lastFailure.put(agent, System.nanoTime());
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

    /**
     * The agent of an array named in an id: NOT_FOUND when every agent answered and none is that
     * array, UNAVAILABLE while an agent that might be it does not answer.
     */
    public Agent require(String arrayName) {
        Map<String, Agent> known = byArray();
        Agent agent = known.get(arrayName);
        if (agent != null) {
            return agent;
        }
        if (known.size() < agents.size()) {
            throw new CsiError(CsiError.Code.UNAVAILABLE, "array '" + arrayName + "' is not among the agents that"
                    + " answer (" + String.join(", ", known.keySet()) + "), and some of " + endpoints()
                    + " do not answer; retry when they do");
        }
        throw new CsiError(CsiError.Code.NOT_FOUND, "array '" + arrayName + "' is not one of this driver's agents ("
                + endpoints() + "); start the driver with --agent for it");
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
