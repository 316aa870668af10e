package dev.copyservices.csi.agent;

import dev.copyservices.api.agent.v1.Array;
import dev.copyservices.api.agent.v1.CreateFlashCopyRequest;
import dev.copyservices.api.agent.v1.CreateVolumeRequest;
import dev.copyservices.api.agent.v1.FlashCopy;
import dev.copyservices.api.agent.v1.FlashCopyGroup;
import dev.copyservices.api.agent.v1.Relationship;
import dev.copyservices.api.agent.v1.Volume;
import dev.copyservices.api.agent.v1.VolumeCopy;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the driver asks of one array agent, in the agent's own terms. The gRPC implementation is
 * {@link GrpcAgent}; unit tests use an in-memory one.
 */
public interface Agent {
    /** host:port of the agent's control API, for messages. */
    String endpoint();

    Array array() throws AgentException;

    Volume createVolume(CreateVolumeRequest request) throws AgentException;

    Optional<Volume> findVolume(String name) throws AgentException;

    List<Volume> listVolumes(Map<String, String> attributeSelector) throws AgentException;

    Volume resizeVolume(String name, long sizeBytes) throws AgentException;

    void deleteVolume(String name) throws AgentException;

    /** Lets NBD clients of {@code host} at {@code addresses} open the volume's export (idempotent). */
    Volume attachVolume(String name, String host, List<String> addresses) throws AgentException;

    /** Ends the host's access to the volume's export; a host that is not attached is fine. */
    Volume detachVolume(String name, String host) throws AgentException;

    FlashCopy createFlashCopy(CreateFlashCopyRequest request) throws AgentException;

    Optional<FlashCopy> findFlashCopy(String name) throws AgentException;

    List<FlashCopy> listFlashCopies(String base) throws AgentException;

    void deleteFlashCopy(String name) throws AgentException;

    /** A Copy-mode FlashCopy from source onto target with background copy, ending by itself when copied. */
    Relationship establishClone(String source, String target) throws AgentException;

    /** Relationships with the volume as source or target. */
    List<Relationship> relationshipsOf(String volume) throws AgentException;

    /** Ends the relationship onto target at once, complete or not. */
    void withdrawForced(String target) throws AgentException;

    VolumeCopy createCopy(String source, String target) throws AgentException;

    Optional<VolumeCopy> findCopy(String target) throws AgentException;

    /** VolumeCopy pairs with the volume as source or target. */
    List<VolumeCopy> copiesOf(String volume) throws AgentException;

    void stopCopy(String target) throws AgentException;

    void removeCopy(String target) throws AgentException;

    /** A FlashCopy group (Copy mode, no background copy): its pairs are flashed at one point in time. */
    void createGroup(String name) throws AgentException;

    void addPair(String group, String source, String target) throws AgentException;

    FlashCopyGroup flashGroup(String name) throws AgentException;

    Optional<FlashCopyGroup> findGroup(String name) throws AgentException;

    /** Withdraws every pair's relationship at once, copied or not. */
    void terminateGroupForced(String name) throws AgentException;

    void deleteGroup(String name) throws AgentException;
}
