package dev.copyservices.csi.agent;

import java.util.List;
import java.util.Optional;

/** The agents named by --agent, fixed for the driver's life; on a node, the first is the node's own. */
public final class FixedAgents implements AgentSource {
    private final List<Agent> agents;

    public FixedAgents(List<? extends Agent> agents) {
        if (agents.isEmpty()) {
            throw new IllegalArgumentException("at least one agent is needed");
        }
        this.agents = List.copyOf(agents);
    }

    @Override
    public List<Agent> agents() {
        return agents;
    }

    @Override
    public Optional<Agent> local() {
        return Optional.of(agents.get(0));
    }

    @Override
    public String localMissingHint() {
        return "give this node's agent as the first --agent";
    }

    @Override
    public List<Agent> probed() {
        return agents;
    }

    @Override
    public String noAgentsHint() {
        return "give --agent";
    }

    @Override
    public String missingArrayHint() {
        return "start the driver with --agent for it";
    }
}
