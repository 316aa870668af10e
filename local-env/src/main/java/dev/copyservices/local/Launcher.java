package dev.copyservices.local;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts the environment's long-running processes detached: each in a session of its own (setsid),
 * so that it outlives this command and the terminal, with stdin from /dev/null and its output
 * appended to a log file.
 */
final class Launcher {
    private final Path root;

    Launcher(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    ProcessHandle start(List<String> command, Map<String, String> environment, Path log) throws IOException {
        List<String> full = new ArrayList<>();
        full.add("setsid");
        full.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(full)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        return builder.start().toHandle();
    }

    /** The last lines of a log, for an error message. */
    static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(" + log + " unreadable: " + e + ")";
        }
    }
}
