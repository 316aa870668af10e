package dev.copyservices.csi.agent;

import java.util.List;
import java.util.Optional;

/**
 * Where the driver's agents come from: the --agent flags ({@link FixedAgents}) or the cluster's
 * StorageArray resources ({@link StorageArrayAgents}), whose list changes while the driver runs.
 */
public interface AgentSource {
    /** The agents known now, in a stable order. */
    List<Agent> agents();

    /** This node's own agent (its array is the node's topology), if there is one yet. */
    Optional<Agent> local();

    /** What the node should do when it has no agent of its own, for the error message. */
    String localMissingHint();

    /** The agents Probe must reach for the driver to be ready. */
    List<Agent> probed();

    /** Why {@link #probed()} is empty and what to do, for Probe's answer. */
    String noAgentsHint();

    /** Where a missing array's agent would come from, said as an action for the error message. */
    String missingArrayHint();

    /** The agents' endpoints for messages and the start-up log line. */
    default String describe() {
        return String.join(", ", agents().stream().map(Agent::endpoint).toList());
    }
}
