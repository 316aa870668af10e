package dev.copyservices.operator.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.it.AgentProcess;
import dev.copyservices.api.agent.v1.CopyRef;
import dev.copyservices.api.agent.v1.CreateVolumeRequest;
import dev.copyservices.api.agent.v1.VolumeCopyServiceGrpc;
import dev.copyservices.api.agent.v1.VolumeServiceGrpc;
import dev.copyservices.kubetest.LocalKubeApiServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The restore workflow through resources only: a FlashCopy of a volume, the volume overwritten, a
 * VolumeCopy of the FlashCopy onto another volume, which then holds the point in time byte for byte;
 * deleting the VolumeCopy removes the pair on the agent.
 */
class VolumeCopyIT {
    private static OperatorSite site;
    private static LocalKubeApiServer kube;
    private static AgentProcess agent;

    @BeforeAll
    static void startSite() throws Exception {
        site = OperatorSite.start("volumecopy-it");
        kube = site.kube;
        agent = site.agent;
        site.applyStorageArray();
    }

    @AfterAll
    static void stopSite() throws Exception {
        if (site != null) {
            site.close();
        }
    }

    @Test
    void aVolumeCopyOfAFlashCopyRestoresThePointInTimeOntoTheTargetAndDeletingItRemovesThePair() throws Exception {
        volume("orders", 32);
        volume("orders-restored", 32);
        FlashCopyIT.qemuIo(agent.attachedNbdUri("orders"), "write -P 0x5a 0 32M");
        kube.kubectl("""
                apiVersion: copyservices.dev/v1alpha1
                kind: FlashCopy
                metadata: {name: orders-before}
                spec:
                  source: {array: node-1, volume: orders}
                  repository: {percent: 100}
                """, "apply", "-f", "-").orFail();
        wait("flashcopy/orders-before", "condition=Ready");
        FlashCopyIT.qemuIo(agent.attachedNbdUri("orders"), "write -P 0x11 0 32M");

        kube.kubectl("""
                apiVersion: copyservices.dev/v1alpha1
                kind: VolumeCopy
                metadata: {name: orders-restore}
                spec:
                  source: {flashCopy: orders-before}
                  target: {array: node-1, volume: orders-restored}
                  priority: Highest
                """, "apply", "-f", "-").orFail();
        wait("volumecopy/orders-restore", "condition=Ready");

        assertEquals("Completed 100", kube.kubectl(null, "get", "volumecopy", "orders-restore", "-o",
                "jsonpath={.status.state} {.status.copiedPercent}").orFail().stdout());
        FlashCopyIT.qemuIo(agent.attachedNbdUri("orders-restored"), "read -P 0x5a 0 32M");
        String table = kube.kubectl(null, "get", "volumecopies").orFail().stdout();
        assertTrue(table.lines().anyMatch(l -> l.startsWith("orders-restore ") && l.contains(" Completed ")), table);

        kube.kubectl(null, "delete", "volumecopy", "orders-restore", "--timeout", "60s").orFail();
        StatusRuntimeException gone = assertThrows(StatusRuntimeException.class, () -> VolumeCopyServiceGrpc
                .newBlockingStub(agent.channel()).getCopy(CopyRef.newBuilder().setTarget("orders-restored").build()));
        assertEquals(Status.Code.NOT_FOUND, gone.getStatus().getCode());
    }

    @Test
    void aCopyBetweenArraysIsRefusedOnTheResourceWithWhatToDo() {
        kube.kubectl("""
                apiVersion: copyservices.dev/v1alpha1
                kind: VolumeCopy
                metadata: {name: across}
                spec:
                  source: {array: node-1, volume: a}
                  target: {array: node-2, volume: b}
                """, "apply", "-f", "-").orFail();
        wait("volumecopy/across", "condition=Ready=False");
        assertEquals("DifferentArrays", kube.kubectl(null, "get", "volumecopy", "across", "-o",
                "jsonpath={.status.conditions[?(@.type==\"Ready\")].reason}").orFail().stdout());
    }

    private static void volume(String name, int mib) {
        VolumeServiceGrpc.newBlockingStub(agent.channel())
                .createVolume(CreateVolumeRequest.newBuilder().setName(name).setSizeBytes((long) mib << 20).build());
    }

    private static void wait(String resource, String condition) {
        site.await(resource, condition);
    }
}
