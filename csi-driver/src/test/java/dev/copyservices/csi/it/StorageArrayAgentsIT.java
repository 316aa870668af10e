package dev.copyservices.csi.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.it.AgentProcess;
import dev.copyservices.csi.v1.IdentityGrpc;
import dev.copyservices.csi.v1.NodeGetInfoRequest;
import dev.copyservices.csi.v1.ProbeRequest;
import dev.copyservices.csi.v1.Topology;
import dev.copyservices.csi.v1.TopologyRequirement;
import dev.copyservices.csi.v1.ValidateVolumeCapabilitiesRequest;
import dev.copyservices.csi.v1.Volume;
import dev.copyservices.csi.v1.VolumeCapability;
import dev.copyservices.kubetest.LocalKubeApiServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/**
 * The driver in a cluster (--storage-arrays) against a real kube-apiserver and real agents: its
 * agents are the StorageArray resources, followed as they are created, changed and deleted, and the
 * node's own agent is the StorageArray named after the node.
 */
class StorageArrayAgentsIT {
    private static final long SIZE = 64L << 20;
    private static final String KEY = "topology.block.copyservices.dev/array";
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static Topology on(String array) {
        return Topology.newBuilder().putSegments(KEY, array).build();
    }

    private static String storageArray(String name, String endpoint) {
        return "apiVersion: copyservices.dev/v1alpha1\nkind: StorageArray\nmetadata:\n  name: " + name
                + "\nspec:\n  endpoint: " + endpoint + "\n";
    }

    /** Retries until the call answers or the deadline passes: the driver learns of resource changes by a watch. */
    private static <T> T eventually(Callable<T> call) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                return call.call();
            } catch (StatusRuntimeException | AssertionError notYet) {
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
                Thread.sleep(50);
            }
        }
    }

    @Test
    void theDriverFollowsTheStorageArrayResourcesAndTheNodeUsesTheOneNamedAfterIt() throws Exception {
        Path dir = Files.createTempDirectory("csi-storage-arrays-it");
        try (LocalKubeApiServer kube = LocalKubeApiServer.start(dir.resolve("kube"));
                AgentProcess a = AgentProcess.start(dir.resolve("pool-a"), "array-a", "it", List.of());
                AgentProcess b = AgentProcess.start(dir.resolve("pool-b"), "array-b", "it", List.of());
                AgentProcess c = AgentProcess.start(dir.resolve("pool-c"), "array-c", "it", List.of())) {
            kube.kubectl(null, "apply", "-f", System.getProperty("crds.committed", "../crds")).orFail();
            try (CsiDriverProcess driver = CsiDriverProcess.startWithStorageArrays("both", dir.resolve("driver"),
                    "node-1", kube.kubeconfig())) {
                CsiClient csi = new CsiClient(driver.channel());
                VolumeCapability ext4 = CsiClient.mount("ext4");
                IdentityGrpc.IdentityBlockingStub identity = IdentityGrpc.newBlockingStub(driver.channel());

                StatusRuntimeException noAgent = assertThrows(StatusRuntimeException.class,
                        () -> identity.probe(ProbeRequest.getDefaultInstance()));
                assertEquals(Status.Code.FAILED_PRECONDITION, noAgent.getStatus().getCode());
                assertTrue(noAgent.getStatus().getDescription().contains("no StorageArray named 'node-1'"),
                        noAgent.getStatus().getDescription());
                assertEquals(Status.Code.UNAVAILABLE, assertThrows(StatusRuntimeException.class,
                        () -> csi.node().nodeGetInfo(NodeGetInfoRequest.getDefaultInstance())).getStatus().getCode());

                kube.kubectl(storageArray("node-1", a.controlAddress()) + "---\n"
                        + storageArray("node-2", b.controlAddress()), "apply", "-f", "-").orFail();
                assertTrue(eventually(() -> identity.probe(ProbeRequest.getDefaultInstance())).getReady().getValue());
                assertEquals(on("array-a"), csi.node().nodeGetInfo(NodeGetInfoRequest.getDefaultInstance())
                        .getAccessibleTopology(), "the node's topology is the array of the StorageArray named after it");
                Volume onB = eventually(() -> csi.controller().createVolume(csi.request("on-b", SIZE, ext4)
                        .setAccessibilityRequirements(TopologyRequirement.newBuilder().addRequisite(on("array-b")))
                        .build()).getVolume());
                assertTrue(onB.getVolumeId().startsWith("array-b/"), onB.getVolumeId());

                // node-2's agent pod moved and is another agent now: the driver follows the new endpoint
                kube.kubectl(storageArray("node-2", c.controlAddress()), "apply", "-f", "-").orFail();
                Volume onC = eventually(() -> csi.controller().createVolume(csi.request("on-c", SIZE, ext4)
                        .setAccessibilityRequirements(TopologyRequirement.newBuilder().addRequisite(on("array-c")))
                        .build()).getVolume());
                assertTrue(onC.getVolumeId().startsWith("array-c/"), onC.getVolumeId());
                StatusRuntimeException gone = assertThrows(StatusRuntimeException.class, () -> csi.controller()
                        .validateVolumeCapabilities(ValidateVolumeCapabilitiesRequest.newBuilder()
                                .setVolumeId(onB.getVolumeId()).addVolumeCapabilities(ext4).build()));
                assertEquals(Status.Code.NOT_FOUND, gone.getStatus().getCode());
                assertTrue(gone.getStatus().getDescription().contains("create a StorageArray"),
                        gone.getStatus().getDescription());

                kube.kubectl(null, "delete", "storagearray", "node-1").orFail();
                StatusRuntimeException notReady = eventually(() -> {
                    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                            () -> identity.probe(ProbeRequest.getDefaultInstance()));
                    assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
                    return e;
                });
                assertTrue(notReady.getStatus().getDescription().contains("node-1"), notReady.getStatus().getDescription());
                csi.delete(onC.getVolumeId());
                assertTrue(driver.log().contains("agents from the StorageArray resources"), driver.log());
            }
        }
        NodeLeftovers.deleteIfNothingMounted(dir);
    }
}
