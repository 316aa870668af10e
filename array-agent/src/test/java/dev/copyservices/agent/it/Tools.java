package dev.copyservices.agent.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the Debian NBD tools (qemu-io, nbdinfo, nbdcopy) as processes and captures what they print;
 * public for the operator's integration tests, which use the same clients.
 */
public final class Tools {
    public record Result(int exitCode, String output) {
        public Result assertOk(String what) {
            if (exitCode != 0) {
                throw new AssertionError(what + " exited with " + exitCode + ":\n" + output);
            }
            return this;
        }
    }

    private Tools() {
    }

    public static Result run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(300, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not finish");
        }
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    public static Result run(String... command) throws IOException, InterruptedException {
        return run(List.of(command));
    }

    /** qemu-io on a raw NBD export, with one -c per command. */
    public static Result qemuIo(String uri, List<String> commands) throws IOException, InterruptedException {
        return qemuIo(false, uri, commands);
    }

    public static Result qemuIo(boolean readOnly, String uri, List<String> commands) throws IOException, InterruptedException {
        return qemuIoOn(readOnly, List.of("-f", "raw", uri), commands);
    }

    /** qemu-io on the image {@code image} names (e.g. --object and --image-opts for TLS), one -c per command. */
    public static Result qemuIoOn(boolean readOnly, List<String> image, List<String> commands)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("qemu-io"));
        if (readOnly) {
            command.add("-r");
        }
        command.addAll(image);
        for (String c : commands) {
            command.add("-c");
            command.add(c);
        }
        return run(command);
    }

    /** Passes only if every command succeeded and every pattern read back verified. */
    public static void qemuIoOk(String uri, List<String> commands) throws IOException, InterruptedException {
        qemuIoOk(false, uri, commands);
    }

    public static void qemuIoOk(boolean readOnly, String uri, List<String> commands) throws IOException, InterruptedException {
        assertVerified(qemuIo(readOnly, uri, commands), "qemu-io " + commands);
    }

    /** Passes only if qemu-io exited 0 and reported no failed command and no pattern mismatch. */
    public static void assertVerified(Result result, String what) {
        result.assertOk(what);
        if (result.output().contains("failed") || result.output().contains("Pattern verification")) {
            throw new AssertionError(what + ": qemu-io reported a failure:\n" + result.output());
        }
    }
}
