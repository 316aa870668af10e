package dev.copyservices.csi.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** What a test may leave behind on the node: mounts under its directory and driver attachments. */
final class NodeLeftovers {
    private NodeLeftovers() {
    }

    /** Mount points under dir, from /proc/self/mountinfo. */
    static List<String> mountsUnder(Path dir) throws IOException {
        String prefix = dir.toAbsolutePath().normalize().toString();
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .map(line -> line.split(" ")[4])
                .filter(point -> point.startsWith(prefix))
                .toList();
    }

    /**
     * Removes a test's directory (pools, logs, state) unless something is still mounted under it:
     * a walk would then delete through the mount, and the mount is the failure to look at.
     */
    static void deleteIfNothingMounted(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir) || !mountsUnder(dir).isEmpty()) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Attachment directories the driver keeps (one per attached volume). */
    static List<Path> attachments(Path stateDir) throws IOException {
        Path attach = stateDir.resolve("attach");
        if (!Files.isDirectory(attach)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(attach)) {
            return entries.toList();
        }
    }
}
