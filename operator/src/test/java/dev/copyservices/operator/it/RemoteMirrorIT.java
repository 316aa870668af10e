package dev.copyservices.operator.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.it.Tools;
import dev.copyservices.api.agent.v1.ListMirrorsRequest;
import dev.copyservices.api.agent.v1.MirrorServiceGrpc;
import dev.copyservices.kubetest.Kubectl;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two sites, each its own kube-apiserver, operator and agent, the agents linked by mutual-TLS
 * replication: a RemoteMirror applied at site A mirrors a volume and site B's operator adopts the
 * secondary by itself; a role edit at B is a planned failover that A's spec follows; with B's agent
 * killed a forced promotion at A takes over, the dual role on B's return is reported on both sides
 * and resolved by one edit; deleting the resource ends the mirror and the data stays. One story, in
 * order: each step starts where the last one ended.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RemoteMirrorIT {
    private static final String MIB_64 = "64M";
    private static TwoSites sites;
    private static OperatorSite a;
    private static OperatorSite b;

    @BeforeAll
    static void startSites() throws Exception {
        sites = TwoSites.start("remote-mirror-it");
        a = sites.a;
        b = sites.b;
        sites.createVolumes("db", 64);
    }

    @AfterAll
    static void stopSites() throws Exception {
        if (sites != null) {
            sites.close();
        }
    }

    @Test
    @Order(1)
    void aPrimaryRemoteMirrorAtSiteAMirrorsTheVolumeAndSiteBAdoptsTheSecondaryByItself() throws Exception {
        Tools.qemuIoOk(a.agent.attachedNbdUri("db"), List.of("write -P 0x5a 0 " + MIB_64));
        a.kube.kubectl("""
                apiVersion: copyservices.dev/v1alpha1
                kind: RemoteMirror
                metadata: {name: orders-db, labels: {app: orders}}
                spec:
                  volume: {array: node-1, volume: db}
                  peer: {site: site-b, endpoint: "%s", volume: db}
                  role: Primary
                  syncPriority: Highest
                """.formatted(TwoSites.replicationEndpoint(b)), "apply", "-f", "-").orFail();

        a.await("remotemirror/orders-db", "condition=Synchronized");
        TwoSites.awaitCreated(b, "remotemirror/orders-db");
        b.await("remotemirror/orders-db", "condition=Synchronized");
        assertEquals("Secondary", b.get("remotemirror/orders-db", "{.spec.role}"));
        assertEquals("Secondary", b.get("remotemirror/orders-db", "{.status.role}"));
        assertEquals("orders", b.get("remotemirror/orders-db", "{.metadata.labels.app}"), "labels come along for MirrorGroups");
        assertEquals("Highest", b.get("remotemirror/orders-db", "{.spec.syncPriority}"));
        assertEquals("Secondary", a.get("remotemirror/orders-db", "{.status.peerRole}"));
        assertTrue(a.get("remotemirror/orders-db", "{.status.progressPercent}").startsWith("100"));
        Tools.qemuIoOk(true, b.agent.attachedNbdUri("db"), List.of("read -P 0x5a 0 " + MIB_64));
        String columns = a.kube.kubectl(null, "get", "remotemirrors").orFail().stdout();
        assertTrue(columns.contains("Primary") && columns.contains("Synchronized"), columns);
    }

    @Test
    @Order(2)
    void editingTheRoleAtSiteBIsAPlannedFailoverAndSiteAsSpecFollowsInsteadOfUndoingIt() throws Exception {
        b.kube.kubectl(null, "patch", "remotemirror", "orders-db", "--type", "merge", "-p", "{\"spec\":{\"role\":\"Primary\"}}")
                .orFail();

        b.await("remotemirror/orders-db", "jsonpath={.status.role}=Primary");
        a.await("remotemirror/orders-db", "jsonpath={.spec.role}=Secondary");
        a.await("remotemirror/orders-db", "jsonpath={.status.role}=Secondary");
        Tools.qemuIoOk(b.agent.attachedNbdUri("db"), List.of("write -P 0x6b 0 1M"));
        a.await("remotemirror/orders-db", "condition=Synchronized");
        Tools.qemuIoOk(true, a.agent.attachedNbdUri("db"), List.of("read -P 0x6b 0 1M", "read -P 0x5a 1M 63M"));
        assertEquals("Primary", b.get("remotemirror/orders-db", "{.status.role}"), "nobody flipped it back");
    }

    @Test
    @Order(3)
    void settingsChangedAtThePrimarysSiteShowInTheSecondarysSpec() {
        b.kube.kubectl(null, "patch", "remotemirror", "orders-db", "--type", "merge", "-p",
                "{\"spec\":{\"syncPriority\":\"Low\",\"resyncMethod\":\"Automatic\"}}").orFail();

        a.await("remotemirror/orders-db", "jsonpath={.spec.syncPriority}=Low");
        a.await("remotemirror/orders-db", "jsonpath={.spec.resyncMethod}=Automatic");
    }

    @Test
    @Order(4)
    void withSiteBsAgentGoneAForcedPromotionAtATakesOverAndTheDualRoleOnItsReturnIsResolvedByOneEdit() throws Exception {
        b.agent.kill9();
        a.kube.kubectl(null, "patch", "remotemirror", "orders-db", "--type", "merge", "-p",
                "{\"spec\":{\"role\":\"Primary\",\"force\":true}}").orFail();
        a.await("remotemirror/orders-db", "jsonpath={.status.role}=Primary");
        Tools.qemuIoOk(a.agent.attachedNbdUri("db"), List.of("write -P 0x7c 2M 1M"));

        b.agent.launch();
        a.await("remotemirror/orders-db", "condition=DualRoleConflict");
        b.await("remotemirror/orders-db", "condition=DualRoleConflict");
        // b may first try to resync to a before it hears that a is primary too (a refuses every record); its
        // condition can drop for a tick and comes back with the next exchange, so wait for the hint itself
        String path = "{.status.conditions[?(@.type==\"DualRoleConflict\")].message}";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String hint = b.get("remotemirror/orders-db", path);
        while (!hint.contains("set role: Secondary on the other side") && System.nanoTime() < deadline) {
            Thread.sleep(200); // poll interval only; the loop's exit is the condition
            hint = b.get("remotemirror/orders-db", path);
        }
        assertTrue(hint.contains("set role: Secondary on the other side"), hint);

        b.kube.kubectl(null, "patch", "remotemirror", "orders-db", "--type", "merge", "-p", "{\"spec\":{\"role\":\"Secondary\"}}")
                .orFail();
        b.await("remotemirror/orders-db", "condition=Synchronized");
        a.await("remotemirror/orders-db", "condition=Synchronized");
        a.await("remotemirror/orders-db", "condition=DualRoleConflict=False");
        assertEquals("Secondary", b.get("remotemirror/orders-db", "{.status.role}"));
        Tools.qemuIoOk(true, b.agent.attachedNbdUri("db"), List.of("read -P 0x7c 2M 1M", "read -P 0x6b 0 1M"));
    }

    @Test
    @Order(5)
    void deletingTheRemoteMirrorAtOneSiteEndsTheMirrorTheAdoptedResourceGoesAndTheDataStays() throws Exception {
        a.kube.kubectl(null, "delete", "remotemirror", "orders-db", "--timeout", "60s").orFail();

        Kubectl.Result gone = b.kube.kubectl(null, "wait", "--for=delete", "remotemirror/orders-db", "--timeout", "60s");
        assertTrue(gone.ok(), "the adopted secondary resource stays: " + gone.stderr());
        for (OperatorSite site : List.of(a, b)) {
            assertEquals(0, MirrorServiceGrpc.newBlockingStub(site.agent.channel()).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .listMirrors(ListMirrorsRequest.getDefaultInstance()).getMirrorsCount(), site.site + " still mirrors");
            Tools.qemuIoOk(true, site.agent.attachedNbdUri("db"), List.of("read -P 0x7c 2M 1M", "read -P 0x6b 0 1M"));
        }
    }

    @Test
    @Order(6)
    void aMirrorOfAPvcGivesTheOtherSiteAClaimOfTheSameNameOnItsSecondary() throws Exception {
        sites.createVolumes("web", 16);
        Tools.qemuIoOk(a.agent.attachedNbdUri("web"), List.of("write -P 0x77 0 16M"));
        // site A's PV and PVC as the CSI driver and the provisioner would have made them (no controller
        // manager runs here to bind them, so the claim names its volume itself)
        a.kube.kubectl("""
                apiVersion: v1
                kind: PersistentVolume
                metadata: {name: pv-web}
                spec:
                  capacity: {storage: 16Mi}
                  accessModes: [ReadWriteOnce]
                  persistentVolumeReclaimPolicy: Retain
                  storageClassName: copyservices
                  csi: {driver: block.copyservices.dev, volumeHandle: site-a-node-1/web, fsType: xfs}
                  claimRef: {namespace: default, name: web}
                ---
                apiVersion: v1
                kind: PersistentVolumeClaim
                metadata: {name: web}
                spec:
                  accessModes: [ReadWriteOnce]
                  storageClassName: copyservices
                  volumeName: pv-web
                  resources: {requests: {storage: 16Mi}}
                ---
                apiVersion: copyservices.dev/v1alpha1
                kind: RemoteMirror
                metadata: {name: web, labels: {app: shop}}
                spec:
                  volume: {pvc: web}
                  peer: {site: site-b, endpoint: "%s", volume: web}
                  role: Primary
                  syncPriority: Highest
                """.formatted(TwoSites.replicationEndpoint(b)), "apply", "-f", "-").orFail();

        a.await("remotemirror/web", "condition=Synchronized");
        TwoSites.awaitCreated(b, "remotemirror/web");
        b.await("remotemirror/web", "condition=Synchronized");
        assertEquals("web", b.get("remotemirror/web", "{.spec.volume.pvc}"));
        assertEquals("copyservices-node-1-web", b.get("pvc/web", "{.spec.volumeName}"));
        assertEquals("shop", b.get("pvc/web", "{.metadata.labels.app}"));
        assertEquals("block.copyservices.dev site-b-node-1/web xfs Retain default/web",
                b.get("pv/copyservices-node-1-web", "{.spec.csi.driver} {.spec.csi.volumeHandle} {.spec.csi.fsType} "
                        + "{.spec.persistentVolumeReclaimPolicy} {.spec.claimRef.namespace}/{.spec.claimRef.name}"));
        Tools.qemuIoOk(true, b.agent.attachedNbdUri("web"), List.of("read -P 0x77 0 16M"));
    }
}
