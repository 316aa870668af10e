package dev.copyservices.csi.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.api.agent.v1.Array;
import dev.copyservices.csi.agent.AgentException;
import dev.copyservices.csi.agent.Agents;
import dev.copyservices.csi.agent.FakeAgent;
import dev.copyservices.csi.v1.GetPluginCapabilitiesRequest;
import dev.copyservices.csi.v1.GetPluginCapabilitiesResponse;
import dev.copyservices.csi.v1.GetPluginInfoRequest;
import dev.copyservices.csi.v1.GetPluginInfoResponse;
import dev.copyservices.csi.v1.PluginCapability;
import dev.copyservices.csi.v1.ProbeRequest;
import dev.copyservices.csi.v1.ProbeResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdentityServiceTest {
    /** Collects what a service answers. */
    private static final class Answer<T> implements StreamObserver<T> {
        T value;
        Throwable error;

        @Override
        public void onNext(T value) {
            this.value = value;
        }

        @Override
        public void onError(Throwable t) {
            error = t;
        }

        @Override
        public void onCompleted() {
        }
    }

    private static final class DownAgent extends FakeAgent {
        DownAgent() {
            super("down");
        }


        @Override
        public Array array() throws AgentException {
            throw new AgentException("UNAVAILABLE", "", "the agent at down:1 cannot be reached", "", null);
        }
    }

    @Test
    void pluginInfoNamesTheDriver() {
        Answer<GetPluginInfoResponse> answer = new Answer<>();
        new IdentityService(new Agents(List.of(new FakeAgent("a"))), "1.0")
                .getPluginInfo(GetPluginInfoRequest.getDefaultInstance(), answer);
        assertEquals("block.copyservices.dev", answer.value.getName());
        assertEquals("1.0", answer.value.getVendorVersion());
    }

    @Test
    void capabilitiesAreThePluginsAsAWhole() {
        Answer<GetPluginCapabilitiesResponse> answer = new Answer<>();
        new IdentityService(new Agents(List.of(new FakeAgent("a"))), "1.0")
                .getPluginCapabilities(GetPluginCapabilitiesRequest.getDefaultInstance(), answer);
        List<PluginCapability.Service.Type> types = answer.value.getCapabilitiesList().stream()
                .filter(PluginCapability::hasService).map(c -> c.getService().getType()).toList();
        assertEquals(List.of(PluginCapability.Service.Type.CONTROLLER_SERVICE,
                PluginCapability.Service.Type.GROUP_CONTROLLER_SERVICE,
                PluginCapability.Service.Type.VOLUME_ACCESSIBILITY_CONSTRAINTS), types);
        assertEquals(List.of(PluginCapability.VolumeExpansion.Type.OFFLINE), answer.value.getCapabilitiesList().stream()
                .filter(PluginCapability::hasVolumeExpansion).map(c -> c.getVolumeExpansion().getType()).toList());
    }

    @Test
    void probeIsReadyWhenEveryAgentAnswersAndNamesTheOneThatDoesNot() {
        Answer<ProbeResponse> up = new Answer<>();
        new IdentityService(new Agents(List.of(new FakeAgent("a"))), "1.0").probe(ProbeRequest.getDefaultInstance(), up);
        assertTrue(up.value.getReady().getValue());
        Answer<ProbeResponse> down = new Answer<>();
        new IdentityService(new Agents(List.of(new FakeAgent("a"), new DownAgent())), "1.0")
                .probe(ProbeRequest.getDefaultInstance(), down);
        Status status = Status.fromThrowable(down.error);
        assertEquals(Status.Code.FAILED_PRECONDITION, status.getCode());
        assertTrue(status.getDescription().contains("down:1"), status.getDescription());
    }
}
