package dev.copyservices.crds.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.kubetest.Kubectl;
import dev.copyservices.kubetest.LocalKubeApiServer;
import dev.copyservices.kubetest.TestDirectories;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The committed CRDs and examples against a real kube-apiserver, through the real kubectl: what a
 * user applies is accepted, and each wrong resource is refused by the API server with a message that
 * says what to change, leaving nothing behind.
 */
class CrdSchemaIT {
    private static final Path CRDS = Path.of(System.getProperty("crds.committed", "."));
    private static final Path EXAMPLES = Path.of(System.getProperty("examples.dir", "../examples"));
    private static LocalKubeApiServer kube;

    @BeforeAll
    static void startApiServerAndInstallCrds() throws Exception {
        kube = LocalKubeApiServer.start(TestDirectories.fresh(Path.of("target", "crd-schema-it")));
        kube.kubectl(null, "apply", "-f", CRDS.toString()).orFail();
        kube.kubectl(null, "wait", "--for", "condition=Established", "--timeout", "60s",
                "crd/storagearrays.copyservices.dev", "crd/flashcopies.copyservices.dev",
                "crd/flashcopygroups.copyservices.dev", "crd/volumecopies.copyservices.dev",
                "crd/remotemirrors.copyservices.dev", "crd/mirrorgroups.copyservices.dev").orFail();
    }

    @AfterAll
    static void stopApiServer() {
        if (kube != null) {
            kube.close();
        }
    }

    @Test
    void everyExampleIsAcceptedAndListedWithItsPrinterColumns() {
        Kubectl.Result applied = kube.kubectl(null, "apply", "-f", EXAMPLES.toString()).orFail();
        long files;
        try (Stream<Path> list = Files.list(EXAMPLES)) {
            files = list.filter(p -> p.toString().endsWith(".yaml")).count();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertEquals(files, applied.stdout().lines().filter(l -> l.endsWith(" created") || l.endsWith(" configured")
                || l.endsWith(" unchanged")).count(), applied.stdout());

        assertEquals(List.of("NAME", "ROLE", "STATE", "MODE", "PROGRESS", "LAG", "AGE"),
                header(kube.kubectl(null, "get", "remotemirrors").orFail().stdout()));
        assertEquals(List.of("NAME", "MODE", "STATE", "POINT-IN-TIME", "REPOSITORY", "COPIED", "AGE"),
                header(kube.kubectl(null, "get", "flashcopies").orFail().stdout()));
        assertEquals(List.of("NAME", "PRIMARY-SITE", "CURRENT", "STATE", "MEMBERS", "AGE"),
                header(kube.kubectl(null, "get", "mg").orFail().stdout()));
        String mode = kube.kubectl(null, "get", "remotemirror", "orders-db", "-o", "jsonpath={.spec.writeMode} {.spec.syncPriority} {.spec.force} {.spec.suspended}").orFail().stdout();
        assertEquals("Synchronous High false false", mode, "defaults the schema fills in");
    }

    @Test
    void kubectlExplainShowsTheFieldDescriptions() {
        // kubectl wraps descriptions at its terminal width
        String explained = kube.kubectl(null, "explain", "remotemirror.spec.role").orFail().stdout().replaceAll("\\s+", " ");
        assertTrue(explained.contains("planned role reversal"), explained);
        assertTrue(explained.contains("Primary") && explained.contains("Secondary"), explained);
        String kind = kube.kubectl(null, "explain", "flashcopy").orFail().stdout().replaceAll("\\s+", " ");
        assertTrue(kind.contains("A point-in-time copy of one volume"), kind);
    }

    static Stream<Arguments> wrongResources() {
        return Stream.of(
                Arguments.of("FlashCopy", "both-refs", "source: {pvc: db, array: a1, volume: db}",
                        "give either pvc, or array and volume, not both"),
                Arguments.of("FlashCopy", "no-ref", "source: {}", "give either pvc, or array and volume, not both"),
                Arguments.of("FlashCopy", "array-alone", "source: {array: a1}", "array and volume go together"),
                Arguments.of("FlashCopy", "long-volume", "source: {array: a1, volume: abcdefghijklmnopqrstuvwxyz12345}",
                        "spec.source.volume: Invalid value"),
                Arguments.of("FlashCopy", "no-source", "mode: Snapshot", "spec.source: Required value"),
                Arguments.of("FlashCopy", "bad-mode", "source: {pvc: db}\n  mode: Clone",
                        "Unsupported value: \"Clone\": supported values: \"Copy\", \"Snapshot\""),
                Arguments.of("FlashCopy", "copy-no-target", "source: {pvc: db}\n  mode: Copy",
                        "Copy mode needs a target volume"),
                Arguments.of("FlashCopy", "snapshot-target", "source: {pvc: db}\n  target: {pvc: db2}",
                        "Copy mode needs a target volume, Snapshot mode takes none"),
                Arguments.of("FlashCopy", "snapshot-options", "source: {pvc: db}\n  copyOptions: {persistent: true}",
                        "copyOptions apply to mode: Copy only"),
                Arguments.of("FlashCopy", "copy-repository", "source: {pvc: db}\n  mode: Copy\n  target: {pvc: db2}\n  repository: {percent: 10}",
                        "repository and exposeAs apply to mode: Snapshot only"),
                Arguments.of("FlashCopy", "copy-disabled", "source: {pvc: db}\n  mode: Copy\n  target: {pvc: db2}\n  enabled: false",
                        "enabled: false applies to mode: Snapshot only"),
                Arguments.of("FlashCopy", "incremental-alone", "source: {pvc: db}\n  mode: Copy\n  target: {pvc: db2}\n  copyOptions: {incremental: true}",
                        "incremental needs persistent"),
                Arguments.of("FlashCopy", "two-sizes", "source: {pvc: db}\n  repository: {percent: 10, capacity: 1Gi}",
                        "either as percent of the base or as capacity, not both"),
                Arguments.of("FlashCopy", "capacity-negative", "source: {pvc: db}\n  repository: {capacity: -1Gi}",
                        "the repository's capacity must be a size above zero"),
                Arguments.of("FlashCopy", "capacity-zero", "source: {pvc: db}\n  repository: {capacity: 0}",
                        "the repository's capacity must be a size above zero"),
                Arguments.of("FlashCopy", "percent-zero", "source: {pvc: db}\n  repository: {percent: 0}",
                        "spec.repository.percent: Invalid value: 0: spec.repository.percent in body should be greater than or equal to 1"),
                Arguments.of("FlashCopy", "threshold-over", "source: {pvc: db}\n  repository: {warningThresholdPercent: 101}",
                        "should be less than or equal to 100"),
                Arguments.of("FlashCopy", "bad-schedule", "source: {pvc: db}\n  schedule: every night",
                        "spec.schedule: Invalid value"),
                Arguments.of("FlashCopyGroup", "empty-selector", "selector: {}\n  targetSuffix: -pit",
                        "the selector must name labels"),
                Arguments.of("VolumeCopy", "two-sources", "source: {pvc: db, flashCopy: fc}\n  target: {pvc: db2}",
                        "give exactly one of pvc, flashCopy, or array and volume"),
                Arguments.of("VolumeCopy", "no-target", "source: {pvc: db}", "spec.target: Required value"),
                Arguments.of("VolumeCopy", "bad-priority", "source: {pvc: db}\n  target: {pvc: db2}\n  priority: Urgent",
                        "Unsupported value: \"Urgent\""),
                Arguments.of("RemoteMirror", "sync-group", mirror("role: Primary\n  consistencyGroup: g1"),
                        "consistencyGroup applies to writeMode: Asynchronous only"),
                Arguments.of("RemoteMirror", "sync-rpo", mirror("role: Primary\n  rpoObjectiveSeconds: 30"),
                        "rpoObjectiveSeconds applies to writeMode: Asynchronous only"),
                Arguments.of("RemoteMirror", "no-role", mirror("writeMode: Asynchronous"), "spec.role: Required value"),
                Arguments.of("RemoteMirror", "no-port", "volume: {pvc: db}\n  peer: {site: site-b, endpoint: site-b, volume: db}\n  role: Primary",
                        "spec.peer.endpoint: Invalid value"),
                Arguments.of("MirrorGroup", "empty-selector", "selector: {}\n  primarySite: site-a",
                        "the selector must name labels"),
                Arguments.of("MirrorGroup", "bad-site", "selector: {matchLabels: {app: x}}\n  primarySite: Site_A",
                        "spec.primarySite: Invalid value"),
                Arguments.of("StorageArray", "bad-endpoint", "endpoint: not an endpoint", "spec.endpoint: Invalid value"),
                Arguments.of("StorageArray", "twice-a-feature", "endpoint: 10.0.0.1:7700\n  features: [FlashCopy, FlashCopy]",
                        "list each feature once"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("wrongResources")
    void aWrongResourceIsRefusedWithWhatToChangeAndNothingIsCreated(String kind, String name, String spec, String message) {
        Kubectl.Result result = kube.kubectl(resource(kind, "wrong-" + name, spec), "create", "-f", "-");
        assertFalse(result.ok(), "accepted:\n" + result.stdout());
        assertTrue(result.stderr().contains(message), "expected \"" + message + "\" in:\n" + result.stderr());
        assertFalse(kube.kubectl(null, "get", kind.toLowerCase(), "wrong-" + name).ok(), "the wrong resource exists");
    }

    static Stream<Arguments> wrongEdits() {
        return Stream.of(
                Arguments.of("FlashCopy", "source: {pvc: db}", "{\"spec\":{\"source\":{\"pvc\":\"other\"}}}", "source cannot change"),
                Arguments.of("FlashCopy", "source: {pvc: db}", "{\"spec\":{\"mode\":\"Copy\",\"target\":{\"pvc\":\"db2\"}}}", "mode cannot change"),
                Arguments.of("FlashCopy", "source: {pvc: db}\n  flashGeneration: 3", "{\"spec\":{\"flashGeneration\":2}}", "flashGeneration can only go up"),
                Arguments.of("VolumeCopy", "source: {pvc: db}\n  target: {pvc: db2}", "{\"spec\":{\"target\":{\"pvc\":\"db3\"}}}", "target cannot change"),
                Arguments.of("VolumeCopy", "source: {pvc: db}\n  target: {pvc: db2}\n  recopyGeneration: 1", "{\"spec\":{\"recopyGeneration\":0}}", "recopyGeneration can only go up"),
                Arguments.of("RemoteMirror", mirror("role: Secondary"), "{\"spec\":{\"force\":true}}", "force: true goes with a change of role"),
                Arguments.of("RemoteMirror", mirror("role: Primary"), "{\"spec\":{\"peer\":{\"volume\":\"other\"}}}", "peer cannot change"),
                Arguments.of("MirrorGroup", "selector: {matchLabels: {app: x}}\n  primarySite: site-a", "{\"spec\":{\"force\":true}}",
                        "force: true goes with a change of primarySite"),
                Arguments.of("FlashCopyGroup", "selector: {matchLabels: {app: x}}\n  targetSuffix: -pit", "{\"spec\":{\"targetSuffix\":\"-copy\"}}",
                        "targetSuffix cannot change"));
    }

    @ParameterizedTest(name = "{0}: {2}")
    @MethodSource("wrongEdits")
    void aWrongEditIsRefusedAndTheResourceKeepsItsSpec(String kind, String spec, String patch, String message) {
        String name = "edit-" + Integer.toHexString((spec + patch).hashCode());
        kube.kubectl(resource(kind, name, spec), "create", "-f", "-").orFail();
        String before = kube.kubectl(null, "get", kind.toLowerCase(), name, "-o", "jsonpath={.spec}").orFail().stdout();
        Kubectl.Result result = kube.kubectl(null, "patch", kind.toLowerCase(), name, "--type", "merge", "-p", patch);
        assertFalse(result.ok(), "accepted: " + result.stdout());
        assertTrue(result.stderr().contains(message), "expected \"" + message + "\" in:\n" + result.stderr());
        assertEquals(before, kube.kubectl(null, "get", kind.toLowerCase(), name, "-o", "jsonpath={.spec}").orFail().stdout());
    }

    @Test
    void forceIsAcceptedInTheEditThatChangesTheRoleOrThePrimarySite() {
        kube.kubectl(resource("RemoteMirror", "failover", mirror("role: Secondary")), "create", "-f", "-").orFail();
        kube.kubectl(null, "patch", "remotemirror", "failover", "--type", "merge",
                "-p", "{\"spec\":{\"role\":\"Primary\",\"force\":true}}").orFail();
        // Once forced, other edits stay possible without clearing force first.
        kube.kubectl(null, "patch", "remotemirror", "failover", "--type", "merge",
                "-p", "{\"spec\":{\"syncPriority\":\"Low\"}}").orFail();

        kube.kubectl(resource("MirrorGroup", "failover", "selector: {matchLabels: {app: x}}\n  primarySite: site-a"),
                "create", "-f", "-").orFail();
        kube.kubectl(null, "patch", "mirrorgroup", "failover", "--type", "merge",
                "-p", "{\"spec\":{\"primarySite\":\"site-b\",\"force\":true}}").orFail();
        assertEquals("site-b true", kube.kubectl(null, "get", "mirrorgroup", "failover", "-o",
                "jsonpath={.spec.primarySite} {.spec.force}").orFail().stdout());
    }

    private static String mirror(String rest) {
        return "volume: {pvc: db}\n  peer: {site: site-b, endpoint: 10.1.0.5:7702, volume: db}\n  " + rest;
    }

    private static String resource(String kind, String name, String spec) {
        return """
                apiVersion: copyservices.dev/v1alpha1
                kind: %s
                metadata:
                  name: %s
                spec:
                  %s
                """.formatted(kind, name, spec);
    }

    private static List<String> header(String table) {
        return List.of(table.lines().findFirst().orElse("").trim().split("\\s+"));
    }
}
