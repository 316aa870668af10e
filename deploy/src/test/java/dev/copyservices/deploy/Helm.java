package dev.copyservices.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The helm binary that {@code bin/install-helm} builds, in the directory of the system property
 * {@code helm.bin}. Its cache, configuration and data directories are kept under {@code home}, so a
 * test run never reads or writes the user's.
 */
final class Helm {
    record Result(int exitCode, String stdout, String stderr) {
        boolean ok() {
            return exitCode == 0;
        }

        /** The rendered output; fails with what helm said unless it succeeded. */
        String orFail() {
            if (!ok()) {
                throw new AssertionError("helm exited with " + exitCode + ":\n" + stderr + stdout);
            }
            return stdout;
        }
    }

    private final Path binary;
    private final Path home;

    private Helm(Path binary, Path home) {
        this.binary = binary;
        this.home = home;
    }

    static Helm fromSystemProperty(Path home) {
        String configured = System.getProperty("helm.bin");
        Path dir = Path.of(configured != null ? configured : ".tools/helm/bin");
        Path binary = dir.resolve("helm");
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException("no helm in " + dir.toAbsolutePath() + ": run bin/install-helm, which builds it there");
        }
        return new Helm(binary, home);
    }

    Result run(String... args) {
        return run(List.of(args));
    }

    Result run(List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("HELM_CACHE_HOME", home.resolve("cache").toString());
        builder.environment().put("HELM_CONFIG_HOME", home.resolve("config").toString());
        builder.environment().put("HELM_DATA_HOME", home.resolve("data").toString());
        builder.environment().remove("KUBECONFIG");
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("helm " + String.join(" ", args) + " did not finish within 120 s");
            }
            return new Result(process.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + binary, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String read(InputStream stream) {
        try {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
