package dev.copyservices.operator.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.it.AgentProcess;
import dev.copyservices.api.agent.v1.CopyRef;
import dev.copyservices.api.agent.v1.CreateVolumeRequest;
import dev.copyservices.api.agent.v1.VolumeCopyServiceGrpc;
import dev.copyservices.api.agent.v1.VolumeServiceGrpc;
import dev.copyservices.kubetest.Kubectl;
import dev.copyservices.kubetest.LocalKubeApiServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
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
    private static final Path DIR = Path.of("target", "volumecopy-it");
    private static LocalKubeApiServer kube;
    private static AgentProcess agent;
    private static OperatorProcess operator;

    @BeforeAll
    static void startEverything() throws Exception {
        StorageArrayIT.deleteTree(DIR);
        Files.createDirectories(DIR);
        kube = LocalKubeApiServer.start(DIR.resolve("kube"));
        kube.kubectl(null, "apply", "-f", System.getProperty("crds.committed", "../crds")).orFail();
        kube.kubectl(null, "wait", "--for", "condition=Established", "--timeout", "60s",
                "crd/storagearrays.copyservices.dev", "crd/flashcopies.copyservices.dev", "crd/volumecopies.copyservices.dev").orFail();
        agent = AgentProcess.start(DIR.resolve("pool"), "site-a-node-1", "site-a", List.of());
        operator = OperatorProcess.start(kube.kubeconfig(), DIR.resolve("operator.log"));
        kube.kubectl("""
                apiVersion: copyservices.dev/v1alpha1
                kind: StorageArray
                metadata: {name: node-1}
                spec: {endpoint: "%s", site: site-a}
                """.formatted(agent.controlAddress()), "apply", "-f", "-").orFail();
    }

    @AfterAll
    static void stopAll() throws Exception {
        if (operator != null) {
            operator.close();
        }
        if (agent != null) {
            agent.close();
        }
        if (kube != null) {
            kube.close();
        }
    }

    @Test
    void aVolumeCopyOfAFlashCopyRestoresThePointInTimeOntoTheTargetAndDeletingItRemovesThePair() throws Exception {
        volume("orders", 32);
        volume("orders-restored", 32);
        FlashCopyIT.qemuIo(agent.nbdUri("orders"), "write -P 0x5a 0 32M");
        kube.kubectl("""
                apiVersion: copyservices.dev/v1alpha1
                kind: FlashCopy
                metadata: {name: orders-before}
                spec:
                  source: {array: node-1, volume: orders}
                  repository: {percent: 100}
                """, "apply", "-f", "-").orFail();
        wait("flashcopy/orders-before", "condition=Ready");
        FlashCopyIT.qemuIo(agent.nbdUri("orders"), "write -P 0x11 0 32M");

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
        FlashCopyIT.qemuIo(agent.nbdUri("orders-restored"), "read -P 0x5a 0 32M");
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
        Kubectl.Result result = kube.kubectl(null, "wait", resource, "--for", condition, "--timeout", "60s");
        if (!result.ok()) {
            throw new AssertionError(resource + " did not reach " + condition + ": " + result.stderr()
                    + "\n" + kube.kubectl(null, "get", resource, "-o", "yaml").stdout());
        }
    }
}
