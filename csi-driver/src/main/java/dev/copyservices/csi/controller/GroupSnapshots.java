package dev.copyservices.csi.controller;

import static dev.copyservices.csi.controller.VolumeProvisioner.call;

import com.google.protobuf.Timestamp;
import dev.copyservices.api.agent.v1.CreateVolumeRequest;
import dev.copyservices.api.agent.v1.FlashCopyGroup;
import dev.copyservices.api.agent.v1.GroupPair;
import dev.copyservices.api.agent.v1.GroupState;
import dev.copyservices.api.agent.v1.Volume;
import dev.copyservices.api.agent.v1.VolumeCopy;
import dev.copyservices.csi.agent.Agent;
import dev.copyservices.csi.agent.AgentException;
import dev.copyservices.csi.agent.Agents;
import dev.copyservices.csi.agent.Names;
import dev.copyservices.csi.common.CsiError;
import dev.copyservices.csi.common.OperationLocks;
import dev.copyservices.csi.v1.Snapshot;
import dev.copyservices.csi.v1.VolumeGroupSnapshot;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Group snapshots: one FlashCopy group on the volumes' array, with a thin target volume per member,
 * flashed in Copy mode without background copy, so that every member shows the same write-order
 * consistent point in time. The group snapshot id is {@code <array>/<group name>}; each member is a
 * snapshot {@code <array>/<target name>}, restorable like any snapshot. Members go with their group:
 * they cannot be deleted one by one.
 */
public final class GroupSnapshots {
    private final Agents agents;
    private final VolumeOperations volumes;
    private final OperationLocks locks;

    public GroupSnapshots(Agents agents, VolumeOperations volumes, OperationLocks locks) {
        this.agents = agents;
        this.volumes = volumes;
        this.locks = locks;
    }

    public VolumeGroupSnapshot create(String requestName, List<String> sourceVolumeIds) {
        if (requestName.isEmpty()) {
            throw CsiError.invalid("name is missing; give the group snapshot a name (the CO's request name)");
        }
        if (sourceVolumeIds.isEmpty()) {
            throw CsiError.invalid("source_volume_ids are missing; give the volumes to snapshot together");
        }
        Set<String> sources = new LinkedHashSet<>(sourceVolumeIds);
        List<VolumeOperations.Found> found = new ArrayList<>();
        for (String id : sources) {
            found.add(volumes.find(id).orElseThrow(() -> CsiError.notFound("source volume '" + id + "' does not exist")));
        }
        Set<String> arrays = new TreeSet<>();
        found.forEach(f -> arrays.add(f.array()));
        if (arrays.size() > 1) {
            throw CsiError.invalid("the volumes are on several arrays " + arrays + "; a group snapshot is one FlashCopy"
                    + " group on one array, so snapshot the volumes of each array as a group of its own");
        }
        String array = arrays.iterator().next();
        Agent agent = found.get(0).agent();
        String group = Names.groupName(requestName);
        return locks.exclusive("group snapshot name " + requestName, () -> {
            Optional<FlashCopyGroup> existing = call("look up group snapshot " + requestName,
                    () -> agent.findGroup(group));
            if (existing.isPresent() && existing.get().getState() == GroupState.GROUP_TARGET_AVAILABLE) {
                Set<String> had = new TreeSet<>();
                existing.get().getPairsList().forEach(p -> had.add(Names.id(array, p.getSource())));
                if (!had.equals(new TreeSet<>(sources))) {
                    throw new CsiError(CsiError.Code.ALREADY_EXISTS, "group snapshot '" + requestName + "' exists of "
                            + had + ", not of " + new TreeSet<>(sources) + "; use another name");
                }
                return view(array, agent, existing.get());
            }
            // a first attempt that stopped half-way left a group without a flash: finish it
            if (existing.isEmpty()) {
                call("create FlashCopy group " + group, () -> {
                    agent.createGroup(group);
                    return null;
                });
            }
            Set<String> paired = new TreeSet<>();
            existing.ifPresent(g -> g.getPairsList().forEach(p -> paired.add(p.getSource())));
            for (VolumeOperations.Found source : found) {
                String target = Names.groupMemberName(requestName, Names.id(array, source.volume().getName()));
                call("create the member volume " + target, () -> agent.createVolume(CreateVolumeRequest.newBuilder()
                        .setName(target).setSizeBytes(source.volume().getSizeBytes())
                        .putAttributes(Names.GROUP_ATTRIBUTE, group).build()));
                if (!paired.contains(source.volume().getName())) {
                    call("add " + source.volume().getName() + " to group " + group, () -> {
                        agent.addPair(group, source.volume().getName(), target);
                        return null;
                    });
                }
            }
            FlashCopyGroup flashed = call("flash group " + group, () -> agent.flashGroup(group));
            return view(array, agent, flashed);
        });
    }

    public VolumeGroupSnapshot get(String groupSnapshotId) {
        Located located = locate(groupSnapshotId).orElseThrow(() -> CsiError.notFound("group snapshot '"
                + groupSnapshotId + "' does not exist"));
        return view(located.array(), located.agent(), located.group());
    }

    /** Ends the group's relationships and deletes it with its member volumes; a group not there is fine. */
    public void delete(String groupSnapshotId) {
        Optional<Located> located = locate(groupSnapshotId);
        if (located.isEmpty()) {
            return;
        }
        Agent agent = located.get().agent();
        FlashCopyGroup group = located.get().group();
        locks.exclusive(groupSnapshotId, () -> {
            for (GroupPair pair : group.getPairsList()) {
                for (VolumeCopy copy : call("list restores from " + pair.getTarget(), () -> agent.copiesOf(pair.getTarget()))) {
                    throw CsiError.precondition("member " + Names.id(located.get().array(), pair.getTarget())
                            + " is being restored onto '" + copy.getTarget() + "' (" + Math.round(copy.getCopiedPercent())
                            + "%); delete the group snapshot when the restore is complete");
                }
            }
            call("delete group snapshot " + groupSnapshotId, () -> {
                if (group.getState() != GroupState.GROUP_DEFINED) {
                    agent.terminateGroupForced(group.getName());
                }
                agent.deleteGroup(group.getName());
                for (GroupPair pair : group.getPairsList()) {
                    deleteIfThere(agent, pair.getTarget());
                }
                return null;
            });
        });
    }

    private static void deleteIfThere(Agent agent, String volume) throws AgentException {
        try {
            agent.deleteVolume(volume);
        } catch (AgentException e) {
            if (!e.notFound()) {
                throw e;
            }
        }
    }

    private record Located(String array, Agent agent, FlashCopyGroup group) {
    }

    private Optional<Located> locate(String groupSnapshotId) {
        if (groupSnapshotId.isEmpty()) {
            throw CsiError.invalid("group_snapshot_id is missing; give the id CreateVolumeGroupSnapshot returned");
        }
        Optional<Names.Ref> ref = Names.parse(groupSnapshotId).filter(r -> r.name().startsWith("gsnap-"));
        if (ref.isEmpty()) {
            return Optional.empty();
        }
        Optional<Agent> agent = agents.find(ref.get().array());
        if (agent.isEmpty()) {
            return Optional.empty();
        }
        return call("look up group snapshot " + groupSnapshotId, () -> agent.get().findGroup(ref.get().name()))
                .map(g -> new Located(ref.get().array(), agent.get(), g));
    }

    /** The member snapshots of a group as CSI snapshots; a member's size is its volume's. */
    static List<Snapshot> members(String array, Agent agent, FlashCopyGroup group) {
        List<Snapshot> snapshots = new ArrayList<>();
        for (GroupPair pair : group.getPairsList()) {
            long size = call("look up member " + pair.getTarget(), () -> agent.findVolume(pair.getTarget()))
                    .map(Volume::getSizeBytes).orElse(0L);
            Snapshot.Builder snapshot = Snapshot.newBuilder()
                    .setSnapshotId(Names.id(array, pair.getTarget()))
                    .setSourceVolumeId(Names.id(array, pair.getSource()))
                    .setSizeBytes(size)
                    .setReadyToUse(pair.hasRelationship())
                    .setGroupSnapshotId(Names.id(array, group.getName()));
            if (pair.hasFlashTime()) {
                snapshot.setCreationTime(pair.getFlashTime());
            }
            snapshots.add(snapshot.build());
        }
        return snapshots;
    }

    private static VolumeGroupSnapshot view(String array, Agent agent, FlashCopyGroup group) {
        Timestamp flashed = group.hasLastFlash() ? group.getLastFlash() : group.getCreated();
        return VolumeGroupSnapshot.newBuilder()
                .setGroupSnapshotId(Names.id(array, group.getName()))
                .addAllSnapshots(members(array, agent, group))
                .setCreationTime(flashed)
                .setReadyToUse(group.getState() == GroupState.GROUP_TARGET_AVAILABLE)
                .build();
    }

    /** A member volume of a group snapshot, as a snapshot; empty when the volume is not one. */
    static Optional<Snapshot> memberSnapshot(String array, Agent agent, Volume volume) {
        String group = volume.getAttributesMap().get(Names.GROUP_ATTRIBUTE);
        if (group == null) {
            return Optional.empty();
        }
        return call("look up group " + group, () -> agent.findGroup(group)).flatMap(g -> members(array, agent, g).stream()
                .filter(s -> s.getSnapshotId().equals(Names.id(array, volume.getName()))).findFirst());
    }
}
