package dev.copyservices.kubectl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.kubetest.LocalKubeApiServer;
import dev.copyservices.kubetest.TestDirectories;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code kubectl copyservices status} as a user runs it: the real kubectl finds bin/kubectl-copyservices
 * on PATH and runs it against a real kube-apiserver holding the copyservices CRDs and resources whose
 * status the test sets as the operator would.
 */
class StatusIT {
    private static LocalKubeApiServer kube;

    @BeforeAll
    static void start() throws Exception {
        Path work = TestDirectories.fresh(Path.of("target", "status-it"));
        kube = LocalKubeApiServer.start(work.resolve("kube"));
        kube.kubectl(null, "apply", "--server-side", "-f", Path.of(System.getProperty("crds.committed", "../crds"))
                .toAbsolutePath().normalize().toString()).orFail();
        kube.kubectl(null, "wait", "--for=condition=Established", "--timeout=60s", "crd", "--all").orFail();
        for (String[] array : new String[][] {{"a-node-1", "site-a", "True"}, {"a-node-2", "site-a", "False"},
                {"b-node-1", "site-b", "True"}}) {
            kube.kubectl("apiVersion: copyservices.dev/v1alpha1\nkind: StorageArray\nmetadata:\n  name: " + array[0]
                    + "\nspec:\n  endpoint: 192.0.2.1:7400\n  site: " + array[1] + "\n", "apply", "-f", "-").orFail();
            status("storagearray", array[0], null, "{\"conditions\":[{\"type\":\"Ready\",\"status\":\"" + array[2]
                    + "\",\"reason\":\"Test\",\"message\":\"set by the test\",\"lastTransitionTime\":"
                    + "\"2026-12-07T10:00:00Z\"}]" + (array[0].equals("a-node-2")
                            ? ",\"needsAttention\":[\"VolumeCopy db-copy failed\"]" : "") + "}");
        }
        mirror("orders", "a-node-1", "Primary", "Synchronized", 0.4);
        mirror("events", "a-node-1", "Primary", "Unsynchronized", 12.5);
        mirror("orders-dr", "b-node-1", "Secondary", "Synchronized", null);
        kube.kubectl("apiVersion: copyservices.dev/v1alpha1\nkind: VolumeCopy\nmetadata:\n  name: restore\n"
                + "  namespace: default\nspec:\n  source: {array: a-node-1, volume: db}\n"
                + "  target: {array: a-node-1, volume: db-copy}\n", "apply", "-f", "-").orFail();
        status("volumecopy", "restore", "default", "{\"state\":\"InProgress\",\"array\":\"a-node-1\"}");
    }

    private static void mirror(String name, String array, String role, String state, Double lag) {
        kube.kubectl("apiVersion: copyservices.dev/v1alpha1\nkind: RemoteMirror\nmetadata:\n  name: " + name
                + "\n  namespace: default\nspec:\n  volume: {array: " + array + ", volume: " + name + "}\n"
                + "  peer: {site: other, endpoint: 198.51.100.20:7500, volume: " + name + "}\n  role: " + role + "\n",
                "apply", "-f", "-").orFail();
        status("remotemirror", name, "default", "{\"array\":\"" + array + "\",\"role\":\"" + role + "\",\"state\":\""
                + state + "\"" + (lag == null ? "" : ",\"lagSeconds\":" + lag) + "}");
    }

    private static void status(String kind, String name, String namespace, String status) {
        List<String> args = new java.util.ArrayList<>(List.of("patch", kind, name, "--subresource", "status",
                "--type", "merge", "-p", "{\"status\":" + status + "}"));
        if (namespace != null) {
            args.addAll(List.of("-n", namespace));
        }
        kube.kubectl(null, args.toArray(String[]::new)).orFail();
    }

    @AfterAll
    static void stop() {
        if (kube != null) {
            kube.close();
        }
    }

    /** kubectl ARGS with the repository's bin/ first on PATH, as the README tells a user to set it. */
    private static String[] kubectl(String... args) throws IOException, InterruptedException {
        Path bin = Path.of(System.getProperty("repo.root", "..")).toAbsolutePath().normalize().resolve("bin");
        // kubectl takes no flags before a plugin's name: the plugin finds the cluster through KUBECONFIG
        List<String> command = new java.util.ArrayList<>(List.of("kubectl"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        builder.environment().put("KUBECONFIG", kube.kubeconfig().toString());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process process = builder.start();
        var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        return new String[] {Integer.toString(process.exitValue()), out, err.join()};
    }

    @Test
    void statusSummarisesEachSiteAndListsWhatNeedsAttention() throws Exception {
        String[] r = kubectl("copyservices", "status");
        assertEquals("0", r[0], r[2] + r[1]);
        List<String> lines = r[1].lines().toList();
        assertEquals(List.of("SITE", "ARRAYS", "READY", "COPIES", "IN", "PROGRESS", "MIRRORS", "WORST", "LAG"),
                List.of(lines.get(0).split("\\s+")), r[1]);
        assertTrue(lines.get(1).matches("site-a\\s+2\\s+1\\s+1\\s+1 Synchronized, 1 Unsynchronized\\s+12\\.5s"
                + " \\(default/events\\)"), r[1]);
        assertTrue(lines.get(2).matches("site-b\\s+1\\s+1\\s+0\\s+1 Synchronized\\s+-"), r[1]);
        assertTrue(r[1].contains("NEEDS ATTENTION:\n  site-a: StorageArray a-node-2 is not Ready\n"
                + "  site-a: StorageArray a-node-2: VolumeCopy db-copy failed\n"), r[1]);
    }

    @Test
    void anotherNamespaceHasNoCopiesOrMirrorsButTheSameArrays() throws Exception {
        String[] r = kubectl("copyservices", "status", "-n", "kube-system");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].lines().anyMatch(l -> l.matches("site-a\\s+2\\s+1\\s+0\\s+-\\s+-")), r[1]);
    }

    @Test
    void wrongUseIsAUsageErrorSayingWhatToDo() throws Exception {
        String[] both = kubectl("copyservices", "status", "-n", "default", "-A");
        assertEquals("2", both[0]);
        assertTrue(both[2].contains("give -n NAMESPACE or -A, not both"), both[2]);
        String[] none = kubectl("copyservices");
        assertEquals("2", none[0]);
        assertTrue(none[2].contains("choose status"), none[2]);
    }
}
