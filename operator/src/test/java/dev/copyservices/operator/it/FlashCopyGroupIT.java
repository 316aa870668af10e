package dev.copyservices.operator.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.copyservices.agent.it.Tools;
import dev.copyservices.api.agent.v1.CreateVolumeRequest;
import dev.copyservices.api.agent.v1.FlashCopyGroupServiceGrpc;
import dev.copyservices.api.agent.v1.GroupRef;
import dev.copyservices.api.agent.v1.VolumeServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A FlashCopyGroup of PVCs (PVs of the CSI driver, written here as the provisioner would write them):
 * every selected PVC is flashed onto its target PVC at one point in time, the targets read it while
 * the sources are overwritten, a new generation moves all of them, and deleting the resource ends the
 * group on the array.
 */
class FlashCopyGroupIT {
    private static OperatorSite site;

    @BeforeAll
    static void startSite() throws Exception {
        site = OperatorSite.start("flashcopy-group-it");
        site.applyStorageArray();
        site.await("storagearray/node-1", "condition=Ready");
        StringBuilder claims = new StringBuilder();
        for (String name : List.of("db", "log", "db-backup", "log-backup")) {
            VolumeServiceGrpc.newBlockingStub(site.agent.channel()).createVolume(CreateVolumeRequest.newBuilder()
                    .setName("csi-" + name).setSizeBytes(16L << 20).build());
            claims.append("""
                    apiVersion: v1
                    kind: PersistentVolume
                    metadata: {name: pv-%1$s}
                    spec:
                      capacity: {storage: 16Mi}
                      accessModes: [ReadWriteOnce]
                      csi: {driver: block.copyservices.dev, volumeHandle: site-a-node-1/csi-%1$s}
                      claimRef: {namespace: default, name: %1$s}
                    ---
                    apiVersion: v1
                    kind: PersistentVolumeClaim
                    metadata: {name: %1$s, labels: {app: shop}}
                    spec:
                      accessModes: [ReadWriteOnce]
                      volumeName: pv-%1$s
                      resources: {requests: {storage: 16Mi}}
                    ---
                    """.formatted(name));
        }
        site.kube.kubectl(claims.toString(), "apply", "-f", "-").orFail();
    }

    @AfterAll
    static void stopSite() throws Exception {
        if (site != null) {
            site.close();
        }
    }

    @Test
    void theGroupsTargetsHoldOnePointInTimeThatANewGenerationMovesAndDeletingEndsTheGroup() throws Exception {
        Tools.qemuIoOk(site.agent.attachedNbdUri("csi-db"), List.of("write -P 0x31 0 16M"));
        Tools.qemuIoOk(site.agent.attachedNbdUri("csi-log"), List.of("write -P 0x32 0 16M"));
        site.kube.kubectl("""
                apiVersion: copyservices.dev/v1alpha1
                kind: FlashCopyGroup
                metadata: {name: nightly}
                spec:
                  selector: {matchLabels: {app: shop}}
                  targetSuffix: -backup
                  copyOptions: {persistent: true, incremental: true}
                """, "apply", "-f", "-").orFail();
        site.await("flashcopygroup/nightly", "condition=Ready");
        assertEquals("2", site.get("flashcopygroup/nightly", "{.status.memberCount}"));

        Tools.qemuIoOk(site.agent.attachedNbdUri("csi-db"), List.of("write -P 0x41 0 1M"));
        Tools.qemuIoOk(site.agent.attachedNbdUri("csi-log"), List.of("write -P 0x42 0 1M"));
        Tools.qemuIoOk(site.agent.attachedNbdUri("csi-db-backup"), List.of("read -P 0x31 0 16M"));
        Tools.qemuIoOk(site.agent.attachedNbdUri("csi-log-backup"), List.of("read -P 0x32 0 16M"));

        String first = site.get("flashcopygroup/nightly", "{.status.pointInTime}");
        site.kube.kubectl(null, "patch", "flashcopygroup", "nightly", "--type", "merge", "-p", "{\"spec\":{\"flashGeneration\":1}}")
                .orFail();
        site.await("flashcopygroup/nightly", "jsonpath={.status.observedFlashGeneration}=1");
        Tools.qemuIoOk(site.agent.attachedNbdUri("csi-db-backup"), List.of("read -P 0x41 0 1M", "read -P 0x31 1M 15M"));
        Tools.qemuIoOk(site.agent.attachedNbdUri("csi-log-backup"), List.of("read -P 0x42 0 1M"));
        site.await("flashcopygroup/nightly", "condition=Ready");
        org.junit.jupiter.api.Assertions.assertNotEquals(first, site.get("flashcopygroup/nightly", "{.status.pointInTime}"));

        site.await("flashcopygroup/nightly", "jsonpath={.status.state}=Copied"); // background copy done: safe to end
        String onArray = site.get("flashcopygroup/nightly", "{.status.arrayName}");
        site.kube.kubectl(null, "delete", "flashcopygroup", "nightly", "--timeout", "60s").orFail();
        StatusRuntimeException gone = assertThrows(StatusRuntimeException.class, () -> FlashCopyGroupServiceGrpc
                .newBlockingStub(site.agent.channel()).getGroup(GroupRef.newBuilder().setName(onArray).build()));
        assertEquals(Status.Code.NOT_FOUND, gone.getStatus().getCode());
    }
}
