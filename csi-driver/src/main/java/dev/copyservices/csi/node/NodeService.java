package dev.copyservices.csi.node;

import dev.copyservices.api.agent.v1.Array;
import dev.copyservices.csi.agent.Agent;
import dev.copyservices.csi.agent.AgentErrors;
import dev.copyservices.csi.agent.AgentException;
import dev.copyservices.csi.agent.Agents;
import dev.copyservices.csi.agent.Names;
import dev.copyservices.csi.common.CsiError;
import dev.copyservices.csi.common.GrpcErrors;
import dev.copyservices.csi.common.OperationLocks;
import dev.copyservices.csi.common.VolumeCapabilities;
import dev.copyservices.csi.v1.NodeExpandVolumeRequest;
import dev.copyservices.csi.v1.NodeExpandVolumeResponse;
import dev.copyservices.csi.v1.NodeGetCapabilitiesRequest;
import dev.copyservices.csi.v1.NodeGetCapabilitiesResponse;
import dev.copyservices.csi.v1.NodeGetInfoRequest;
import dev.copyservices.csi.v1.NodeGetInfoResponse;
import dev.copyservices.csi.v1.NodeGetVolumeStatsRequest;
import dev.copyservices.csi.v1.NodeGetVolumeStatsResponse;
import dev.copyservices.csi.v1.NodeGrpc;
import dev.copyservices.csi.v1.NodePublishVolumeRequest;
import dev.copyservices.csi.v1.NodePublishVolumeResponse;
import dev.copyservices.csi.v1.NodeServiceCapability;
import dev.copyservices.csi.v1.NodeStageVolumeRequest;
import dev.copyservices.csi.v1.NodeStageVolumeResponse;
import dev.copyservices.csi.v1.NodeUnpublishVolumeRequest;
import dev.copyservices.csi.v1.NodeUnpublishVolumeResponse;
import dev.copyservices.csi.v1.NodeUnstageVolumeRequest;
import dev.copyservices.csi.v1.NodeUnstageVolumeResponse;
import dev.copyservices.csi.v1.Topology;
import dev.copyservices.csi.v1.VolumeCapability;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * CSI Node over gRPC: checks requests, serialises work per volume, and leaves the work to
 * {@link NodeStager}, {@link NodePublisher} and {@link VolumeStats}. The node's topology is the
 * array of its first --agent: the agent that runs on this node.
 */
public final class NodeService extends NodeGrpc.NodeImplBase {
    private final String nodeId;
    private final NodeAddress address;
    private final Agents agents;
    private final OperationLocks locks;
    private final NodeStager stager;
    private final NodePublisher publisher;
    private final VolumeStats stats;
    private final NodeExpander expander;

    public NodeService(String nodeId, NodeAddress address, Agents agents, OperationLocks locks, NodeStager stager,
            NodePublisher publisher, VolumeStats stats, NodeExpander expander) {
        this.nodeId = nodeId;
        this.address = address;
        this.agents = agents;
        this.locks = locks;
        this.stager = stager;
        this.publisher = publisher;
        this.stats = stats;
        this.expander = expander;
    }

    @Override
    public void nodeGetInfo(NodeGetInfoRequest request, StreamObserver<NodeGetInfoResponse> observer) {
        GrpcErrors.answer("NodeGetInfo", observer, () -> {
            Agent local = agents.local();
            Array array = call("ask this node's agent at " + local.endpoint() + " for its array", local::array);
            return NodeGetInfoResponse.newBuilder().setNodeId(nodeId).setAccessibleTopology(
                    Topology.newBuilder().putSegments(Names.TOPOLOGY_KEY, array.getName())).build();
        });
    }

    @Override
    public void nodeGetCapabilities(NodeGetCapabilitiesRequest request, StreamObserver<NodeGetCapabilitiesResponse> observer) {
        GrpcErrors.answer("NodeGetCapabilities", observer, () -> {
            NodeGetCapabilitiesResponse.Builder response = NodeGetCapabilitiesResponse.newBuilder();
            for (NodeServiceCapability.RPC.Type type : List.of(NodeServiceCapability.RPC.Type.STAGE_UNSTAGE_VOLUME,
                    NodeServiceCapability.RPC.Type.GET_VOLUME_STATS, NodeServiceCapability.RPC.Type.EXPAND_VOLUME)) {
                response.addCapabilities(NodeServiceCapability.newBuilder().setRpc(
                        NodeServiceCapability.RPC.newBuilder().setType(type)));
            }
            return response.build();
        });
    }

    @Override
    public void nodeStageVolume(NodeStageVolumeRequest request, StreamObserver<NodeStageVolumeResponse> observer) {
        GrpcErrors.answer("NodeStageVolume", observer, () -> {
            String volumeId = requireId(request.getVolumeId());
            Path staging = requirePath("staging_target_path", request.getStagingTargetPath());
            VolumeCapability capability = requireCapability(request.hasVolumeCapability(), request.getVolumeCapability());
            locks.exclusive(volumeId, () -> {
                Export export = export(volumeId);
                // the agent serves the export only to attached hosts: attach this node first
                call("attach volume " + volumeId + " to node " + nodeId, () -> export.agent().attachVolume(
                        export.volume(), nodeId, List.of(address.toward(export.endpoint()))));
                try {
                    stager.stage(volumeId, export.uri(), staging, capability);
                } catch (RuntimeException e) {
                    detachQuietly(export, e); // a refused stage leaves nothing behind, on the agent either
                    throw e;
                }
            });
            return NodeStageVolumeResponse.getDefaultInstance();
        });
    }

    @Override
    public void nodeUnstageVolume(NodeUnstageVolumeRequest request, StreamObserver<NodeUnstageVolumeResponse> observer) {
        GrpcErrors.answer("NodeUnstageVolume", observer, () -> {
            String volumeId = requireId(request.getVolumeId());
            Path staging = requirePath("staging_target_path", request.getStagingTargetPath());
            locks.exclusive(volumeId, () -> {
                stager.unstage(volumeId, staging);
                detach(volumeId);
            });
            return NodeUnstageVolumeResponse.getDefaultInstance();
        });
    }

    @Override
    public void nodePublishVolume(NodePublishVolumeRequest request, StreamObserver<NodePublishVolumeResponse> observer) {
        GrpcErrors.answer("NodePublishVolume", observer, () -> {
            String volumeId = requireId(request.getVolumeId());
            Path target = requirePath("target_path", request.getTargetPath());
            Path staging = requirePath("staging_target_path", request.getStagingTargetPath());
            VolumeCapability capability = requireCapability(request.hasVolumeCapability(), request.getVolumeCapability());
            boolean readOnly = request.getReadonly() || VolumeCapabilities.readOnlyMode(capability);
            locks.exclusive(volumeId, () -> {
                if (capability.hasBlock()) {
                    publisher.publishBlock(volumeId, target, readOnly);
                } else {
                    publisher.publishFileSystem(volumeId, staging, target, readOnly);
                }
            });
            return NodePublishVolumeResponse.getDefaultInstance();
        });
    }

    @Override
    public void nodeUnpublishVolume(NodeUnpublishVolumeRequest request,
            StreamObserver<NodeUnpublishVolumeResponse> observer) {
        GrpcErrors.answer("NodeUnpublishVolume", observer, () -> {
            String volumeId = requireId(request.getVolumeId());
            Path target = requirePath("target_path", request.getTargetPath());
            locks.exclusive(volumeId, () -> {
                publisher.unpublish(target);
            });
            return NodeUnpublishVolumeResponse.getDefaultInstance();
        });
    }

    @Override
    public void nodeGetVolumeStats(NodeGetVolumeStatsRequest request, StreamObserver<NodeGetVolumeStatsResponse> observer) {
        GrpcErrors.answer("NodeGetVolumeStats", observer, () -> {
            String volumeId = requireId(request.getVolumeId());
            if (request.getVolumePath().isEmpty()) {
                throw CsiError.invalid("volume_path is missing; give the path the volume is published or staged at");
            }
            Path path = Path.of(request.getVolumePath());
            if (!path.isAbsolute()) {
                throw CsiError.notFound("volume_path '" + path + "' is not an absolute path, so no volume is there");
            }
            return NodeGetVolumeStatsResponse.newBuilder().addAllUsage(stats.of(volumeId, path)).build();
        });
    }

    @Override
    public void nodeExpandVolume(NodeExpandVolumeRequest request, StreamObserver<NodeExpandVolumeResponse> observer) {
        GrpcErrors.answer("NodeExpandVolume", observer, () -> {
            String volumeId = requireId(request.getVolumeId());
            if (request.getVolumePath().isEmpty()) {
                throw CsiError.invalid("volume_path is missing; give the path the volume is published or staged at");
            }
            if (request.hasVolumeCapability()) {
                VolumeCapabilities.requireSupported(List.of(request.getVolumeCapability()));
            }
            export(volumeId); // NOT_FOUND for a volume that does not exist, before looking at the path
            long required = request.getCapacityRange().getRequiredBytes();
            long capacity = locks.exclusive(volumeId,
                    () -> expander.expand(volumeId, Path.of(request.getVolumePath()), required));
            return NodeExpandVolumeResponse.newBuilder().setCapacityBytes(capacity).build();
        });
    }

    /** A volume's export: the agent that holds it, the volume's name there, the NBD endpoint and URI. */
    private record Export(Agent agent, String volume, String endpoint) {
        String uri() {
            return "nbd://" + endpoint + "/" + volume.replace(" ", "%20");
        }
    }

    private Export export(String volumeId) {
        Names.Ref ref = Names.parse(volumeId).orElseThrow(() -> CsiError.notFound("volume '" + volumeId
                + "' does not exist (not an id this driver made)"));
        Agent agent = agents.require(ref.array());
        dev.copyservices.api.agent.v1.Volume volume = call("look up volume " + volumeId,
                () -> agent.findVolume(ref.name())).orElseThrow(() -> CsiError.notFound("volume '" + volumeId
                        + "' does not exist"));
        Array array = call("ask " + agent.endpoint() + " for its NBD address", agent::array);
        return new Export(agent, volume.getName(), array.getNbdEndpoint());
    }

    /** Unstage ends this node's access; a volume deleted meanwhile has nothing left to detach. */
    private void detach(String volumeId) {
        Optional<Names.Ref> ref = Names.parse(volumeId);
        if (ref.isEmpty()) {
            return;
        }
        Agent agent = agents.require(ref.get().array());
        Optional<dev.copyservices.api.agent.v1.Volume> volume = call("look up volume " + volumeId,
                () -> agent.findVolume(ref.get().name()));
        if (volume.isPresent()) {
            call("detach volume " + volumeId + " from node " + nodeId, () -> agent.detachVolume(ref.get().name(), nodeId));
        }
    }

    private void detachQuietly(Export export, RuntimeException failure) {
        try {
            export.agent().detachVolume(export.volume(), nodeId);
        } catch (AgentException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    private static String requireId(String volumeId) {
        if (volumeId.isEmpty()) {
            throw CsiError.invalid("volume_id is missing; give the id CreateVolume returned");
        }
        return volumeId;
    }

    private static Path requirePath(String field, String value) {
        if (value.isEmpty()) {
            throw CsiError.invalid(field + " is missing; give an absolute path");
        }
        Path path = Path.of(value);
        if (!path.isAbsolute()) {
            throw CsiError.invalid(field + " '" + value + "' is not an absolute path");
        }
        return path;
    }

    private static VolumeCapability requireCapability(boolean present, VolumeCapability capability) {
        if (!present) {
            throw CsiError.invalid("volume_capability is missing; give the capability the volume was created with");
        }
        VolumeCapabilities.requireSupported(List.of(capability));
        return capability;
    }

    private interface AgentCall<T> {
        T run() throws AgentException;
    }

    private static <T> T call(String action, AgentCall<T> call) {
        try {
            return call.run();
        } catch (AgentException e) {
            throw AgentErrors.toCsi(action, e);
        }
    }
}
