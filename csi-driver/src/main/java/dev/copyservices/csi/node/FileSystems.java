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

    /**
     * Grows an unmounted ext4 to its device (after a forced check, which resize2fs demands). Done before
     * mounting because online ext4 resizing needs CAP_SYS_RESOURCE, which containers often lack.
     */
    public void growExt4(Path device) {
        if (!ext4SmallerThanDevice(device)) {
            return;
        }
        Commands.Result check = commands.run(List.of("e2fsck", "-f", "-p", device.toString()));
        if (check.exitCode() > 1) {
            throw CsiError.internal("e2fsck found errors it could not fix on " + device + " (exit " + check.exitCode()
                    + "): " + check.output() + "; repair the file system before growing it", null);
        }
        commands.check(List.of("resize2fs", device.toString()));
    }

    /** Grows a mounted ext4 to its device (online resize; the node plugin runs privileged). */
    public void growMountedExt4(Path device) {
        if (ext4SmallerThanDevice(device)) {
            commands.check(List.of("resize2fs", device.toString()));
        }
    }

    /** The block device's size in bytes. */
    public long deviceBytes(Path device) {
        return Long.parseLong(commands.check(List.of("blockdev", "--getsize64", device.toString())));
    }

    private boolean ext4SmallerThanDevice(Path device) {
        long deviceBytes = deviceBytes(device);
        long blockCount = 0;
        long blockSize = 0;
        for (String line : commands.check(List.of("dumpe2fs", "-h", device.toString())).split("\n")) {
            if (line.startsWith("Block count:")) {
                blockCount = Long.parseLong(line.substring("Block count:".length()).strip());
            } else if (line.startsWith("Block size:")) {
                blockSize = Long.parseLong(line.substring("Block size:".length()).strip());
            }
        }
        // resize2fs may leave a tail smaller than a block group's overhead unused: only a real growth counts
        return blockCount * blockSize + GROWTH_THRESHOLD < deviceBytes;
    }

    /** Grows a mounted xfs to its device; xfs grows only while mounted, and a no-op when it fills it. */
    public void growXfs(Path mountPoint) {
        commands.check(List.of("xfs_growfs", mountPoint.toString()));
    }

    private static final long GROWTH_THRESHOLD = 1L << 20;
}
