package dev.copyservices.operator.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.it.AgentProcess;
import dev.copyservices.api.agent.v1.CreateVolumeRequest;
import dev.copyservices.api.agent.v1.FlashCopyRef;
import dev.copyservices.api.agent.v1.FlashCopyServiceGrpc;
import dev.copyservices.api.agent.v1.VolumeServiceGrpc;
import dev.copyservices.kubetest.Kubectl;
import dev.copyservices.kubetest.LocalKubeApiServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * FlashCopy resources run by the operator process on a real agent, against a real kube-apiserver:
 * the data an NBD client reads from the copy is the point in time, a new generation moves it, and
 * the repository's threshold reaches the resource through the agent's event stream.
 */
class FlashCopyIT {
    private static final Path DIR = Path.of("target", "flashcopy-it");
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
                "crd/storagearrays.copyservices.dev", "crd/flashcopies.copyservices.dev").orFail();
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
    void aFlashCopyReadsItsPointInTimeAfterTheBaseIsOverwrittenAndANewGenerationMovesIt() throws Exception {
        volume("db", 64);
        qemuIo(agent.nbdUri("db"), "write -P 0xaa 0 1M");
        apply("db-snap", "source: {array: node-1, volume: db}\n  repository: {percent: 50}");
        await("db-snap", "condition=Ready");
        String onArray = get("db-snap", "{.status.arrayName}");

        qemuIo(agent.nbdUri("db"), "write -P 0xbb 0 1M");
        qemuIo(agent.nbdUri(onArray), "read -P 0xaa 0 1M");

        kube.kubectl(null, "patch", "flashcopy", "db-snap", "--type", "merge", "-p", "{\"spec\":{\"flashGeneration\":1}}").orFail();
        await("db-snap", "jsonpath={.status.observedFlashGeneration}=1");
        qemuIo(agent.nbdUri(onArray), "read -P 0xbb 0 1M");

        String table = kube.kubectl(null, "get", "flashcopies").orFail().stdout();
        assertTrue(table.lines().anyMatch(l -> l.startsWith("db-snap ") && l.contains(" Snapshot ") && l.contains(" Optimal ")), table);
    }

    @Test
    void disablingAndDeletingTheResourceReachTheArray() throws Exception {
        volume("web", 16);
        apply("web-snap", "source: {array: node-1, volume: web}");
        await("web-snap", "condition=Ready");
        String onArray = get("web-snap", "{.status.arrayName}");

        kube.kubectl(null, "patch", "flashcopy", "web-snap", "--type", "merge", "-p", "{\"spec\":{\"enabled\":false}}").orFail();
        await("web-snap", "jsonpath={.status.state}=Disabled");

        kube.kubectl(null, "delete", "flashcopy", "web-snap", "--timeout", "60s").orFail();
        StatusRuntimeException gone = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                () -> FlashCopyServiceGrpc.newBlockingStub(agent.channel()).getFlashCopy(FlashCopyRef.newBuilder().setName(onArray).build()));
        assertEquals(Status.Code.NOT_FOUND, gone.getStatus().getCode());
    }

    @Test
    void aRepositoryCrossingItsThresholdShowsOnTheResourceThroughTheAgentsEvents() throws Exception {
        volume("logs", 64);
        apply("logs-snap", "source: {array: node-1, volume: logs}\n  repository: {capacity: 8Mi, warningThresholdPercent: 50}");
        await("logs-snap", "condition=Ready");
        assertEquals("False", get("logs-snap", "{.status.conditions[?(@.type==\"RepositoryThresholdExceeded\")].status}"));

        qemuIo(agent.nbdUri("logs"), "write -P 0xcc 0 6M");

        await("logs-snap", "condition=RepositoryThresholdExceeded");
        String events = kube.kubectl(null, "get", "events", "--field-selector", "reason=RepositoryThresholdExceeded", "-o", "name").orFail().stdout();
        assertTrue(events.contains("logs-snap."), events);
    }

    @Test
    void aCopyModeFlashCopyShowsThePointInTimeOnItsTargetAndAReflashCopiesTheNewOne() throws Exception {
        volume("src", 32);
        volume("src-copy", 32);
        qemuIo(agent.nbdUri("src"), "write -P 0x21 0 32M");
        apply("src-pit", "source: {array: node-1, volume: src}\n  mode: Copy\n  target: {array: node-1, volume: src-copy}\n"
                + "  copyOptions: {backgroundCopy: true, persistent: true, incremental: true}");
        await("src-pit", "condition=Ready");
        qemuIo(agent.nbdUri("src"), "write -P 0x22 0 1M");
        qemuIo(agent.nbdUri("src-copy"), "read -P 0x21 0 32M");
        await("src-pit", "condition=BackgroundCopyComplete");

        kube.kubectl(null, "patch", "flashcopy", "src-pit", "--type", "merge", "-p", "{\"spec\":{\"flashGeneration\":1}}").orFail();
        await("src-pit", "jsonpath={.status.observedFlashGeneration}=1");
        qemuIo(agent.nbdUri("src-copy"), "read -P 0x22 0 1M");
        qemuIo(agent.nbdUri("src-copy"), "read -P 0x21 1M 31M");

        kube.kubectl(null, "delete", "flashcopy", "src-pit", "--timeout", "60s").orFail();
        assertEquals(Status.Code.NOT_FOUND, org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                () -> dev.copyservices.api.agent.v1.FlashCopyRelationshipServiceGrpc.newBlockingStub(agent.channel())
                        .getRelationship(dev.copyservices.api.agent.v1.RelationshipRef.newBuilder().setName("src-copy").build()))
                .getStatus().getCode());
    }

    @Test
    void deletingACopyModeFlashCopyWithUncopiedRegionsWaitsUntilForced() throws Exception {
        volume("lazy", 32);
        volume("lazy-copy", 32);
        apply("lazy-pit", "source: {array: node-1, volume: lazy}\n  mode: Copy\n  target: {array: node-1, volume: lazy-copy}\n"
                + "  copyOptions: {backgroundCopy: false}");
        await("lazy-pit", "condition=Ready");

        kube.kubectl(null, "delete", "flashcopy", "lazy-pit", "--wait=false").orFail();
        awaitEvent("BackgroundCopyIncomplete", "lazy-pit");
        assertTrue(kube.kubectl(null, "get", "flashcopy", "lazy-pit").ok(), "the finalizer holds the delete");

        kube.kubectl(null, "annotate", "flashcopy", "lazy-pit", "copyservices.dev/force-withdraw=true").orFail();
        kube.kubectl(null, "wait", "--for", "delete", "flashcopy/lazy-pit", "--timeout", "60s").orFail();
    }

    @Test
    void aFlashCopyOfAVolumeTheArrayDoesNotHaveShowsTheAgentsReasonAndHint() {
        apply("nothing-snap", "source: {array: node-1, volume: nothing}");
        await("nothing-snap", "condition=Ready=False");
        assertEquals("VolumeNotFound", get("nothing-snap", "{.status.conditions[?(@.type==\"Ready\")].reason}"));
        assertTrue(get("nothing-snap", "{.status.conditions[?(@.type==\"Ready\")].message}").contains("To fix:"));
        kube.kubectl(null, "delete", "flashcopy", "nothing-snap", "--timeout", "60s").orFail();
    }

    /** Waits until an Event with this reason about this resource exists (polled: kubectl cannot wait for one). */
    static void awaitEvent(String reason, String resource) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String events = "";
        while (System.nanoTime() < deadline) {
            events = kube.kubectl(null, "get", "events", "--field-selector", "reason=" + reason, "-o", "name").stdout();
            if (events.contains("/" + resource + ".")) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        throw new AssertionError("no " + reason + " Event about " + resource + " within 60 s: " + events);
    }

    private static void volume(String name, int mib) {
        VolumeServiceGrpc.newBlockingStub(agent.channel())
                .createVolume(CreateVolumeRequest.newBuilder().setName(name).setSizeBytes((long) mib << 20).build());
    }

    private static void apply(String name, String spec) {
        kube.kubectl("""
                apiVersion: copyservices.dev/v1alpha1
                kind: FlashCopy
                metadata:
                  name: %s
                spec:
                  %s
                """.formatted(name, spec), "apply", "-f", "-").orFail();
    }

    private static void await(String name, String condition) {
        Kubectl.Result result = kube.kubectl(null, "wait", "flashcopy/" + name, "--for", condition, "--timeout", "60s");
        if (!result.ok()) {
            throw new AssertionError("flashcopy/" + name + " did not reach " + condition + ": " + result.stderr()
                    + "\n" + kube.kubectl(null, "get", "flashcopy", name, "-o", "yaml").stdout());
        }
    }

    private static String get(String name, String jsonPath) {
        return kube.kubectl(null, "get", "flashcopy", name, "-o", "jsonpath=" + jsonPath).orFail().stdout();
    }

    /** qemu-io against an NBD export; fails with its output unless every command succeeded. */
    static void qemuIo(String uri, String command) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("qemu-io", "-f", "raw", uri, "-c", command));
        Process process = new ProcessBuilder(args).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0 || output.contains("Pattern verification failed")
                || output.contains("failed")) {
            throw new AssertionError("qemu-io " + uri + " '" + command + "':\n" + output);
        }
    }
}
