package dev.copyservices.csi.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The mount table as the kernel shows it (/proc/self/mountinfo), for idempotent mount decisions. */
public class Mounts {
    /** One line of mountinfo: device (major:minor), the mounted subtree, the mount point, options, source. */
    public record Mount(String device, String root, Path mountPoint, boolean readOnly, String fsType, String source) {
    }

    public List<Mount> all() {
        try {
            return parse(Files.readAllLines(Path.of("/proc/self/mountinfo")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Mount> parse(List<String> lines) {
        List<Mount> mounts = new ArrayList<>();
        for (String line : lines) {
            String[] fields = line.split(" ");
            int separator = List.of(fields).indexOf("-");
            if (fields.length < 10 || separator < 6) {
                continue;
            }
            boolean readOnly = List.of(fields[5].split(",")).contains("ro");
            mounts.add(new Mount(fields[2], unescape(fields[3]), Path.of(unescape(fields[4])), readOnly,
                    fields[separator + 1], unescape(fields[separator + 2])));
        }
        return mounts;
    }

    /** The topmost mount at exactly this path. */
    public Optional<Mount> at(Path path) {
        Path normal = path.toAbsolutePath().normalize();
        Mount found = null;
        for (Mount mount : all()) {
            if (mount.mountPoint().equals(normal)) {
                found = mount;
            }
        }
        return Optional.ofNullable(found);
    }

    /** mountinfo writes space, tab, newline and backslash as octal escapes. */
    private static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
