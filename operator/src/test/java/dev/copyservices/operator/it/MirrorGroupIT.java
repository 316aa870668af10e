package dev.copyservices.operator.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.it.Tools;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Site failover by editing one MirrorGroup: two mirrors of an application (one synchronous, one
 * asynchronous in a consistency group), the same MirrorGroup applied at both sites. A planned failover
 * is one edit at the new primary site, and the old site's group follows; with the primary site's agent
 * gone a planned failover is refused and changes nothing, a forced one takes over, and the dual role
 * on the site's return is resolved by one edit there. Data is checked byte for byte at each step.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MirrorGroupIT {
    private static TwoSites sites;
    private static OperatorSite a;
    private static OperatorSite b;

    @BeforeAll
    static void startSites() throws Exception {
        sites = TwoSites.start("mirror-group-it");
        a = sites.a;
        b = sites.b;
        sites.createVolumes("orders-db", 32);
        sites.createVolumes("orders-log", 32);
    }

    @AfterAll
    static void stopSites() throws Exception {
        if (sites != null) {
            sites.close();
        }
    }

    @Test
    @Order(1)
    void theGroupAppliedAtBothSitesIsStableOnceBothMirrorsAreSynchronizedAndAdopted() throws Exception {
        Tools.qemuIoOk(a.agent.attachedNbdUri("orders-db"), List.of("write -P 0x11 0 32M"));
        Tools.qemuIoOk(a.agent.attachedNbdUri("orders-log"), List.of("write -P 0x22 0 32M"));
        String peer = TwoSites.replicationEndpoint(b);
        a.kube.kubectl("""
                apiVersion: copyservices.dev/v1alpha1
                kind: RemoteMirror
                metadata: {name: orders-db, labels: {app: orders}}
                spec:
                  volume: {array: node-1, volume: orders-db}
                  peer: {site: site-b, endpoint: "%1$s", volume: orders-db}
                  role: Primary
                  syncPriority: Highest
                ---
                apiVersion: copyservices.dev/v1alpha1
                kind: RemoteMirror
                metadata: {name: orders-log, labels: {app: orders}}
                spec:
                  volume: {array: node-1, volume: orders-log}
                  peer: {site: site-b, endpoint: "%1$s", volume: orders-log}
                  role: Primary
                  writeMode: Asynchronous
                  consistencyGroup: orders
                  syncPriority: Highest
                """.formatted(peer), "apply", "-f", "-").orFail();
        for (OperatorSite site : List.of(a, b)) {
            site.kube.kubectl("""
                    apiVersion: copyservices.dev/v1alpha1
                    kind: MirrorGroup
                    metadata: {name: orders}
                    spec:
                      selector: {matchLabels: {app: orders}}
                      primarySite: site-a
                    """, "apply", "-f", "-").orFail();
        }
        for (String member : List.of("remotemirror/orders-db", "remotemirror/orders-log")) {
            TwoSites.awaitCreated(b, member);
            b.await(member, "condition=Synchronized");
        }
        a.await("mirrorgroup/orders", "condition=Ready");
        b.await("mirrorgroup/orders", "condition=Ready");
        assertEquals("site-a", b.get("mirrorgroup/orders", "{.status.primarySite}"));
        assertEquals("2", b.get("mirrorgroup/orders", "{.status.memberCount}"));
    }

    @Test
    @Order(2)
    void onePrimarySiteEditAtSiteBIsAPlannedFailoverOfTheWholeGroupAndSiteAsGroupFollows() throws Exception {
        TwoSites.patch(b, "mirrorgroup/orders", "{\"spec\":{\"primarySite\":\"site-b\"}}");

        b.await("mirrorgroup/orders", "jsonpath={.status.lastFailover.to}=site-b");
        b.await("mirrorgroup/orders", "condition=Ready");
        a.await("mirrorgroup/orders", "jsonpath={.spec.primarySite}=site-b");
        a.await("mirrorgroup/orders", "condition=Ready");
        for (String member : List.of("remotemirror/orders-db", "remotemirror/orders-log")) {
            assertEquals("Primary", b.get(member, "{.status.role}"));
            assertEquals("Secondary", a.get(member, "{.spec.role}"));
        }
        Tools.qemuIoOk(b.agent.attachedNbdUri("orders-db"), List.of("write -P 0x33 0 1M"));
        Tools.qemuIoOk(b.agent.attachedNbdUri("orders-log"), List.of("write -P 0x44 0 1M"));
        a.await("remotemirror/orders-db", "condition=Synchronized");
        Tools.qemuIoOk(true, a.agent.attachedNbdUri("orders-db"), List.of("read -P 0x33 0 1M", "read -P 0x11 1M 31M"));
    }

    @Test
    @Order(3)
    void withSiteBGoneAPlannedFailoverIsRefusedAndChangesNothingAndAForcedOneTakesOver() throws Exception {
        b.agent.kill9();
        a.await("remotemirror/orders-db", "jsonpath={.status.state}=Unresponsive");

        TwoSites.patch(a, "mirrorgroup/orders", "{\"spec\":{\"primarySite\":\"site-a\"}}");
        a.await("mirrorgroup/orders", "jsonpath={.spec.primarySite}=site-b");
        String refusal = a.awaitEvent("FailoverRefused");
        assertTrue(refusal.contains("force: true"), "the refusal says how to take over: " + refusal);
        assertEquals("Secondary", a.get("remotemirror/orders-db", "{.spec.role}"), "no member changed");

        TwoSites.patch(a, "mirrorgroup/orders", "{\"spec\":{\"primarySite\":\"site-a\",\"force\":true}}");
        a.await("remotemirror/orders-db", "jsonpath={.status.role}=Primary");
        a.await("remotemirror/orders-log", "jsonpath={.status.role}=Primary");
        a.await("mirrorgroup/orders", "jsonpath={.status.lastFailover.forced}=true");
        Tools.qemuIoOk(a.agent.attachedNbdUri("orders-db"), List.of("write -P 0x55 2M 1M"));
    }

    @Test
    @Order(4)
    void whenSiteBReturnsBothGroupsReportTheConflictAndOneEditThereResolvesIt() throws Exception {
        b.agent.launch();
        a.await("mirrorgroup/orders", "condition=DualRoleConflict");
        b.await("mirrorgroup/orders", "condition=DualRoleConflict");

        TwoSites.patch(b, "mirrorgroup/orders", "{\"spec\":{\"primarySite\":\"site-a\"}}");
        for (String member : List.of("remotemirror/orders-db", "remotemirror/orders-log")) {
            b.await(member, "jsonpath={.status.role}=Secondary");
            b.await(member, "condition=Synchronized");
        }
        b.await("mirrorgroup/orders", "condition=Ready");
        a.await("mirrorgroup/orders", "condition=Ready");
        assertEquals("site-a", a.get("mirrorgroup/orders", "{.status.primarySite}"));
        Tools.qemuIoOk(true, b.agent.attachedNbdUri("orders-db"), List.of("read -P 0x33 0 1M", "read -P 0x55 2M 1M"));
        Tools.qemuIoOk(true, b.agent.attachedNbdUri("orders-log"), List.of("read -P 0x44 0 1M", "read -P 0x22 1M 31M"));
    }
}
