package dev.copyservices.csi.node;

import dev.copyservices.csi.common.CsiError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the node's system tools (mount, losetup, mkfs, blkid, ...) and reports what they said. */
public class Commands {
    private static final long TIMEOUT_SECONDS = 120;

    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** Runs a command to its end; a tool that cannot start or hangs is an INTERNAL error. */
    public Result run(List<String> command) {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw CsiError.internal("cannot run " + command.get(0) + ": " + e.getMessage()
                    + "; the node needs it installed (see docs/csi.md)", e);
        }
        try {
            process.getOutputStream().close();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw CsiError.internal(String.join(" ", command) + " did not finish in " + TIMEOUT_SECONDS + " s", null);
            }
            return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            throw CsiError.internal("reading the output of " + String.join(" ", command) + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new CsiError(CsiError.Code.ABORTED, "interrupted while running " + command.get(0) + "; retry");
        }
    }

    /** Runs a command that must succeed; its output on failure goes into the error. */
    public String check(List<String> command) {
        Result result = run(command);
        if (!result.ok()) {
            throw CsiError.internal(String.join(" ", command) + " failed (exit " + result.exitCode() + "): "
                    + result.output(), null);
        }
        return result.output();
    }
}
