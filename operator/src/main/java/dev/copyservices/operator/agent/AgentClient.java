package dev.copyservices.operator.agent;

import dev.copyservices.api.agent.v1.Array;
import dev.copyservices.api.agent.v1.Event;
import java.util.function.Consumer;

/**
 * What the reconcilers ask of an agent, by endpoint. The gRPC implementation is {@link GrpcAgentClient};
 * unit tests of one reconciler use a fake.
 */
public interface AgentClient {
    Array getArray(String endpoint) throws AgentException;

    /**
     * Follows the agent's event stream from after {@code afterSequence}: each event goes to
     * {@code onEvent}, and {@code onEnd} gets the failure (or null) once the stream ends. Closing the
     * returned handle ends the stream.
     */
    AutoCloseable watchEvents(String endpoint, long afterSequence, Consumer<Event> onEvent, Consumer<AgentException> onEnd);
}
