package dev.copyservices.operator.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.it.AgentProcess;
import dev.copyservices.api.agent.v1.ArrayServiceGrpc;
import dev.copyservices.api.agent.v1.CreateVolumeRequest;
import dev.copyservices.api.agent.v1.GetArrayRequest;
import dev.copyservices.api.agent.v1.VolumeServiceGrpc;
import dev.copyservices.kubetest.Kubectl;
import dev.copyservices.kubetest.LocalKubeApiServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator process against a real kube-apiserver and real agent processes: a StorageArray shows
 * what its agent reports, follows the agent's changes through its event stream, and says plainly
 * when the agent is gone or is not the one the spec describes.
 */
class StorageArrayIT {
    private static final Path DIR = Path.of("target", "storage-array-it");
    private static LocalKubeApiServer kube;
    private static AgentProcess agent;
    private static OperatorProcess operator;

    @BeforeAll
    static void startApiServerAgentAndOperator() throws Exception {
        deleteTree(DIR);
        Files.createDirectories(DIR);
        kube = LocalKubeApiServer.start(DIR.resolve("kube"));
        kube.kubectl(null, "apply", "-f", System.getProperty("crds.committed", "../crds")).orFail();
        kube.kubectl(null, "wait", "--for", "condition=Established", "--timeout", "60s",
                "crd/storagearrays.copyservices.dev").orFail();
        agent = AgentProcess.start(DIR.resolve("pool"), "site-a-node-1", "site-a", java.util.List.of());
        operator = OperatorProcess.start(kube.kubeconfig(), DIR.resolve("operator.log"));
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
        Kubectl.Result result = kube.kubectl(null, "wait", "storagearray/" + name, "--for", "condition=Ready=" + status, "--timeout", "60s");
        if (!result.ok()) {
            throw new AssertionError("storagearray/" + name + " did not become Ready=" + status + ": " + result.stderr()
                    + "\n" + kube.kubectl(null, "get", "storagearray", name, "-o", "yaml").stdout());
        }
    }

    private static String get(String name, String jsonPath) {
        return kube.kubectl(null, "get", "storagearray", name, "-o", "jsonpath=" + jsonPath).orFail().stdout();
    }

    static void deleteTree(Path dir) throws java.io.IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
