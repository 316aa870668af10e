package dev.copyservices.agent.nbd;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a real NBD client (qemu-io, nbdinfo, nbdcopy) as a process and captures its output. */
final class ExternalTool {
    record Result(int exitCode, String output) {
    }

    private ExternalTool() {
    }

    static Result run(String... command) throws IOException, InterruptedException {
        Path log = Files.createTempFile("nbd-tool", ".log");
        ProcessBuilder pb = new ProcessBuilder(List.of(command)).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            // Deliberately a failure, not a skip: these are the tests that prove real clients work.
            throw new AssertionError(command[0] + " is not installed (Debian: qemu-utils, libnbd-bin)", e);
        }
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(command[0] + " did not finish: " + Files.readString(log));
            }
            return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
