package dev.copyservices.csi.node;

import dev.copyservices.csi.common.CsiError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * NodePublishVolume and NodeUnpublishVolume: a bind mount of the staged file system onto the
 * target directory, or of the attached block device onto the target file; read-only when asked.
 */
public final class NodePublisher {
    private final NbdAttacher attacher;
    private final Mounts mounts;
    private final Commands commands;

    public NodePublisher(NbdAttacher attacher, Mounts mounts, Commands commands) {
        this.attacher = attacher;
        this.mounts = mounts;
        this.commands = commands;
    }

    public void publishFileSystem(String volumeId, Path stagingPath, Path targetPath, boolean readOnly) {
        Mounts.Mount staged = mounts.at(stagingPath).orElseThrow(() -> CsiError.precondition("volume " + volumeId
                + " is not staged at " + stagingPath + "; call NodeStageVolume first"));
        Optional<Path> device = attacher.device(volumeId);
        if (device.isEmpty() || !staged.source().equals(device.get().toString())) {
            throw CsiError.precondition("staging_target_path " + stagingPath + " holds " + staged.source()
                    + ", not volume " + volumeId + "; stage the volume there first");
        }
        Optional<Mounts.Mount> existing = mounts.at(targetPath);
        if (existing.isPresent()) {
            requireSame(volumeId, targetPath, existing.get(), staged.device(), readOnly);
            return;
        }
        createTarget(targetPath, true);
        bind(stagingPath, targetPath, readOnly);
    }

    public void publishBlock(String volumeId, Path targetPath, boolean readOnly) {
        Path device = attacher.device(volumeId).orElseThrow(() -> CsiError.precondition("volume " + volumeId
                + " is not staged on this node; call NodeStageVolume first"));
        Optional<Mounts.Mount> existing = mounts.at(targetPath);
        if (existing.isPresent()) {
            if (attacher.loopDevices(volumeId).stream().noneMatch(d -> existing.get().root().equals("/" + d.getFileName()))) {
                throw new CsiError(CsiError.Code.ALREADY_EXISTS, "target_path " + targetPath + " already has another"
                        + " device bound on it; unpublish that first");
            }
            if (existing.get().readOnly() != readOnly) {
                throw new CsiError(CsiError.Code.ALREADY_EXISTS, "volume " + volumeId + " is already published at "
                        + targetPath + (readOnly ? " read-write" : " read-only") + "; unpublish it to change that");
            }
            return;
        }
        createTarget(targetPath, false);
        if (readOnly) {
            Path readOnlyDevice = attacher.readOnlyDevice(volumeId);
            try {
                bind(readOnlyDevice, targetPath, true);
            } catch (RuntimeException e) {
                attacher.releaseReadOnly(readOnlyDevice);
                throw e;
            }
        } else {
            bind(device, targetPath, false);
        }
    }

    private static void requireSame(String volumeId, Path targetPath, Mounts.Mount existing, String stagedDevice,
            boolean readOnly) {
        if (!existing.device().equals(stagedDevice)) {
            throw new CsiError(CsiError.Code.ALREADY_EXISTS, "target_path " + targetPath + " already has "
                    + existing.source() + " mounted, not volume " + volumeId + "; unpublish that first");
        }
        if (existing.readOnly() != readOnly) {
            throw new CsiError(CsiError.Code.ALREADY_EXISTS, "volume " + volumeId + " is already published at "
                    + targetPath + (readOnly ? " read-write" : " read-only") + "; unpublish it to change that");
        }
    }

    /** The CO creates the parent; the target itself is created here (a directory, or a file for a device). */
    private static void createTarget(Path targetPath, boolean directory) {
        Path parent = targetPath.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw CsiError.invalid("the parent of target_path " + targetPath + " does not exist; the CO creates it");
        }
        try {
            if (directory) {
                if (Files.exists(targetPath, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(targetPath)) {
                    throw CsiError.invalid("target_path " + targetPath + " exists and is not a directory");
                }
                Files.createDirectories(targetPath);
            } else {
                if (Files.isDirectory(targetPath, LinkOption.NOFOLLOW_LINKS)) {
                    // a CO may have made it a directory; a device binds onto a file, and an empty directory can go
                    Files.delete(targetPath);
                }
                if (!Files.exists(targetPath, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createFile(targetPath);
                }
            }
        } catch (IOException e) {
            throw CsiError.invalid("cannot create target_path " + targetPath + ": " + e.getMessage());
        }
    }

    private void bind(Path source, Path targetPath, boolean readOnly) {
        commands.check(List.of("mount", "--bind", source.toString(), targetPath.toString()));
        if (readOnly) {
            Commands.Result remount = commands.run(List.of("mount", "-o", "remount,bind,ro", targetPath.toString()));
            if (!remount.ok()) {
                commands.run(List.of("umount", targetPath.toString()));
                throw CsiError.internal("cannot make " + targetPath + " read-only: " + remount.output(), null);
            }
        }
    }

    /** Unmounts and removes the target; a target that is not there is fine. */
    public void unpublish(Path targetPath) {
        Optional<Mounts.Mount> mounted;
        while ((mounted = mounts.at(targetPath)).isPresent()) {
            commands.check(List.of("umount", targetPath.toString()));
            String root = mounted.get().root();
            if (root.startsWith("/loop") && mounts.all().stream().noneMatch(m -> m.root().equals(root))) {
                // a block publish: a read-only one has its own loop device, which goes with it
                attacher.releaseReadOnly(Path.of("/dev").resolve(root.substring(1)));
            }
        }
        try {
            Files.deleteIfExists(targetPath);
        } catch (IOException e) {
            throw CsiError.internal("cannot remove target_path " + targetPath + ": " + e.getMessage(), e);
        }
    }
}
