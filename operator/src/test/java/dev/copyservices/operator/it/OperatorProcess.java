package dev.copyservices.operator.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The operator as a real process (the Quarkus jar the build makes), pointed at a test API server by
 * KUBECONFIG. Start waits for its readiness endpoint, which turns ready once the controllers run.
 */
final class OperatorProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final Path log;
    private final int httpPort;

    private OperatorProcess(Process process, Path log, int httpPort) {
        this.process = process;
        this.log = log;
        this.httpPort = httpPort;
    }

    /** An operator calling its agents in plaintext (they run with --insecure-dev). */
    static OperatorProcess start(Path kubeconfig, Path log) throws IOException, InterruptedException {
        return start(kubeconfig, log, java.util.Map.of("COPYSERVICES_AGENT_INSECURE_DEV", "true"));
    }

    /** An operator with {@code environment} (e.g. its COPYSERVICES_AGENT_TLS_* identity). */
    static OperatorProcess start(Path kubeconfig, Path log, java.util.Map<String, String> environment)
            throws IOException, InterruptedException {
        Path jar = Path.of(System.getProperty("operator.jar", "target/quarkus-app/quarkus-run.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no operator jar at " + jar.toAbsolutePath() + ": build the operator module first (mvn package)");
        }
        int httpPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            httpPort = socket.getLocalPort();
        }
        ProcessBuilder builder = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // grpc-netty loads its native transport; say that is expected instead of warning
                "--enable-native-access=ALL-UNNAMED",
                "-Dquarkus.http.port=" + httpPort,
                "-Dquarkus.http.host=127.0.0.1",
                "-jar", jar.toString()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("KUBECONFIG", kubeconfig.toString());
        builder.environment().putAll(environment);
        OperatorProcess operator = new OperatorProcess(builder.start(), log, httpPort);
        try {
            operator.awaitReady(httpPort);
        } catch (IOException | InterruptedException | RuntimeException e) {
            operator.close();
            throw e;
        }
        return operator;
    }

    private void awaitReady(int httpPort) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/q/health/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the operator exited with " + process.exitValue() + ":\n" + log());
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notListeningYet) {
                // the HTTP server is not up yet
            }
            // Polling the readiness endpoint: the process offers no other signal that it is ready.
            TimeUnit.MILLISECONDS.sleep(200);
        }
        throw new IllegalStateException("the operator was not ready after " + START_TIMEOUT + ":\n" + log());
    }

    /** The operator's Prometheus metrics page, /q/metrics; fails unless it answers 200. */
    String metrics() throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + httpPort + "/q/metrics")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError("GET /q/metrics answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
