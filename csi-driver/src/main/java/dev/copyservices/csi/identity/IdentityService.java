package dev.copyservices.csi.identity;

import com.google.protobuf.BoolValue;
import dev.copyservices.csi.agent.Agent;
import dev.copyservices.csi.agent.AgentException;
import dev.copyservices.csi.agent.Agents;
import dev.copyservices.csi.common.CsiError;
import dev.copyservices.csi.common.GrpcErrors;
import dev.copyservices.csi.v1.GetPluginCapabilitiesRequest;
import dev.copyservices.csi.v1.GetPluginCapabilitiesResponse;
import dev.copyservices.csi.v1.GetPluginInfoRequest;
import dev.copyservices.csi.v1.GetPluginInfoResponse;
import dev.copyservices.csi.v1.IdentityGrpc;
import dev.copyservices.csi.v1.PluginCapability;
import dev.copyservices.csi.v1.ProbeRequest;
import dev.copyservices.csi.v1.ProbeResponse;
import io.grpc.stub.StreamObserver;

/** CSI Identity: who the driver is, what it offers, and whether its agents answer. */
public final class IdentityService extends IdentityGrpc.IdentityImplBase {
    public static final String NAME = "block.copyservices.dev";

    private final Agents agents;
    private final String version;

    public IdentityService(Agents agents, String version) {
        this.agents = agents;
        this.version = version;
    }

    @Override
    public void getPluginInfo(GetPluginInfoRequest request, StreamObserver<GetPluginInfoResponse> observer) {
        GrpcErrors.answer("GetPluginInfo", observer, () -> GetPluginInfoResponse.newBuilder().setName(NAME)
                .setVendorVersion(version).build());
    }

    @Override
    public void getPluginCapabilities(GetPluginCapabilitiesRequest request,
            StreamObserver<GetPluginCapabilitiesResponse> observer) {
        GrpcErrors.answer("GetPluginCapabilities", observer, () -> {
            // the plugin as a whole, the same from every instance (the spec's rule): a node-mode
            // process advertises the controller that its controller-mode sibling serves
            GetPluginCapabilitiesResponse.Builder response = GetPluginCapabilitiesResponse.newBuilder();
            response.addCapabilities(service(PluginCapability.Service.Type.CONTROLLER_SERVICE));
            response.addCapabilities(service(PluginCapability.Service.Type.GROUP_CONTROLLER_SERVICE));
            response.addCapabilities(service(PluginCapability.Service.Type.VOLUME_ACCESSIBILITY_CONSTRAINTS));
            // nbdfuse fixes a device's size when it attaches, so a volume grows while it is not staged
            response.addCapabilities(PluginCapability.newBuilder().setVolumeExpansion(PluginCapability.VolumeExpansion
                    .newBuilder().setType(PluginCapability.VolumeExpansion.Type.OFFLINE)));
            return response.build();
        });
    }

    private static PluginCapability service(PluginCapability.Service.Type type) {
        return PluginCapability.newBuilder().setService(PluginCapability.Service.newBuilder().setType(type)).build();
    }

    /** Ready when every agent answers; otherwise FAILED_PRECONDITION naming the ones that do not. */
    @Override
    public void probe(ProbeRequest request, StreamObserver<ProbeResponse> observer) {
        GrpcErrors.answer("Probe", observer, () -> {
            StringBuilder down = new StringBuilder();
            for (Agent agent : agents.probed()) {
                try {
                    agent.array();
                } catch (AgentException e) {
                    down.append(down.isEmpty() ? "" : "; ").append(e.getMessage());
                }
            }
            if (!down.isEmpty()) {
                throw CsiError.precondition("not ready: " + down);
            }
            agents.byArray();
            return ProbeResponse.newBuilder().setReady(BoolValue.of(true)).build();
        });
    }
}
