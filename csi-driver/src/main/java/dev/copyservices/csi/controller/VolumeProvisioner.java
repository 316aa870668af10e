package dev.copyservices.csi.controller;

import dev.copyservices.api.agent.v1.CopyState;
import dev.copyservices.api.agent.v1.CreateVolumeRequest;
import dev.copyservices.api.agent.v1.FlashCopy;
import dev.copyservices.api.agent.v1.VolumeCopy;
import dev.copyservices.api.agent.v1.VolumeKind;
import dev.copyservices.csi.agent.Agent;
import dev.copyservices.csi.agent.AgentErrors;
import dev.copyservices.csi.agent.AgentException;
import dev.copyservices.csi.agent.Agents;
import dev.copyservices.csi.agent.Names;
import dev.copyservices.csi.common.CsiError;
import dev.copyservices.csi.common.OperationLocks;
import dev.copyservices.csi.common.VolumeCapabilities;
import dev.copyservices.csi.v1.Volume;
import dev.copyservices.csi.v1.VolumeContentSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.Optional;

/**
 * CreateVolume: a thin volume on the chosen array, empty, restored from a snapshot (a VolumeCopy of
 * the FlashCopy, waited for) or cloned from a volume (a Copy-mode FlashCopy with background copy:
 * the clone shows the source's image at once). Retrying a request with the same name finds the
 * volume by its derived agent name and returns it when it matches.
 */
public final class VolumeProvisioner {
    private final Agents agents;
    private final OperationLocks locks;
    private final Duration restoreWait;

    public VolumeProvisioner(Agents agents, OperationLocks locks, Duration restoreWait) {
        this.agents = agents;
        this.locks = locks;
        this.restoreWait = restoreWait;
    }

    public Volume create(dev.copyservices.csi.v1.CreateVolumeRequest request) {
        if (request.getName().isEmpty()) {
            throw CsiError.invalid("name is missing; give the volume a name (the CO's request name)");
        }
        VolumeCapabilities.requireSupported(request.getVolumeCapabilitiesList());
        long size = Capacity.size(request.getCapacityRange());
        String agentName = Names.volumeName(request.getName());
        return locks.exclusive("volume name " + request.getName(), () -> {
            // a retry finds its volume before the source is looked up: the source may be gone by now
            Optional<Located> existing = findEverywhere(agentName);
            if (existing.isPresent()) {
                return reuse(request, existing.get());
            }
            Source source = source(request.getVolumeContentSource());
            String array = placement(request, source);
            Agent agent = agents.require(array);
            if (source != null && size < source.sizeBytes()) {
                throw new CsiError(CsiError.Code.OUT_OF_RANGE, "the requested size (" + size + " bytes) is smaller than"
                        + " the " + source.kind() + " " + source.id() + " (" + source.sizeBytes() + " bytes); ask for at"
                        + " least its size");
            }
            CreateVolumeRequest.Builder create = CreateVolumeRequest.newBuilder().setName(agentName).setSizeBytes(size)
                    .putAttributes(Names.REQUEST_NAME_ATTRIBUTE, request.getName());
            if (source != null) {
                create.putAttributes(Names.SOURCE_ATTRIBUTE, source.attribute());
            }
            dev.copyservices.api.agent.v1.Volume created = call("create volume " + agentName + " on array " + array,
                    () -> agent.createVolume(create.build()));
            if (source != null) {
                try {
                    fill(agent, agentName, source);
                } catch (CsiError e) {
                    // a volume left without its content would pass for the clone or restore on a retry
                    if (e.code() != CsiError.Code.ABORTED) {
                        discard(agent, agentName);
                    }
                    throw e;
                }
            }
            return VolumeViews.of(array, created);
        });
    }

    /** Where the content comes from: a snapshot or a volume, resolved and checked. */
    record Source(String kind, String id, String array, String agentName, long sizeBytes) {
        String attribute() {
            return kind + ":" + id;
        }
    }

    private Source source(VolumeContentSource source) {
        if (source.hasSnapshot()) {
            String id = source.getSnapshot().getSnapshotId();
            Names.Ref ref = Names.parse(id).orElseThrow(() -> CsiError.notFound("source snapshot '" + id
                    + "' does not exist (not an id this driver made)"));
            Agent agent = agents.require(ref.array());
            Optional<FlashCopy> flashCopy = call("look up snapshot " + id, () -> agent.findFlashCopy(ref.name()));
            if (flashCopy.isPresent()) {
                return new Source("snapshot", id, ref.array(), flashCopy.get().getName(), flashCopy.get().getSizeBytes());
            }
            // a member of a group snapshot: a Copy-mode target volume, restored the same way
            dev.copyservices.api.agent.v1.Volume member = call("look up snapshot " + id, () -> agent.findVolume(ref.name()))
                    .filter(v -> v.containsAttributes(Names.GROUP_ATTRIBUTE))
                    .orElseThrow(() -> CsiError.notFound("source snapshot '" + id + "' does not exist"));
            return new Source("snapshot", id, ref.array(), member.getName(), member.getSizeBytes());
        }
        if (source.hasVolume()) {
            String id = source.getVolume().getVolumeId();
            Names.Ref ref = Names.parse(id).orElseThrow(() -> CsiError.notFound("source volume '" + id
                    + "' does not exist (not an id this driver made)"));
            Agent agent = agents.require(ref.array());
            dev.copyservices.api.agent.v1.Volume volume = call("look up volume " + id, () -> agent.findVolume(ref.name()))
                    .filter(v -> v.getKind() == VolumeKind.STANDARD)
                    .orElseThrow(() -> CsiError.notFound("source volume '" + id + "' does not exist"));
            return new Source("volume", id, ref.array(), volume.getName(), volume.getSizeBytes());
        }
        return null;
    }

    private String placement(dev.copyservices.csi.v1.CreateVolumeRequest request, Source source) {
        if (source != null) {
            Topologies.requireAllowed(request.getAccessibilityRequirements(), source.array(), "the " + source.kind() + " "
                    + source.id());
            return source.array();
        }
        return Topologies.choose(request.getAccessibilityRequirements(), new ArrayList<>(agents.byArray().keySet()));
    }

    private void fill(Agent agent, String target, Source source) {
        if (source.kind().equals("volume")) {
            call("clone " + source.id() + " onto " + target, () -> agent.establishClone(source.agentName(), target));
        } else {
            call("restore " + source.id() + " onto " + target, () -> agent.createCopy(source.agentName(), target));
            awaitRestore(agent, target, source);
        }
    }

    private static void discard(Agent agent, String name) {
        try {
            agent.findCopy(name).ifPresent(copy -> {
                try {
                    agent.removeCopy(name);
                } catch (AgentException ignored) {
                    // the delete below says what is wrong, if anything
                }
            });
            agent.deleteVolume(name);
        } catch (AgentException ignored) {
            // best effort: the caller reports the original error, and a volume that could not be
            // deleted is refused on the CO's retry only if its content source differs
        }
    }

    /**
     * A restored volume takes no I/O until its VolumeCopy completes, so CreateVolume answers only
     * then. Past the wait it answers ABORTED and the CO's retry (same name) waits again.
     */
    private void awaitRestore(Agent agent, String target, Source source) {
        long deadline = System.nanoTime() + restoreWait.toNanos();
        while (true) {
            Optional<VolumeCopy> copy = call("follow the restore onto " + target, () -> agent.findCopy(target));
            if (copy.isEmpty()) {
                return;
            }
            CopyState state = copy.get().getState();
            if (state == CopyState.COPY_COMPLETED) {
                call("finish the restore onto " + target, () -> {
                    agent.removeCopy(target);
                    return null;
                });
                return;
            }
            if (state == CopyState.COPY_FAILED || state == CopyState.COPY_STOPPED) {
                String failure = copy.get().getFailure();
                call("clean up the failed restore onto " + target, () -> {
                    agent.removeCopy(target);
                    agent.deleteVolume(target);
                    return null;
                });
                throw new CsiError(CsiError.Code.INTERNAL, "restoring " + source.id() + " failed (" + state + "): "
                        + failure + "; the half-restored volume was deleted, retry to restore again");
            }
            if (System.nanoTime() > deadline) {
                throw new CsiError(CsiError.Code.ABORTED, "the restore of " + source.id() + " is still copying ("
                        + Math.round(copy.get().getCopiedPercent()) + "%); retry the same request to wait for it");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CsiError(CsiError.Code.ABORTED, "interrupted while waiting for a restore; retry");
            }
        }
    }

    private Volume reuse(dev.copyservices.csi.v1.CreateVolumeRequest request, Located existing) {
        dev.copyservices.api.agent.v1.Volume volume = existing.volume();
        if (!Capacity.fits(volume.getSizeBytes(), request.getCapacityRange())) {
            throw new CsiError(CsiError.Code.ALREADY_EXISTS, "volume '" + request.getName() + "' exists with "
                    + volume.getSizeBytes() + " bytes, outside the requested capacity range; use another name");
        }
        String had = volume.getAttributesMap().getOrDefault(Names.SOURCE_ATTRIBUTE, "");
        VolumeContentSource wanted = request.getVolumeContentSource();
        String wants = wanted.hasSnapshot() ? "snapshot:" + wanted.getSnapshot().getSnapshotId()
                : wanted.hasVolume() ? "volume:" + wanted.getVolume().getVolumeId() : "";
        if (!had.equals(wants)) {
            throw new CsiError(CsiError.Code.ALREADY_EXISTS, "volume '" + request.getName() + "' exists with content source '"
                    + had + "', not '" + wants + "'; use another name");
        }
        Agent agent = agents.require(existing.array());
        if (wanted.hasSnapshot() && call("follow the restore onto " + volume.getName(),
                () -> agent.findCopy(volume.getName())).isPresent()) {
            awaitRestore(agent, volume.getName(), source(wanted));
        }
        return VolumeViews.of(existing.array(), volume);
    }

    record Located(String array, dev.copyservices.api.agent.v1.Volume volume) {
    }

    private Optional<Located> findEverywhere(String agentName) {
        for (Map.Entry<String, Agent> entry : agents.byArray().entrySet()) {
            Optional<dev.copyservices.api.agent.v1.Volume> found = call("look up volume " + agentName,
                    () -> entry.getValue().findVolume(agentName));
            if (found.isPresent()) {
                return Optional.of(new Located(entry.getKey(), found.get()));
            }
        }
        return Optional.empty();
    }

    interface AgentCall<T> {
        T run() throws AgentException;
    }

    static <T> T call(String action, AgentCall<T> call) {
        try {
            return call.run();
        } catch (AgentException e) {
            throw AgentErrors.toCsi(action, e);
        }
    }
}
