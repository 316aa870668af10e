package dev.copyservices.operator.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.it.AgentProcess;
import dev.copyservices.agent.it.Tools;
import dev.copyservices.api.agent.v1.CreateVolumeRequest;
import dev.copyservices.api.agent.v1.FlashCopyRef;
import dev.copyservices.api.agent.v1.FlashCopyServiceGrpc;
import dev.copyservices.api.agent.v1.VolumeServiceGrpc;
import dev.copyservices.kubetest.Kubectl;
import dev.copyservices.kubetest.LocalKubeApiServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
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
    private static OperatorSite site;
    private static LocalKubeApiServer kube;
    private static AgentProcess agent;

    @BeforeAll
    static void startSite() throws Exception {
        site = OperatorSite.start("flashcopy-it");
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
    void aFlashCopyReadsItsPointInTimeAfterTheBaseIsOverwrittenAndANewGenerationMovesIt() throws Exception {
        volume("db", 64);
        qemuIo(agent.attachedNbdUri("db"), "write -P 0xaa 0 1M");
        apply("db-snap", "source: {array: node-1, volume: db}\n  repository: {percent: 50}");
        await("db-snap", "condition=Ready");
        String onArray = get("db-snap", "{.status.arrayName}");

        qemuIo(agent.attachedNbdUri("db"), "write -P 0xbb 0 1M");
        qemuIo(agent.attachedNbdUri(onArray), "read -P 0xaa 0 1M");

        kube.kubectl(null, "patch", "flashcopy", "db-snap", "--type", "merge", "-p", "{\"spec\":{\"flashGeneration\":1}}").orFail();
        await("db-snap", "jsonpath={.status.observedFlashGeneration}=1");
        qemuIo(agent.attachedNbdUri(onArray), "read -P 0xbb 0 1M");

        String table = kube.kubectl(null, "get", "flashcopies").orFail().stdout();
        assertTrue(table.lines().anyMatch(l -> l.startsWith("db-snap ") && l.contains(" Snapshot ") && l.contains(" Optimal ")), table);
    }

    @Test
    void aScheduleTakesANewPointInTimeByItselfHoldingTheBaseAsItWasThen() throws Exception {
        volume("ledger", 16);
        qemuIo(agent.attachedNbdUri("ledger"), "write -P 0x0a 0 1M");
        apply("ledger-nightly", "source: {array: node-1, volume: ledger}\n  schedule: \"* * * * *\"");
        await("ledger-nightly", "condition=Ready");
        String onArray = get("ledger-nightly", "{.status.arrayName}");
        qemuIo(agent.attachedNbdUri(onArray), "read -P 0x0a 0 1M");

        qemuIo(agent.attachedNbdUri("ledger"), "write -P 0x0b 0 1M");
        // every minute: within about 60 s the operator wakes itself and takes the next point in time
        Kubectl.Result flashed = kube.kubectl(null, "wait", "flashcopy/ledger-nightly", "--for",
                "jsonpath={.status.lastScheduleTime}", "--timeout", "90s");
        assertTrue(flashed.ok(), "no scheduled point in time: " + flashed.stderr());
        qemuIo(agent.attachedNbdUri(onArray), "read -P 0x0b 0 1M");
        String events = kube.kubectl(null, "get", "events", "--field-selector", "reason=ScheduledFlash", "-o", "name").orFail().stdout();
        assertTrue(events.contains("ledger-nightly."), events);
    }

    @Test
    void exposeAsGivesTheFlashCopyAReadOnlyClaimThatGoesWithIt() throws Exception {
        volume("reports", 16);
        apply("reports-snap", "source: {array: node-1, volume: reports}\n  exposeAs: reports-yesterday");
        await("reports-snap", "condition=Exposed");
        String onArray = get("reports-snap", "{.status.arrayName}");
        String pv = kube.kubectl(null, "get", "pvc", "reports-yesterday", "-o", "jsonpath={.spec.volumeName}").orFail().stdout();
        assertEquals("block.copyservices.dev site-a-node-1/" + onArray + " true Retain", kube.kubectl(null, "get", "pv", pv, "-o",
                "jsonpath={.spec.csi.driver} {.spec.csi.volumeHandle} {.spec.csi.readOnly} {.spec.persistentVolumeReclaimPolicy}")
                .orFail().stdout());

        kube.kubectl(null, "delete", "flashcopy", "reports-snap", "--timeout", "60s").orFail();
        // deleted, and held only by Kubernetes' own in-use protection finalizers, which the controller
        // manager removes once no pod uses them (none runs here)
        for (String claimOrVolume : List.of("pvc/reports-yesterday", "pv/" + pv)) {
            String left = kube.kubectl(null, "get", claimOrVolume, "--ignore-not-found", "-o",
                    "jsonpath={.metadata.name} {.metadata.deletionTimestamp}").orFail().stdout().trim();
            assertTrue(left.isEmpty() || left.split(" ").length == 2, claimOrVolume + " was not deleted: " + left);
        }
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
    void theOperatorsMetricsCountReconciliationsOfFlashCopies() throws Exception {
        volume("metered", 16);
        apply("metered-snap", "source: {array: node-1, volume: metered}");
        await("metered-snap", "condition=Ready");
        // JOSDK's Micrometer metrics, in the registry QOSDK hands it; counted per controller
        String text = site.operator.metrics();
        double reconciled = text.lines()
                .filter(l -> l.startsWith("operator_sdk_controllers_execution_reconcile_success_total{")
                        && l.contains("controller=\"flashcopyreconciler\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        assertTrue(reconciled >= 1, "no successful FlashCopy reconciliation counted:\n" + text);
        assertTrue(text.contains("operator_sdk_reconciliations_executions_flashcopyreconciler{"), text);
        assertTrue(text.contains("# TYPE operator_sdk_controllers_execution_reconcile_seconds histogram"), text);
    }

    @Test
    void aRepositoryCrossingItsThresholdShowsOnTheResourceThroughTheAgentsEvents() throws Exception {
        volume("logs", 64);
        apply("logs-snap", "source: {array: node-1, volume: logs}\n  repository: {capacity: 8Mi, warningThresholdPercent: 50}");
        await("logs-snap", "condition=Ready");
        assertEquals("False", get("logs-snap", "{.status.conditions[?(@.type==\"RepositoryThresholdExceeded\")].status}"));

        qemuIo(agent.attachedNbdUri("logs"), "write -P 0xcc 0 6M");

        await("logs-snap", "condition=RepositoryThresholdExceeded");
        String events = kube.kubectl(null, "get", "events", "--field-selector", "reason=RepositoryThresholdExceeded", "-o", "name").orFail().stdout();
        assertTrue(events.contains("logs-snap."), events);
    }

    @Test
    void aCopyModeFlashCopyShowsThePointInTimeOnItsTargetAndAReflashCopiesTheNewOne() throws Exception {
        volume("src", 32);
        volume("src-copy", 32);
        qemuIo(agent.attachedNbdUri("src"), "write -P 0x21 0 32M");
        apply("src-pit", "source: {array: node-1, volume: src}\n  mode: Copy\n  target: {array: node-1, volume: src-copy}\n"
                + "  copyOptions: {backgroundCopy: true, persistent: true, incremental: true}");
        await("src-pit", "condition=Ready");
        qemuIo(agent.attachedNbdUri("src"), "write -P 0x22 0 1M");
        qemuIo(agent.attachedNbdUri("src-copy"), "read -P 0x21 0 32M");
        await("src-pit", "condition=BackgroundCopyComplete");

        kube.kubectl(null, "patch", "flashcopy", "src-pit", "--type", "merge", "-p", "{\"spec\":{\"flashGeneration\":1}}").orFail();
        await("src-pit", "jsonpath={.status.observedFlashGeneration}=1");
        qemuIo(agent.attachedNbdUri("src-copy"), "read -P 0x22 0 1M");
        qemuIo(agent.attachedNbdUri("src-copy"), "read -P 0x21 1M 31M");

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
    void aFlashCopyOfAVolumeTheArrayDoesNotHaveShowsTheAgentsReasonAndHint() throws Exception {
        apply("nothing-snap", "source: {array: node-1, volume: nothing}");
        await("nothing-snap", "condition=Ready=False");
        assertEquals("VolumeNotFound", get("nothing-snap", "{.status.conditions[?(@.type==\"Ready\")].reason}"));
        assertTrue(get("nothing-snap", "{.status.conditions[?(@.type==\"Ready\")].message}").contains("To fix:"));
        // the problem is counted per kind and reason (its Warning was recorded before Ready turned False)
        String text = site.operator.metrics();
        double warnings = text.lines()
                .filter(l -> l.startsWith("copyservices_operator_warning_events_total{") && l.contains("kind=\"FlashCopy\"")
                        && l.contains("reason=\"VolumeNotFound\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        assertTrue(warnings >= 1, "no FlashCopy VolumeNotFound warning counted:\n" + text);
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
        site.await("flashcopy/" + name, condition);
    }

    private static String get(String name, String jsonPath) {
        return site.get("flashcopy/" + name, jsonPath);
    }

    /** qemu-io against an NBD export; fails unless every command succeeded and every pattern verified. */
    static void qemuIo(String uri, String command) throws IOException, InterruptedException {
        Tools.qemuIoOk(uri, List.of(command));
    }
}
