package dev.copyservices.operator.agent;

import dev.copyservices.api.agent.v1.CreateMirrorRequest;
import dev.copyservices.api.agent.v1.Mirror;
import dev.copyservices.api.agent.v1.MirrorRole;
import dev.copyservices.api.agent.v1.MirrorsResponse;
import dev.copyservices.api.agent.v1.UpdateMirrorsRequest;
import java.util.List;

/**
 * The remote-mirror calls of an agent, by endpoint; a mirror member is named by its local volume.
 * {@link GrpcAgentClient} implements it; unit tests of one reconciler use a fake.
 */
public interface MirrorClient {
    Mirror getMirror(String endpoint, String volume) throws AgentException;

    List<Mirror> listMirrors(String endpoint) throws AgentException;

    /** On the primary's agent; idempotent for the same primary, peer and secondary. */
    Mirror createMirror(String endpoint, CreateMirrorRequest request) throws AgentException;

    /** Suspends the member's whole consistency group (or the member alone when it has none). */
    MirrorsResponse suspendMirror(String endpoint, String volume) throws AgentException;

    /** Resumes the member's whole consistency group: only changed regions are copied. */
    MirrorsResponse resumeMirror(String endpoint, String volume) throws AgentException;

    /** Settings are the primary's: the secondary's agent refuses them. */
    Mirror updateMirror(String endpoint, UpdateMirrorsRequest request) throws AgentException;

    /** Ends the mirror from this side; the data stays on both volumes. */
    MirrorsResponse removeMirror(String endpoint, String volume) throws AgentException;

    /** Promote or demote; with the peer unreachable only with force. */
    Mirror changeRole(String endpoint, String volume, MirrorRole role, boolean force) throws AgentException;
}
