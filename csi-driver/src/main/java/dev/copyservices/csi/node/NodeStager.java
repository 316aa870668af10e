package dev.copyservices.csi.node;

import dev.copyservices.csi.common.CsiError;
import dev.copyservices.csi.common.VolumeCapabilities;
import dev.copyservices.csi.v1.VolumeCapability;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * NodeStageVolume and NodeUnstageVolume. Stage attaches the volume (nbdfuse + loop device); for
 * filesystem access it then makes the requested file system when the device is empty, grows it when
 * the volume grew while unstaged (the driver's offline expansion), and mounts it on the staging path.
 * Any failure after the attach detaches again, so a refused stage leaves nothing behind.
 */
public final class NodeStager {
    private final NbdAttacher attacher;
    private final FileSystems fileSystems;
    private final Mounts mounts;
    private final Commands commands;

    public NodeStager(NbdAttacher attacher, FileSystems fileSystems, Mounts mounts, Commands commands) {
        this.attacher = attacher;
        this.fileSystems = fileSystems;
        this.mounts = mounts;
        this.commands = commands;
    }

    public void stage(String volumeId, String uri, Path stagingPath, VolumeCapability capability) {
        if (!Files.isDirectory(stagingPath)) {
            throw CsiError.invalid("staging_target_path " + stagingPath + " is not a directory; the CO creates it"
                    + " before NodeStageVolume");
        }
        if (capability.hasBlock()) {
            attacher.attach(volumeId, uri);
            return;
        }
        Optional<Mounts.Mount> mounted = mounts.at(stagingPath);
        Optional<Path> device = attacher.device(volumeId);
        if (mounted.isPresent()) {
            if (device.isPresent() && mounted.get().source().equals(device.get().toString())) {
                return;
            }
            throw new CsiError(CsiError.Code.ALREADY_EXISTS, "staging_target_path " + stagingPath + " already has "
                    + mounted.get().source() + " mounted, not volume " + volumeId + "; unstage that first");
        }
        Path attached = attacher.attach(volumeId, uri);
        try {
            mount(attached, stagingPath, capability);
        } catch (RuntimeException e) {
            attacher.detach(volumeId);
            throw e;
        }
    }

    private void mount(Path device, Path stagingPath, VolumeCapability capability) {
        String wanted = capability.getMount().getFsType();
        Optional<String> found = fileSystems.probe(device);
        String fsType;
        if (found.isEmpty()) {
            fsType = VolumeCapabilities.fileSystem(capability);
            fileSystems.format(device, fsType);
        } else {
            fsType = found.get();
            if (!wanted.isEmpty() && !wanted.equals(fsType) || !VolumeCapabilities.FILE_SYSTEMS.contains(fsType)) {
                throw CsiError.precondition("the volume holds " + fsType + ", not " + (wanted.isEmpty()
                        ? "a file system this driver mounts (ext4, xfs)" : wanted)
                        + "; it is formatted only when empty, so ask for " + fsType + " or use block access");
            }
        }
        List<String> command = new ArrayList<>(List.of("mount", "-t", fsType));
        List<String> options = new ArrayList<>(capability.getMount().getMountFlagsList());
        if (VolumeCapabilities.readOnlyMode(capability)) {
            options.add("ro");
        }
        if (!options.isEmpty()) {
            command.add("-o");
            command.add(String.join(",", options));
        }
        command.add(device.toString());
        command.add(stagingPath.toString());
        boolean grow = !VolumeCapabilities.readOnlyMode(capability);
        if (grow && fsType.equals("ext4")) {
            fileSystems.growExt4(device);
        }
        commands.check(command);
        if (grow && fsType.equals("xfs")) {
            try {
                fileSystems.growXfs(stagingPath);
            } catch (RuntimeException e) {
                commands.run(List.of("umount", stagingPath.toString()));
                throw e;
            }
        }
    }

    /** Unmounts the staging path if mounted and detaches the volume; unstaged already is fine. */
    public void unstage(String volumeId, Path stagingPath) {
        while (mounts.at(stagingPath).isPresent()) {
            commands.check(List.of("umount", stagingPath.toString()));
        }
        attacher.detach(volumeId);
    }
}
