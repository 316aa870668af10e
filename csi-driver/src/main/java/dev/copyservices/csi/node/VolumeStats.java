package dev.copyservices.csi.node;

import dev.copyservices.csi.common.CsiError;
import dev.copyservices.csi.v1.VolumeUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** NodeGetVolumeStats: bytes and inodes of a published file system, bytes of a published block device. */
public final class VolumeStats {
    private final Mounts mounts;
    private final Commands commands;

    public VolumeStats(Mounts mounts, Commands commands) {
        this.mounts = mounts;
        this.commands = commands;
    }

    public List<VolumeUsage> of(String volumeId, Path volumePath) {
        if (!Files.exists(volumePath)) {
            throw CsiError.notFound("volume_path " + volumePath + " does not exist");
        }
        if (mounts.at(volumePath).isEmpty()) {
            throw CsiError.notFound("volume " + volumeId + " is not published or staged at " + volumePath);
        }
        if (!Files.isDirectory(volumePath)) {
            long size = Long.parseLong(commands.check(List.of("blockdev", "--getsize64", volumePath.toString())));
            return List.of(VolumeUsage.newBuilder().setUnit(VolumeUsage.Unit.BYTES).setTotal(size).build());
        }
        // block size, total blocks, free blocks, blocks available to users, total inodes, free inodes
        String[] f = commands.check(List.of("stat", "--file-system", "--format", "%S %b %f %a %c %d",
                volumePath.toString())).split(" ");
        long blockSize = Long.parseLong(f[0]);
        long total = Long.parseLong(f[1]) * blockSize;
        long free = Long.parseLong(f[2]) * blockSize;
        long available = Long.parseLong(f[3]) * blockSize;
        long inodes = Long.parseLong(f[4]);
        long freeInodes = Long.parseLong(f[5]);
        return List.of(
                VolumeUsage.newBuilder().setUnit(VolumeUsage.Unit.BYTES).setTotal(total).setAvailable(available)
                        .setUsed(total - free).build(),
                VolumeUsage.newBuilder().setUnit(VolumeUsage.Unit.INODES).setTotal(inodes).setAvailable(freeInodes)
                        .setUsed(inodes - freeInodes).build());
    }
}
