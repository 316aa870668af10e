package dev.copyservices.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.util.JsonFormat;
import dev.copyservices.agent.it.AgentProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs csctl through its bin/ launcher against a real agent, as a user would, and qemu-io on the agent's
 * NBD exports; with the assertions the CLI's integration tests share.
 */
final class CsctlProcess {
    static final Duration COMMAND = Duration.ofSeconds(60);

    private final AgentProcess agent;
    private final Path tmp;

    record Run(List<String> command, int exit, String out, String err) {
        /** For assertion messages: what ran and everything it printed. */
        String transcript() {
            return "$ " + String.join(" ", command) + "\n[exit " + exit + "]\n--- stdout\n" + out + "--- stderr\n" + err;
        }

        List<String> errLines(String prefix) {
            return err.lines().filter(l -> l.startsWith(prefix)).toList();
        }
    }

    CsctlProcess(AgentProcess agent, Path tmp) {
        this.agent = agent;
        this.tmp = tmp;
    }

    /** Runs {@code bin/csctl --agent <the test agent> args...}. */
    Run csctl(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("--agent", agent.controlAddress()));
        all.addAll(Arrays.asList(args));
        return raw(all);
    }

    /** Runs {@code bin/csctl args...} with stdin from /dev/null and no agent in the environment. */
    Run raw(List<String> args) throws Exception {
        return run(args, java.util.Map.of());
    }

    /** Runs {@code bin/csctl args...} with {@code environment} added (and no plaintext default). */
    Run withEnvironment(java.util.Map<String, String> environment, String... args) throws Exception {
        return run(List.of(args), environment);
    }

    private Run run(List<String> args, java.util.Map<String, String> environment) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(AgentProcess.root().resolve("bin/csctl").toString());
        command.addAll(args);
        Path out = Files.createTempFile(tmp, "csctl", ".out");
        Path err = Files.createTempFile(tmp, "csctl", ".err");
        ProcessBuilder pb = AgentProcess.sameJdk(new ProcessBuilder(command));
        pb.environment().remove(Csctl.AGENT_ENV);
        if (!args.contains("--tls-cert") && environment.isEmpty()) {
            pb.environment().put(Csctl.INSECURE_DEV_ENV, "1"); // the test agents run with --insecure-dev
        }
        pb.environment().putAll(environment);
        pb.redirectOutput(out.toFile());
        pb.redirectError(err.toFile());
        pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        Process p = pb.start();
        if (!p.waitFor(COMMAND.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("csctl did not finish within " + COMMAND.toSeconds() + " s: " + command);
        }
        return new Run(command, p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /**
     * qemu-io on a volume's NBD export, one {@code -c} per command; passes only if every command succeeded
     * and every {@code read -P} found its pattern.
     */
    void qemuIo(String volume, String... commands) throws Exception {
        String output = qemuIoOutput(volume, commands);
        String what = "qemu-io on " + volume + " " + Arrays.toString(commands) + ":\n" + output;
        assertFalse(output.contains("Pattern verification failed") || output.contains("failed"), what);
        assertEquals(commands.length, output.lines().filter(l -> l.matches("(read|wrote) \\d+/\\d+ bytes .*")).count(),
                what);
    }

    /** What qemu-io printed (stdout and stderr), whatever its outcome. */
    String qemuIoOutput(String volume, String... commands) throws Exception {
        List<String> command = new ArrayList<>(List.of("qemu-io", "-f", "raw", agent.nbdUri(volume)));
        for (String c : commands) {
            command.add("-c");
            command.add(c);
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(COMMAND.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("qemu-io did not finish: " + command);
        }
        return output;
    }

    static void assertSucceeded(Run run) {
        assertEquals(0, run.exit(), run.transcript());
        assertTrue(run.errLines("error:").isEmpty(), run.transcript());
    }

    /** An agent-reported failure: exit 1, nothing on stdout, an error line with a message. */
    static void assertAgentError(Run run) {
        assertEquals(1, run.exit(), run.transcript());
        assertEquals("", run.out(), run.transcript());
        List<String> errors = run.errLines("error: ");
        assertEquals(1, errors.size(), run.transcript());
        assertFalse(errors.get(0).substring("error: ".length()).isBlank(), run.transcript());
    }

    static void assertHint(Run run) {
        List<String> hints = run.errLines("hint: ");
        assertEquals(1, hints.size(), run.transcript());
        assertFalse(hints.get(0).substring("hint: ".length()).isBlank(), run.transcript());
    }

    static <B extends com.google.protobuf.Message.Builder> B parse(Run run, B builder) {
        try {
            JsonFormat.parser().merge(run.out(), builder);
            return builder;
        } catch (IOException e) {
            throw new AssertionError("not protobuf JSON: " + e.getMessage() + "\n" + run.transcript(), e);
        }
    }
}
