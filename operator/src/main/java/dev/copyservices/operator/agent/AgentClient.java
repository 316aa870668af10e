package dev.copyservices.operator.agent;

import dev.copyservices.api.agent.v1.Array;
import dev.copyservices.api.agent.v1.CreateFlashCopyRequest;
import dev.copyservices.api.agent.v1.Event;
import dev.copyservices.api.agent.v1.FlashCopy;
import dev.copyservices.api.agent.v1.CopyPriority;
import dev.copyservices.api.agent.v1.CreateCopyRequest;
import dev.copyservices.api.agent.v1.EstablishRequest;
import dev.copyservices.api.agent.v1.Relationship;
import dev.copyservices.api.agent.v1.WithdrawResponse;
import dev.copyservices.api.agent.v1.UpdateCopiesRequest;
import dev.copyservices.api.agent.v1.UpdateFlashCopyRequest;
import dev.copyservices.api.agent.v1.VolumeCopy;
import java.util.function.Consumer;

/**
 * What the reconcilers ask of an agent, by endpoint. The gRPC implementation is {@link GrpcAgentClient};
 * unit tests of one reconciler use a fake.
 */
public interface AgentClient {
    Array getArray(String endpoint) throws AgentException;

    FlashCopy getFlashCopy(String endpoint, String name) throws AgentException;

    FlashCopy createFlashCopy(String endpoint, CreateFlashCopyRequest request) throws AgentException;

    FlashCopy disableFlashCopy(String endpoint, String name) throws AgentException;

    /** A new point in time, same names and export (also how a disabled FlashCopy comes back). */
    FlashCopy recreateFlashCopy(String endpoint, String name) throws AgentException;

    FlashCopy updateFlashCopy(String endpoint, UpdateFlashCopyRequest request) throws AgentException;

    /** Deletes the FlashCopy and its repository; connected NBD clients are disconnected. */
    void deleteFlashCopy(String endpoint, String name) throws AgentException;

    /** A Copy-mode relationship, named by its target volume. */
    Relationship getRelationship(String endpoint, String target) throws AgentException;

    /** Idempotent for the same source, target and options. */
    Relationship establish(String endpoint, EstablishRequest request) throws AgentException;

    /** A new point in time onto the same target (persistent relationships only). */
    Relationship reflash(String endpoint, String target) throws AgentException;

    /** Ends the relationship; without force it is refused while regions are not yet copied. */
    WithdrawResponse withdraw(String endpoint, String target, boolean force) throws AgentException;

    /** A VolumeCopy pair, named by its target volume. */
    VolumeCopy getCopy(String endpoint, String target) throws AgentException;

    /** Idempotent for the same source and target. */
    VolumeCopy createCopy(String endpoint, CreateCopyRequest request) throws AgentException;

    VolumeCopy stopCopy(String endpoint, String target) throws AgentException;

    VolumeCopy recopy(String endpoint, String target, CopyPriority priority) throws AgentException;

    VolumeCopy updateCopy(String endpoint, UpdateCopiesRequest request) throws AgentException;

    /** Removes the pair (refused while Pending or InProgress); the data stays on both volumes. */
    void removeCopy(String endpoint, String target) throws AgentException;

    /**
     * Follows the agent's event stream from after {@code afterSequence}: each event goes to
     * {@code onEvent}, and {@code onEnd} gets the failure (or null) once the stream ends. Closing the
     * returned handle ends the stream.
     */
    AutoCloseable watchEvents(String endpoint, long afterSequence, Consumer<Event> onEvent, Consumer<AgentException> onEnd);
}
