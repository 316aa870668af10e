package dev.copyservices.csi.node;

import dev.copyservices.csi.common.CsiError;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** What is on a device (blkid), making a file system on an empty one, and growing one to its device. */
public class FileSystems {
    private final Commands commands;

    public FileSystems(Commands commands) {
        this.commands = commands;
    }

    /**
     * The file system type on the device; empty when blkid finds nothing at all (exit 2). Anything else
     * it recognises (a partition table, a RAID member, ...) counts as content and is never formatted.
     */
    public Optional<String> probe(Path device) {
        Commands.Result result = commands.run(List.of("blkid", "--probe", "--output", "export", device.toString()));
        if (result.exitCode() == 2) {
            return Optional.empty();
        }
        if (!result.ok()) {
            throw CsiError.internal("blkid cannot read " + device + ": " + result.output(), null);
        }
        for (String line : result.output().split("\n")) {
            if (line.startsWith("TYPE=")) {
                return Optional.of(line.substring("TYPE=".length()));
            }
        }
        for (String line : result.output().split("\n")) {
            if (line.startsWith("PTTYPE=")) {
                return Optional.of("partition table " + line.substring("PTTYPE=".length()));
            }
        }
        return Optional.of("unknown content");
    }

    public void format(Path device, String fsType) {
        switch (fsType) {
            case "ext4" -> commands.check(List.of("mkfs.ext4", "-q", "-F", "-E", "nodiscard", device.toString()));
            case "xfs" -> commands.check(List.of("mkfs.xfs", "-q", "-K", device.toString()));
            default -> throw CsiError.invalid("cannot make a '" + fsType + "' file system; use ext4 or xfs");
        }
    }

    /** Grows the mounted file system to its device's size (a no-op when it already fills it). */
    public void grow(Path device, Path mountPoint, String fsType) {
        switch (fsType) {
            case "ext4" -> commands.check(List.of("resize2fs", device.toString()));
            case "xfs" -> commands.check(List.of("xfs_growfs", mountPoint.toString()));
            default -> {
                // other file systems are never made by the driver; leave them as they are
            }
        }
    }
}
