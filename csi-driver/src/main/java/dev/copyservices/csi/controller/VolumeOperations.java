package dev.copyservices.csi.controller;

import static dev.copyservices.csi.controller.VolumeProvisioner.call;

import dev.copyservices.api.agent.v1.CopyState;
import dev.copyservices.api.agent.v1.FlashCopy;
import dev.copyservices.api.agent.v1.Relationship;
import dev.copyservices.api.agent.v1.VolumeCopy;
import dev.copyservices.api.agent.v1.VolumeKind;
import dev.copyservices.csi.agent.Agent;
import dev.copyservices.csi.agent.AgentException;
import dev.copyservices.csi.agent.Agents;
import dev.copyservices.csi.agent.Names;
import dev.copyservices.csi.common.CsiError;
import dev.copyservices.csi.common.OperationLocks;
import dev.copyservices.csi.common.VolumeCapabilities;
import dev.copyservices.csi.v1.CapacityRange;
import dev.copyservices.csi.v1.Topology;
import dev.copyservices.csi.v1.Volume;
import dev.copyservices.csi.v1.VolumeCapability;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** DeleteVolume, ControllerExpandVolume, ValidateVolumeCapabilities, ListVolumes and GetCapacity. */
public final class VolumeOperations {
    private final Agents agents;
    private final OperationLocks locks;
    private final Duration disconnectWait;

    public VolumeOperations(Agents agents, OperationLocks locks) {
        this(agents, locks, Duration.ofSeconds(10));
    }

    VolumeOperations(Agents agents, OperationLocks locks, Duration disconnectWait) {
        this.agents = agents;
        this.locks = locks;
        this.disconnectWait = disconnectWait;
    }

    /** An agent volume a CSI volume id names, with its array; NOT_FOUND when there is none. */
    record Found(String array, Agent agent, dev.copyservices.api.agent.v1.Volume volume) {
    }

    Optional<Found> find(String volumeId) {
        Optional<Names.Ref> ref = Names.parse(volumeId);
        if (ref.isEmpty()) {
            return Optional.empty();
        }
        Agent agent = agents.require(ref.get().array());
        return call("look up volume " + volumeId, () -> agent.findVolume(ref.get().name()))
                .filter(v -> v.getKind() == VolumeKind.STANDARD && !v.containsAttributes(Names.GROUP_ATTRIBUTE))
                .map(v -> new Found(ref.get().array(), agent, v));
    }

    Found require(String volumeId) {
        return find(volumeId).orElseThrow(() -> CsiError.notFound("volume '" + volumeId + "' does not exist"));
    }

    private static void requireId(String volumeId) {
        if (volumeId.isEmpty()) {
            throw CsiError.invalid("volume_id is missing; give the id CreateVolume returned");
        }
    }

    /**
     * Deletes a volume; a volume that is not there counts as deleted. Refused while it has snapshots
     * (a FlashCopy cannot outlive its base) or is the source of a clone still copying. A clone or a
     * restore still filling the volume itself is ended first: its content goes anyway.
     */
    public void delete(String volumeId) {
        requireId(volumeId);
        locks.exclusive(volumeId, () -> {
            Optional<Found> found = find(volumeId);
            if (found.isEmpty()) {
                return;
            }
            Agent agent = found.get().agent();
            String name = found.get().volume().getName();
            List<FlashCopy> snapshots = call("list the snapshots of " + volumeId, () -> agent.listFlashCopies(name));
            if (!snapshots.isEmpty()) {
                throw CsiError.precondition("volume '" + volumeId + "' has " + snapshots.size() + " snapshot(s) ("
                        + String.join(", ", snapshots.stream().map(FlashCopy::getName).toList())
                        + "); a snapshot cannot outlive its volume here, so delete the snapshots first");
            }
            for (Relationship r : call("list the clones of " + volumeId, () -> agent.relationshipsOf(name))) {
                if (r.getSource().equals(name) && !r.getGroup().isEmpty()) {
                    throw CsiError.precondition("volume '" + volumeId + "' is in group snapshot "
                            + Names.id(found.get().array(), r.getGroup()) + "; delete the group snapshot first");
                }
                if (r.getSource().equals(name)) {
                    throw CsiError.precondition("volume '" + volumeId + "' is the source of clone '" + r.getTarget()
                            + "', still copying (" + Math.round(r.getCopiedPercent()) + "%); delete it when the clone is"
                            + " complete, or delete the clone first");
                }
                call("end the clone onto " + volumeId, () -> {
                    try {
                        agent.withdrawForced(name);
                    } catch (AgentException e) {
                        if (!e.notFound()) { // a clone that completed meanwhile ended by itself
                            throw e;
                        }
                    }
                    return null;
                });
            }
            for (VolumeCopy copy : call("list the copies of " + volumeId, () -> agent.copiesOf(name))) {
                if (!copy.getTarget().equals(name)) {
                    throw CsiError.precondition("volume '" + volumeId + "' is the source of a copy onto '"
                            + copy.getTarget() + "'; delete it when the copy is complete");
                }
                call("end the restore onto " + volumeId, () -> {
                    try {
                        if (copy.getState() == CopyState.COPY_IN_PROGRESS || copy.getState() == CopyState.COPY_PENDING) {
                            agent.stopCopy(name);
                        }
                        agent.removeCopy(name);
                    } catch (AgentException e) {
                        if (!e.notFound()) { // a restore that finished meanwhile was removed by its CreateVolume
                            throw e;
                        }
                    }
                    return null;
                });
            }
            awaitDisconnected(agent, name);
            call("delete volume " + volumeId, () -> {
                agent.deleteVolume(name);
                return null;
            });
        });
    }

    /**
     * A node's NBD client goes away shortly after NodeUnstage answers (nbdfuse exits, the agent sees
     * the socket close), and a CO deletes right after unstaging: wait for the connections to end,
     * with a deadline, before asking the agent. A volume still attached somewhere stays refused.
     */
    private void awaitDisconnected(Agent agent, String name) {
        long deadline = System.nanoTime() + disconnectWait.toNanos();
        while (call("look up volume " + name, () -> agent.findVolume(name))
                .map(v -> v.getNbdConnections() > 0).orElse(false) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CsiError(CsiError.Code.ABORTED, "interrupted while deleting " + name + "; retry");
            }
        }
    }

    /** Grows a volume to the requested capacity; asking for its size or less changes nothing. */
    public long expand(String volumeId, CapacityRange range) {
        requireId(volumeId);
        if (range.getRequiredBytes() <= 0 && range.getLimitBytes() <= 0) {
            throw CsiError.invalid("capacity_range is missing; give the new size as required_bytes");
        }
        return locks.exclusive(volumeId, () -> {
            Found found = require(volumeId);
            long current = found.volume().getSizeBytes();
            if (range.getLimitBytes() > 0 && current > range.getLimitBytes()) {
                throw new CsiError(CsiError.Code.OUT_OF_RANGE, "volume '" + volumeId + "' already has " + current
                        + " bytes, more than limit_bytes " + range.getLimitBytes() + "; volumes do not shrink");
            }
            if (current >= range.getRequiredBytes()) {
                return current;
            }
            long size = Capacity.size(range);
            return call("grow volume " + volumeId, () -> found.agent().resizeVolume(found.volume().getName(), size))
                    .getSizeBytes();
        });
    }

    /** The capabilities confirmed when the driver serves every one of them, else why not. */
    public Optional<String> validate(String volumeId, List<VolumeCapability> capabilities) {
        requireId(volumeId);
        if (capabilities.isEmpty()) {
            throw CsiError.invalid("volume_capabilities are missing; give the capabilities to check");
        }
        require(volumeId);
        for (VolumeCapability capability : capabilities) {
            Optional<String> why = VolumeCapabilities.unsupported(capability);
            if (why.isPresent()) {
                return why;
            }
        }
        return Optional.empty();
    }

    /** Every volume the driver created on every reachable array, ordered by id. */
    public List<Volume> list() {
        List<Volume> all = new ArrayList<>();
        for (Map.Entry<String, Agent> entry : agents.byArray().entrySet()) {
            for (dev.copyservices.api.agent.v1.Volume v : call("list volumes on " + entry.getKey(),
                    () -> entry.getValue().listVolumes(Map.of()))) {
                if (v.getKind() == VolumeKind.STANDARD && v.containsAttributes(Names.REQUEST_NAME_ATTRIBUTE)) {
                    all.add(VolumeViews.of(entry.getKey(), v));
                }
            }
        }
        all.sort((a, b) -> a.getVolumeId().compareTo(b.getVolumeId()));
        return all;
    }

    /** Free bytes of the pools of the arrays in the topology (all of them without one). */
    public long capacity(Topology topology) {
        String array = topology.getSegmentsMap().get(Names.TOPOLOGY_KEY);
        long free = 0;
        for (Map.Entry<String, Agent> entry : agents.byArray().entrySet()) {
            if (array == null || array.equals(entry.getKey())) {
                free += call("read the capacity of " + entry.getKey(), () -> entry.getValue().array())
                        .getCapacity().getPoolFreeBytes();
            }
        }
        return free;
    }
}
