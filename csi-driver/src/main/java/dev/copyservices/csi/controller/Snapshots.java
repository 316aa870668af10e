package dev.copyservices.csi.controller;

import static dev.copyservices.csi.controller.VolumeProvisioner.call;

import com.google.protobuf.Timestamp;
import dev.copyservices.api.agent.v1.CreateFlashCopyRequest;
import dev.copyservices.api.agent.v1.FlashCopy;
import dev.copyservices.api.agent.v1.FlashCopyState;
import dev.copyservices.api.agent.v1.VolumeCopy;
import dev.copyservices.csi.agent.Agent;
import dev.copyservices.csi.agent.Agents;
import dev.copyservices.csi.agent.Names;
import dev.copyservices.csi.common.CsiError;
import dev.copyservices.csi.common.OperationLocks;
import dev.copyservices.csi.v1.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * CSI snapshots are the agents' Snapshot-mode FlashCopies: taken in constant time, ready at once,
 * kept by copy-on-write into a repository. The repository defaults to 100% of the base so that a
 * snapshot cannot fail for lack of space however much the volume is rewritten (it is thin, so it
 * takes only what is copied); the snapshot class parameter {@value #REPOSITORY_PERCENT} changes it.
 */
public final class Snapshots {
    static final String REPOSITORY_PERCENT = "repositoryPercent";
    private static final int DEFAULT_REPOSITORY_PERCENT = 100;

    private final Agents agents;
    private final VolumeOperations volumes;
    private final OperationLocks locks;

    public Snapshots(Agents agents, VolumeOperations volumes, OperationLocks locks) {
        this.agents = agents;
        this.volumes = volumes;
        this.locks = locks;
    }

    public Snapshot create(String sourceVolumeId, String requestName, Map<String, String> parameters) {
        if (requestName.isEmpty()) {
            throw CsiError.invalid("name is missing; give the snapshot a name (the CO's request name)");
        }
        if (sourceVolumeId.isEmpty()) {
            throw CsiError.invalid("source_volume_id is missing; give the id of the volume to snapshot");
        }
        int percent = repositoryPercent(parameters);
        String name = Names.snapshotName(requestName);
        return locks.exclusive("snapshot name " + requestName, () -> {
            for (Map.Entry<String, Agent> entry : agents.byArray().entrySet()) {
                Optional<FlashCopy> existing = call("look up snapshot " + requestName,
                        () -> entry.getValue().findFlashCopy(name));
                if (existing.isPresent()) {
                    String source = Names.id(entry.getKey(), existing.get().getBase());
                    if (!source.equals(sourceVolumeId)) {
                        throw new CsiError(CsiError.Code.ALREADY_EXISTS, "snapshot '" + requestName + "' exists of"
                                + " volume " + source + ", not of " + sourceVolumeId + "; use another name");
                    }
                    return view(entry.getKey(), existing.get());
                }
            }
            VolumeOperations.Found base = volumes.find(sourceVolumeId).orElseThrow(() -> CsiError.notFound(
                    "source volume '" + sourceVolumeId + "' does not exist"));
            return locks.exclusive(sourceVolumeId, () -> {
                FlashCopy created = call("snapshot volume " + sourceVolumeId, () -> base.agent().createFlashCopy(
                        CreateFlashCopyRequest.newBuilder().setBase(base.volume().getName()).setName(name)
                                .setRepositoryName(Names.repositoryName(name)).setRepositoryPercent(percent)
                                .putAttributes(Names.REQUEST_NAME_ATTRIBUTE, requestName).build()));
                return view(base.array(), created);
            });
        });
    }

    private static int repositoryPercent(Map<String, String> parameters) {
        String value = parameters.get(REPOSITORY_PERCENT);
        if (value == null) {
            return DEFAULT_REPOSITORY_PERCENT;
        }
        try {
            int percent = Integer.parseInt(value);
            if (percent >= 1 && percent <= 1000) {
                return percent;
            }
        } catch (NumberFormatException ignored) {
            // refused below
        }
        throw CsiError.invalid("parameter " + REPOSITORY_PERCENT + "='" + value + "' is not a whole percent from 1 to"
                + " 1000 of the volume's size");
    }

    /** Deletes a snapshot; one that is not there counts as deleted. Refused while a restore reads it. */
    public void delete(String snapshotId) {
        if (snapshotId.isEmpty()) {
            throw CsiError.invalid("snapshot_id is missing; give the id CreateSnapshot returned");
        }
        Optional<Names.Ref> ref = Names.parse(snapshotId);
        if (ref.isEmpty()) {
            return;
        }
        Agent agent = agents.require(ref.get().array());
        locks.exclusive(snapshotId, () -> {
            Optional<FlashCopy> flashCopy = call("look up snapshot " + snapshotId,
                    () -> agent.findFlashCopy(ref.get().name()));
            if (flashCopy.isEmpty()) {
                Optional<String> group = call("look up snapshot " + snapshotId, () -> agent.findVolume(ref.get().name()))
                        .map(v -> v.getAttributesMap().get(Names.GROUP_ATTRIBUTE));
                if (group.isPresent()) {
                    throw CsiError.precondition("snapshot '" + snapshotId + "' is a member of group snapshot "
                            + Names.id(ref.get().array(), group.get()) + "; members go with their group, so delete"
                            + " the group snapshot");
                }
                return;
            }
            for (VolumeCopy copy : call("list restores from " + snapshotId, () -> agent.copiesOf(ref.get().name()))) {
                throw CsiError.precondition("snapshot '" + snapshotId + "' is being restored onto '" + copy.getTarget()
                        + "' (" + Math.round(copy.getCopiedPercent()) + "%); delete it when the restore is complete");
            }
            call("delete snapshot " + snapshotId, () -> {
                agent.deleteFlashCopy(ref.get().name());
                return null;
            });
        });
    }

    /** Snapshots the driver created, by id or of a source volume when given, ordered by id. */
    public List<Snapshot> list(String snapshotId, String sourceVolumeId) {
        List<Snapshot> result = new ArrayList<>();
        if (!snapshotId.isEmpty()) {
            Optional<Names.Ref> ref = Names.parse(snapshotId);
            if (ref.isEmpty()) {
                return result;
            }
            Optional<Agent> agent = agents.find(ref.get().array());
            if (agent.isEmpty()) {
                return result;
            }
            call("look up snapshot " + snapshotId, () -> agent.get().findFlashCopy(ref.get().name()))
                    .map(f -> view(ref.get().array(), f))
                    .or(() -> call("look up snapshot " + snapshotId, () -> agent.get().findVolume(ref.get().name()))
                            .flatMap(v -> GroupSnapshots.memberSnapshot(ref.get().array(), agent.get(), v)))
                    .filter(s -> sourceVolumeId.isEmpty() || s.getSourceVolumeId().equals(sourceVolumeId))
                    .ifPresent(result::add);
            return result;
        }
        for (Map.Entry<String, Agent> entry : agents.byArray().entrySet()) {
            String base = "";
            if (!sourceVolumeId.isEmpty()) {
                Optional<Names.Ref> source = Names.parse(sourceVolumeId);
                if (source.isEmpty() || !source.get().array().equals(entry.getKey())) {
                    continue;
                }
                base = source.get().name();
            }
            String ofBase = base;
            List<FlashCopy> flashCopies;
            try {
                flashCopies = call("list snapshots on " + entry.getKey(), () -> entry.getValue().listFlashCopies(ofBase));
            } catch (CsiError e) {
                if (e.code() == CsiError.Code.NOT_FOUND) {
                    continue;
                }
                throw e;
            }
            for (FlashCopy f : flashCopies) {
                if (f.getName().startsWith("snap-") && f.getRepository().getName().equals(Names.repositoryName(f.getName()))) {
                    result.add(view(entry.getKey(), f));
                }
            }
            for (dev.copyservices.api.agent.v1.Volume v : call("list group snapshots on " + entry.getKey(),
                    () -> entry.getValue().listVolumes(Map.of()))) {
                GroupSnapshots.memberSnapshot(entry.getKey(), entry.getValue(), v)
                        .filter(s -> sourceVolumeId.isEmpty() || s.getSourceVolumeId().equals(sourceVolumeId))
                        .ifPresent(result::add);
            }
        }
        result.sort((a, b) -> a.getSnapshotId().compareTo(b.getSnapshotId()));
        return result;
    }

    private static Snapshot view(String array, FlashCopy flashCopy) {
        Timestamp created = flashCopy.hasPointInTime() ? flashCopy.getPointInTime() : flashCopy.getCreated();
        return Snapshot.newBuilder()
                .setSnapshotId(Names.id(array, flashCopy.getName()))
                .setSourceVolumeId(Names.id(array, flashCopy.getBase()))
                .setSizeBytes(flashCopy.getSizeBytes())
                .setCreationTime(created)
                .setReadyToUse(flashCopy.getState() == FlashCopyState.OPTIMAL || flashCopy.getState() == FlashCopyState.FULL)
                .build();
    }
}
