package dev.copyservices.csi.agent;

import dev.copyservices.csi.common.CsiError;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The driver's agents (from --agent or the StorageArray resources), known by their array names:
 * volume and snapshot ids carry the array name, so any controller with the same agents resolves
 * them. An agent that could not be reached yet is asked for its name again on a later lookup, at
 * most once per retry interval: lookups are serialised, and an agent that does not answer must not
 * hold up every call. Agents that leave the source are forgotten.
 */
public final class Agents {
    private static final Duration RETRY_AFTER = Duration.ofSeconds(10);

    private final AgentSource source;
    private final Duration retryAfter;
    private final Map<Agent, String> arrayNames = new LinkedHashMap<>();
    private final Map<Agent, Long> lastFailure = new HashMap<>();

    public Agents(List<? extends Agent> agents) {
        this(new FixedAgents(agents), RETRY_AFTER);
    }

    public Agents(AgentSource source) {
        this(source, RETRY_AFTER);
    }

    Agents(AgentSource source, Duration retryAfter) {
        this.source = source;
        this.retryAfter = retryAfter;
    }

    Agents(List<? extends Agent> agents, Duration retryAfter) {
        this(new FixedAgents(agents), retryAfter);
    }

    /** Every agent whose array name is known, in the source's order, looking up those not yet known. */
    public synchronized Map<String, Agent> byArray() {
        List<Agent> agents = source.agents();
        Set<Agent> current = Set.copyOf(agents);
        arrayNames.keySet().retainAll(current);
        lastFailure.keySet().retainAll(current);
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
        for (Agent agent : agents) {
            String name = arrayNames.get(agent);
            if (name != null) {
                result.put(name, agent);
            }
        }
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
        if (known.size() < source.agents().size()) {
            throw new CsiError(CsiError.Code.UNAVAILABLE, "array '" + arrayName + "' is not among the agents that"
                    + " answer (" + String.join(", ", known.keySet()) + "), and some of " + endpoints()
                    + " do not answer; retry when they do");
        }
        throw new CsiError(CsiError.Code.NOT_FOUND, "array '" + arrayName + "' is not one of this driver's agents ("
                + endpoints() + "); " + source.missingArrayHint());
    }

    /** This node's own agent; UNAVAILABLE while it has none (yet). */
    public Agent local() {
        return source.local().orElseThrow(() -> new CsiError(CsiError.Code.UNAVAILABLE,
                "this node has no agent of its own yet; " + source.localMissingHint()));
    }

    public List<Agent> all() {
        return source.agents();
    }

    /** The agents Probe checks; FAILED_PRECONDITION saying what to do when there are none. */
    public List<Agent> probed() {
        List<Agent> probed = source.probed();
        if (probed.isEmpty()) {
            throw CsiError.precondition("not ready: " + source.noAgentsHint());
        }
        return probed;
    }

    public String endpoints() {
        String described = source.describe();
        return described.isEmpty() ? "none yet" : described;
    }
}
