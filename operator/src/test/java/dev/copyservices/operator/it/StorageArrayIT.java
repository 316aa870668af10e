package dev.copyservices.operator.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.it.AgentProcess;
import dev.copyservices.api.agent.v1.ArrayServiceGrpc;
import dev.copyservices.api.agent.v1.CreateVolumeRequest;
import dev.copyservices.api.agent.v1.GetArrayRequest;
import dev.copyservices.api.agent.v1.VolumeServiceGrpc;
import dev.copyservices.kubetest.LocalKubeApiServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator process against a real kube-apiserver and real agent processes: a StorageArray shows
 * what its agent reports, follows the agent's changes through its event stream, and says plainly
 * when the agent is gone or is not the one the spec describes.
 */
class StorageArrayIT {
    private static OperatorSite site;
    private static LocalKubeApiServer kube;
    private static AgentProcess agent;

    @BeforeAll
    static void startSite() throws Exception {
        site = OperatorSite.start("storage-array-it");
        kube = site.kube;
        agent = site.agent;
    }

    @AfterAll
    static void stopSite() throws Exception {
        if (site != null) {
            site.close();
        }
    }

    @Test
    void aStorageArrayShowsWhatItsAgentReportsAndFollowsItsChanges() throws Exception {
        apply("node-1", agent.controlAddress(), "site-a");
        awaitReady("node-1", "True");
        String arrayId = ArrayServiceGrpc.newBlockingStub(agent.channel()).getArray(GetArrayRequest.getDefaultInstance()).getId();
        assertEquals(arrayId + " site-a-node-1 AgentReady", get("node-1", "{.status.arrayId} {.status.arrayName} "
                + "{.status.conditions[?(@.type==\"Ready\")].reason}"));
        assertTrue(Long.parseLong(get("node-1", "{.status.capacity.poolTotalBytes}")) > 0);
        assertEquals("0", get("node-1", "{.status.counts.volumes}"));

        // A change on the array reaches the resource through the agent's event stream.
        VolumeServiceGrpc.newBlockingStub(agent.channel())
                .createVolume(CreateVolumeRequest.newBuilder().setName("db").setSizeBytes(1 << 20).build());
        kube.kubectl(null, "wait", "storagearray/node-1", "--for", "jsonpath={.status.counts.volumes}=1", "--timeout", "30s").orFail();

        String table = kube.kubectl(null, "get", "storagearrays").orFail().stdout();
        assertTrue(table.lines().anyMatch(l -> l.startsWith("node-1 ") && l.contains(" site-a ") && l.contains(" True ")), table);
    }

    @Test
    void aRunningAgentPodGetsAStorageArrayNamedAfterItsNodeThatFollowsThePodsNewAddress() throws Exception {
        // No kubelet runs here: the pod is an object, and its status is set as a kubelet would set it.
        kube.kubectl("""
                apiVersion: v1
                kind: Pod
                metadata: {name: agent-x1, labels: {app.kubernetes.io/component: array-agent, copyservices.dev/site: site-a}}
                spec:
                  nodeName: node-7
                  containers:
                  - name: agent
                    image: copyservices/array-agent
                    ports: [{name: control, containerPort: %d}]
                """.formatted(agent.controlPort()), "apply", "-f", "-").orFail();
        kube.kubectl(null, "patch", "pod", "agent-x1", "--subresource", "status", "--type", "merge", "-p",
                "{\"status\":{\"phase\":\"Running\",\"podIP\":\"127.0.0.2\",\"podIPs\":[{\"ip\":\"127.0.0.2\"}]}}").orFail();
        kube.kubectl(null, "wait", "--for=create", "storagearray/node-7", "--timeout", "60s").orFail();
        assertEquals("127.0.0.2:" + agent.controlPort() + " site-a", get("node-7", "{.spec.endpoint} {.spec.site}"));

        // the agent listens on 127.0.0.1 only: the pod "moves" there, and the array follows and turns Ready
        kube.kubectl(null, "patch", "pod", "agent-x1", "--subresource", "status", "--type", "merge", "-p",
                "{\"status\":{\"podIP\":\"127.0.0.1\",\"podIPs\":[{\"ip\":\"127.0.0.1\"}]}}").orFail();
        awaitReady("node-7", "True");
        assertEquals(agent.controlAddress(), get("node-7", "{.spec.endpoint}"));

        // a StorageArray a person wrote under a pod's node name is theirs: the operator leaves it alone
        apply("node-8", "192.0.2.1:7400", "site-a");
        kube.kubectl("""
                apiVersion: v1
                kind: Pod
                metadata: {name: agent-x2, labels: {app.kubernetes.io/component: array-agent}}
                spec:
                  nodeName: node-8
                  containers: [{name: agent, image: copyservices/array-agent}]
                """, "apply", "-f", "-").orFail();
        kube.kubectl(null, "patch", "pod", "agent-x2", "--subresource", "status", "--type", "merge", "-p",
                "{\"status\":{\"phase\":\"Running\",\"podIP\":\"127.0.0.1\",\"podIPs\":[{\"ip\":\"127.0.0.1\"}]}}").orFail();
        assertTrue(site.awaitEvent("StorageArrayKept").contains("node-8"));
        assertEquals("192.0.2.1:7400", get("node-8", "{.spec.endpoint}"));
        kube.kubectl(null, "delete", "pod", "agent-x1", "agent-x2", "--wait=false").orFail();
        kube.kubectl(null, "delete", "storagearray", "node-7", "node-8").orFail();
    }

    @Test
    void aKilledAgentTurnsReadyFalseWithWhatToDoAndReadyAgainOnceRestarted() throws Exception {
        apply("node-1-restart", agent.controlAddress(), "site-a");
        awaitReady("node-1-restart", "True");

        agent.kill9();
        awaitReady("node-1-restart", "False");
        assertEquals("AgentUnreachable", get("node-1-restart", "{.status.conditions[?(@.type==\"Ready\")].reason}"));
        String message = get("node-1-restart", "{.status.conditions[?(@.type==\"Ready\")].message}");
        assertTrue(message.contains(agent.controlAddress()) && message.contains("To fix:"), message);
        String events = kube.kubectl(null, "get", "events", "--field-selector", "reason=AgentUnreachable", "-o", "name").orFail().stdout();
        assertTrue(events.contains("node-1-restart."), "no AgentUnreachable Event:\n" + events);

        agent.launch();
        awaitReady("node-1-restart", "True");
    }

    @Test
    void anEndpointWithoutAnAgentIsReportedUnreachable() throws Exception {
        apply("nobody", "127.0.0.1:" + AgentProcess.freePort(), null);
        awaitReady("nobody", "False");
        assertEquals("AgentUnreachable", get("nobody", "{.status.conditions[?(@.type==\"Ready\")].reason}"));
    }

    @Test
    void anAgentOfAnotherSiteIsNotReady() throws Exception {
        apply("wrong-site", agent.controlAddress(), "site-b");
        awaitReady("wrong-site", "False");
        assertEquals("SiteMismatch", get("wrong-site", "{.status.conditions[?(@.type==\"Ready\")].reason}"));
        assertTrue(get("wrong-site", "{.status.conditions[?(@.type==\"Ready\")].message}").contains("--site site-b"));
    }

    @Test
    void aStorageArrayIsDeletedAtOnceAndTheOperatorCarriesOn() throws Exception {
        apply("short-lived", agent.controlAddress(), "site-a");
        awaitReady("short-lived", "True");

        kube.kubectl(null, "delete", "storagearray", "short-lived", "--timeout", "30s").orFail();

        assertTrue(!kube.kubectl(null, "get", "storagearray", "short-lived").ok());
        apply("after-delete", agent.controlAddress(), "site-a");
        awaitReady("after-delete", "True");
    }

    private static void apply(String name, String endpoint, String site) {
        kube.kubectl("""
                apiVersion: copyservices.dev/v1alpha1
                kind: StorageArray
                metadata:
                  name: %s
                spec:
                  endpoint: "%s"
                %s""".formatted(name, endpoint, site == null ? "" : "  site: " + site + "\n"), "apply", "-f", "-").orFail();
    }

    private static void awaitReady(String name, String status) {
        site.await("storagearray/" + name, "condition=Ready=" + status);
    }

    private static String get(String name, String jsonPath) {
        return site.get("storagearray/" + name, jsonPath);
    }
}
