package dev.copyservices.e2e;

import dev.copyservices.kubetest.Kubectl;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The local two-site environment as a user drives it: bin/copyservices-local with its own state
 * directory, the real kubectl with the contexts site-a and site-b, and bin/csctl for the agents.
 */
final class LocalSites implements AutoCloseable {
    private final Path root;
    private final Path dir;
    private Map<String, String> addresses = Map.of();

    LocalSites(Path root, Path dir) {
        this.root = root;
        this.dir = dir;
    }

    record Result(int exitCode, String output) {
    }

    /** Runs a repository launcher (bin/NAME) with this environment's directory; fails unless it exits 0. */
    String bin(String name, String... args) throws IOException, InterruptedException {
        Result result = binResult(name, args);
        if (result.exitCode() != 0) {
            throw new AssertionError("bin/" + name + " " + String.join(" ", args) + " exited " + result.exitCode()
                    + ":\n" + result.output());
        }
        return result.output();
    }

    Result binResult(String name, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(root.resolve("bin").resolve(name).toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("COPYSERVICES_LOCAL_DIR", dir.toString());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        if (addresses != null) { // as after eval "$(bin/copyservices-local env)": csctl's certificate
            addresses.forEach((key, value) -> {
                if (key.startsWith("CSCTL_")) {
                    builder.environment().put(key, value);
                }
            });
        }
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(process.waitFor(), output);
    }

    void up(String... sites) throws IOException, InterruptedException {
        bin("copyservices-local", concat("up", sites));
        addresses = new LinkedHashMap<>();
        for (String line : bin("copyservices-local", "env").split("\n")) {
            if (line.startsWith("export ")) {
                String assignment = line.substring("export ".length());
                addresses.put(assignment.substring(0, assignment.indexOf('=')), assignment.substring(assignment.indexOf('=') + 1));
            }
        }
    }

    void crash(String site) throws IOException, InterruptedException {
        bin("copyservices-local", "crash", site);
    }

    /** SITE_A_NODE_1_NBD and the like, from bin/copyservices-local env. */
    String address(String name) {
        String value = addresses.get(name);
        if (value == null) {
            throw new IllegalStateException("bin/copyservices-local env gave no " + name + ": " + addresses.keySet());
        }
        return value;
    }

    static String key(String site, String node, String what) {
        return (site + "_" + node + "_" + what).toUpperCase().replace('-', '_');
    }

    /** The node's NBD port, after attaching the volumes to the tests' host (see {@link #nbdUri}). */
    int nbdPort(String site, String node, List<String> volumes) throws IOException, InterruptedException {
        for (String volume : volumes) {
            attachTester(site, node, volume);
        }
        String address = address(key(site, node, "NBD"));
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }

    /** The host the tests' own NBD clients (qemu-io, nbdcopy) run on, as the agents know it. */
    static final String TEST_HOST = "e2e-tester";

    /**
     * The volume's NBD address, after attaching it to the tests' host as an administrator would:
     * the local sites run with TLS, so their agents admit only NBD clients of attached hosts.
     */
    String nbdUri(String site, String node, String volume) throws IOException, InterruptedException {
        attachTester(site, node, volume);
        return "nbd://" + address(key(site, node, "NBD")) + "/" + volume;
    }

    /** Attaches the volume to the tests' host; attaching it again changes nothing. */
    private void attachTester(String site, String node, String volume) throws IOException, InterruptedException {
        csctl(site, node, "volume", "attach", volume, "--host", TEST_HOST, "--address", "127.0.0.1");
    }

    String csctl(String site, String node, String... args) throws IOException, InterruptedException {
        return bin("csctl", concat("--agent", concat(address(key(site, node, "CONTROL")), args)));
    }

    Kubectl.Result kubectl(String context, String stdin, String... args) {
        return Kubectl.run(dir.resolve("kubeconfig"), stdin, concat("--context", concat(context, args)));
    }

    void apply(String context, String yaml) {
        kubectl(context, yaml, "apply", "-f", "-").orFail();
    }

    String get(String context, String resource, String jsonPath) {
        return kubectl(context, null, "get", resource, "-o", "jsonpath=" + jsonPath).orFail().stdout();
    }

    /**
     * kubectl wait, for up to two minutes (in rounds under kubectl's own run limit); fails with the
     * resource and the site's events.
     */
    void await(String context, String resource, String condition) {
        Kubectl.Result result = kubectl(context, null, "wait", resource, "--for", condition, "--timeout", "55s");
        if (!result.ok()) {
            result = kubectl(context, null, "wait", resource, "--for", condition, "--timeout", "55s");
        }
        if (!result.ok()) {
            throw new AssertionError(context + ": " + resource + " did not reach " + condition + ": " + result.stderr()
                    + "\n" + kubectl(context, null, "get", resource, "-o", "yaml").stdout()
                    + "\n" + kubectl(context, null, "get", "events", "-A").stdout());
        }
    }

    void awaitCreated(String context, String resource) {
        Kubectl.Result result = kubectl(context, null, "wait", "--for=create", resource, "--timeout", "55s");
        if (!result.ok()) {
            throw new AssertionError(context + ": " + resource + " was not created: " + result.stderr() + "\n"
                    + kubectl(context, null, "get", "events", "-A").stdout());
        }
    }

    void patch(String context, String resource, String mergePatch) {
        kubectl(context, null, "patch", resource, "--type", "merge", "-p", mergePatch).orFail();
    }

    private static String[] concat(String first, String... rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    /** Copies every process's log to {@code into} (kept after the environment is purged, for a failure's story). */
    void keepLogs(Path into) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path log : paths.filter(p -> p.toString().endsWith(".log")).toList()) {
                Path copy = into.resolve(dir.relativize(log));
                Files.createDirectories(copy.getParent());
                Files.copy(log, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        binResult("copyservices-local", "down"); // stops every process first, so the logs are complete
        keepLogs(Path.of("target", "e2e-logs"));
        Result down = binResult("copyservices-local", "down", "--purge");
        if (down.exitCode() != 0 && Files.exists(dir)) {
            throw new AssertionError("bin/copyservices-local down --purge exited " + down.exitCode() + ":\n" + down.output());
        }
    }
}
