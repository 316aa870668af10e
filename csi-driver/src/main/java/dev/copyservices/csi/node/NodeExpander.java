package dev.copyservices.csi.node;

import dev.copyservices.csi.common.CsiError;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * NodeExpandVolume: grows the file system of a staged volume to its device. Expansion is offline
 * (docs/csi.md): a volume is attached at the size it had when staged, so after ControllerExpandVolume
 * the CO stages it again, and this then grows a file system the stage left at its old size. A device
 * still smaller than asked for is a volume expanded while staged, which only a new stage can grow.
 */
public final class NodeExpander {
    private final NbdAttacher attacher;
    private final FileSystems fileSystems;
    private final Mounts mounts;

    public NodeExpander(NbdAttacher attacher, FileSystems fileSystems, Mounts mounts) {
        this.attacher = attacher;
        this.fileSystems = fileSystems;
        this.mounts = mounts;
    }

    /** Grows what is at volumePath and answers the device's size in bytes. */
    public long expand(String volumeId, Path volumePath, long requiredBytes) {
        if (!volumePath.isAbsolute() || !Files.exists(volumePath)) {
            throw CsiError.notFound("volume_path " + volumePath + " does not exist; give the absolute path the volume"
                    + " is published or staged at");
        }
        Mounts.Mount mount = mounts.at(volumePath).orElseThrow(() -> CsiError.notFound("volume " + volumeId
                + " is not published or staged at " + volumePath));
        Path device = attacher.device(volumeId).orElseThrow(() -> CsiError.notFound("volume " + volumeId
                + " is not staged on this node; stage it first"));
        long deviceBytes = fileSystems.deviceBytes(device);
        if (requiredBytes > deviceBytes) {
            throw CsiError.precondition("volume " + volumeId + " is attached at " + deviceBytes + " bytes, the size it had"
                    + " when it was staged, and cannot grow while staged (the driver expands offline); unpublish and"
                    + " unstage it, and the next stage attaches it at its new size");
        }
        if (!Files.isDirectory(volumePath) || mount.readOnly()) {
            return deviceBytes; // a block device has its size already; a read-only file system is not grown
        }
        switch (mount.fsType()) {
            case "ext4" -> fileSystems.growMountedExt4(device);
            case "xfs" -> fileSystems.growXfs(volumePath);
            default -> throw CsiError.precondition("the file system at " + volumePath + " is " + mount.fsType()
                    + ", which this driver does not grow (ext4, xfs)");
        }
        return deviceBytes;
    }
}
