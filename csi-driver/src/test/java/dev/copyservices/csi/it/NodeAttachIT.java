package dev.copyservices.csi.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.it.AgentProcess;
import dev.copyservices.agent.it.Tools;
import dev.copyservices.csi.v1.CapacityRange;
import dev.copyservices.csi.v1.ControllerExpandVolumeRequest;
import dev.copyservices.csi.v1.NodeExpandVolumeRequest;
import dev.copyservices.csi.v1.NodeGetVolumeStatsRequest;
import dev.copyservices.csi.v1.Snapshot;
import dev.copyservices.csi.v1.Volume;
import dev.copyservices.csi.v1.VolumeCapability;
import dev.copyservices.csi.v1.VolumeUsage;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Stage and publish for real (nbdfuse, loop devices, mkfs, mount; needs root) through the driver's
 * CSI API with a real agent: files written through a mount survive a snapshot and a restore, a clone
 * shows its source's files, read-only publishes refuse writes, and an offline expansion grows the
 * file system at the next stage. Each test leaves nothing mounted or attached.
 */
class NodeAttachIT {
    private static final long SIZE = 64L << 20;

    private static DriverSite site;
    private static Path dir;
    private static AgentProcess agent;
    private static CsiDriverProcess driver;
    private static CsiClient csi;
    private static int pods;

    @BeforeAll
    static void start() throws Exception {
        site = DriverSite.start("csi-node-it", "node-it");
        dir = site.dir;
        agent = site.agent;
        driver = site.driver;
        csi = site.csi;
    }

    @AfterAll
    static void stop() throws Exception {
        if (site != null) {
            site.close();
        }
    }

    @AfterEach
    void nothingLeftBehind() throws IOException {
        site.assertNothingLeft();
    }

    /** A pod's use of a volume: its staging and target paths on this node. */
    private record Pod(String volumeId, Path staging, Path target, VolumeCapability capability) {
        void stop() {
            csi.unpublish(volumeId, target);
            csi.unstage(volumeId, staging);
        }
    }

    private static Pod run(String volumeId, VolumeCapability capability, boolean readOnly) throws IOException {
        Path podDir = Files.createDirectories(dir.resolve("pod-" + ++pods));
        Path staging = Files.createDirectories(podDir.resolve("staging"));
        Path target = podDir.resolve("target");
        csi.stage(volumeId, staging, capability);
        csi.publish(volumeId, staging, target, capability, readOnly);
        return new Pod(volumeId, staging, target, capability);
    }

    private static byte[] random(int bytes, long seed) {
        byte[] data = new byte[bytes];
        new Random(seed).nextBytes(data);
        return data;
    }

    /** Writes and fsyncs, so the data is on the volume (through loop, FUSE and an NBD flush) before a snapshot. */
    private static void writeDurably(Path file, byte[] data) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            channel.write(ByteBuffer.wrap(data));
            channel.force(true);
        }
    }

    @Test
    void filesWrittenBeforeASnapshotAreWhatTheRestoredVolumeShows() throws Exception {
        VolumeCapability ext4 = CsiClient.mount("ext4");
        Volume volume = csi.create("restore-source", SIZE, ext4);
        byte[] kept = random(3 << 20, 1);
        byte[] later = random(1 << 20, 2);
        Pod pod = run(volume.getVolumeId(), ext4, false);
        writeDurably(pod.target().resolve("data.bin"), kept);
        Files.createDirectories(pod.target().resolve("dir"));
        writeDurably(pod.target().resolve("dir/small.txt"), "at the snapshot\n".getBytes());
        Snapshot snapshot = csi.snapshot("restore-snap", volume.getVolumeId());
        assertTrue(snapshot.getReadyToUse());
        writeDurably(pod.target().resolve("data.bin"), later);
        Files.delete(pod.target().resolve("dir/small.txt"));

        Volume restored = csi.restore("restored", SIZE, ext4, snapshot.getSnapshotId());
        assertEquals(snapshot.getSnapshotId(), restored.getContentSource().getSnapshot().getSnapshotId());
        Pod restoredPod = run(restored.getVolumeId(), ext4, false);
        assertArrayEquals(kept, Files.readAllBytes(restoredPod.target().resolve("data.bin")));
        assertEquals("at the snapshot\n", Files.readString(restoredPod.target().resolve("dir/small.txt")));
        writeDurably(restoredPod.target().resolve("new.txt"), "writable".getBytes());
        assertArrayEquals(later, Files.readAllBytes(pod.target().resolve("data.bin")), "the source kept its own writes");
        assertFalse(Files.exists(pod.target().resolve("new.txt")), "the restore's writes stay on the restore");

        restoredPod.stop();
        pod.stop();
        csi.delete(restored.getVolumeId());
        csi.deleteSnapshot(snapshot.getSnapshotId());
        csi.delete(volume.getVolumeId());
    }

    @Test
    void aCloneOfAnXfsVolumeShowsTheSourceFilesAtOnce() throws Exception {
        VolumeCapability xfs = CsiClient.mount("xfs");
        Volume source = csi.create("clone-source", 320L << 20, xfs);
        byte[] data = random(2 << 20, 3);
        Pod pod = run(source.getVolumeId(), xfs, false);
        writeDurably(pod.target().resolve("data.bin"), data);
        pod.stop();

        Volume clone = csi.clone("clone", 320L << 20, xfs, source.getVolumeId());
        Pod clonePod = run(clone.getVolumeId(), xfs, false);
        assertArrayEquals(data, Files.readAllBytes(clonePod.target().resolve("data.bin")));
        String mounted = Files.readString(Path.of("/proc/self/mounts"));
        assertTrue(mounted.contains(clonePod.target() + " xfs "), "the clone is mounted as xfs");
        clonePod.stop();
        csi.delete(clone.getVolumeId());
        csi.delete(source.getVolumeId());
    }

    @Test
    void aReadOnlyFileSystemPublishRefusesWrites() throws Exception {
        VolumeCapability ext4 = CsiClient.mount("ext4");
        Volume volume = csi.create("read-only-fs", SIZE, ext4);
        Pod pod = run(volume.getVolumeId(), ext4, true);
        assertThrows(IOException.class, () -> Files.writeString(pod.target().resolve("x"), "no"));
        pod.stop();
        csi.delete(volume.getVolumeId());
    }

    @Test
    void aBlockVolumeIsADeviceOfItsSizeAndAReadOnlyPublishRefusesWrites() throws Exception {
        VolumeCapability block = CsiClient.block();
        Volume volume = csi.create("block", SIZE, block);
        Pod writer = run(volume.getVolumeId(), block, false);
        byte[] data = random(1 << 20, 4);
        try (FileChannel device = FileChannel.open(writer.target(), StandardOpenOption.WRITE)) {
            device.write(ByteBuffer.wrap(data), 0);
            device.force(true);
        }
        assertEquals(SIZE, blockStats(volume.getVolumeId(), writer.target()).getTotal());
        Path readOnlyTarget = writer.target().resolveSibling("read-only-target");
        csi.publish(volume.getVolumeId(), writer.staging(), readOnlyTarget, block, true);
        try (FileChannel device = FileChannel.open(readOnlyTarget, StandardOpenOption.READ)) {
            ByteBuffer read = ByteBuffer.allocate(data.length);
            device.read(read, 0);
            assertArrayEquals(data, read.array());
        }
        try {
            // the device opens for writing (the kernel allows that), but no write gets through
            assertThrows(IOException.class, () -> {
                try (FileChannel device = FileChannel.open(readOnlyTarget, StandardOpenOption.WRITE)) {
                    device.write(ByteBuffer.wrap(new byte[4096]), 0);
                }
            });
        } finally {
            csi.unpublish(volume.getVolumeId(), readOnlyTarget);
        }
        assertEquals(1, loopDevicesOf(volume.getVolumeId()), "the read-only loop device went with its publish");
        writer.stop();
        csi.delete(volume.getVolumeId());
    }

    private static long loopDevicesOf(String volumeId) throws Exception {
        Path export = driver.stateDir().resolve("attach").resolve(volumeId.replace('/', '@')).resolve("fuse/disk");
        Tools.Result result = Tools.run("losetup", "--noheadings", "--output", "NAME", "--associated", export.toString());
        return result.output().lines().filter(l -> !l.isBlank()).count();
    }

    private static VolumeUsage blockStats(String volumeId, Path path) {
        return csi.node().nodeGetVolumeStats(NodeGetVolumeStatsRequest.newBuilder().setVolumeId(volumeId)
                .setVolumePath(path.toString()).build()).getUsage(0);
    }

    @Test
    void aReaderOnlyVolumeIsStagedReadOnlyAndMountFlagsReachTheMount() throws Exception {
        VolumeCapability writer = CsiClient.mount("ext4").toBuilder().setMount(VolumeCapability.MountVolume.newBuilder()
                .setFsType("ext4").addMountFlags("noatime")).build();
        Volume volume = csi.create("reader-only", SIZE, writer);
        Pod first = run(volume.getVolumeId(), writer, false);
        assertTrue(mountOptions(first.staging()).contains("noatime"), mountOptions(first.staging()).toString());
        writeDurably(first.target().resolve("kept.txt"), "kept".getBytes());
        first.stop();

        VolumeCapability reader = CsiClient.mount("ext4").toBuilder().setAccessMode(VolumeCapability.AccessMode
                .newBuilder().setMode(VolumeCapability.AccessMode.Mode.SINGLE_NODE_READER_ONLY)).build();
        Pod second = run(volume.getVolumeId(), reader, false);
        assertTrue(mountOptions(second.staging()).contains("ro"), mountOptions(second.staging()).toString());
        assertEquals("kept", Files.readString(second.target().resolve("kept.txt")));
        assertThrows(IOException.class, () -> Files.writeString(second.target().resolve("new.txt"), "no"));
        second.stop();
        csi.delete(volume.getVolumeId());
    }

    /** The options of the mount at path, from /proc/self/mountinfo. */
    private static List<String> mountOptions(Path path) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            if (f[4].equals(path.toString())) {
                return List.of(f[5].split(","));
            }
        }
        return List.of();
    }

    @Test
    void anXfsVolumeExpandedWhileUnstagedHasTheLargerFileSystemAtTheNextStage() throws Exception {
        VolumeCapability xfs = CsiClient.mount("xfs");
        long size = 320L << 20;
        Volume volume = csi.create("expand-xfs", size, xfs);
        Pod before = run(volume.getVolumeId(), xfs, false);
        long totalBefore = bytes(volume.getVolumeId(), before.target()).getTotal();
        before.stop();
        csi.controller().controllerExpandVolume(ControllerExpandVolumeRequest.newBuilder()
                .setVolumeId(volume.getVolumeId()).setCapacityRange(CapacityRange.newBuilder()
                        .setRequiredBytes(2 * size)).setVolumeCapability(xfs).build());
        Pod after = run(volume.getVolumeId(), xfs, false);
        long totalAfter = bytes(volume.getVolumeId(), after.target()).getTotal();
        assertTrue(totalAfter > totalBefore * 3 / 2, "xfs grew from " + totalBefore + " to " + totalAfter);
        after.stop();
        csi.delete(volume.getVolumeId());
    }

    @Test
    void aVolumeExpandedWhileUnstagedHasTheLargerFileSystemAtTheNextStage() throws Exception {
        VolumeCapability ext4 = CsiClient.mount("ext4");
        Volume volume = csi.create("expand", SIZE, ext4);
        Pod before = run(volume.getVolumeId(), ext4, false);
        writeDurably(before.target().resolve("kept.txt"), "kept".getBytes());
        long totalBefore = bytes(volume.getVolumeId(), before.target()).getTotal();
        before.stop();

        long grown = csi.controller().controllerExpandVolume(ControllerExpandVolumeRequest.newBuilder()
                .setVolumeId(volume.getVolumeId()).setCapacityRange(CapacityRange.newBuilder()
                        .setRequiredBytes(4 * SIZE)).setVolumeCapability(ext4).build()).getCapacityBytes();
        assertEquals(4 * SIZE, grown);
        Pod after = run(volume.getVolumeId(), ext4, false);
        long totalAfter = bytes(volume.getVolumeId(), after.target()).getTotal();
        assertTrue(totalAfter > 3 * totalBefore, "file system grew from " + totalBefore + " to " + totalAfter);
        assertEquals("kept", Files.readString(after.target().resolve("kept.txt")));
        assertEquals(4 * SIZE, nodeExpand(volume.getVolumeId(), after.target(), 4 * SIZE),
                "NodeExpandVolume after the stage, as Kubernetes calls it, finds the file system grown");
        assertEquals(totalAfter, bytes(volume.getVolumeId(), after.target()).getTotal());
        after.stop();
        csi.delete(volume.getVolumeId());
    }

    @Test
    void aVolumeExpandedWhileStagedIsRefusedNodeExpansionUntilItIsStagedAgain() throws Exception {
        VolumeCapability ext4 = CsiClient.mount("ext4");
        Volume volume = csi.create("expand-staged", SIZE, ext4);
        Pod pod = run(volume.getVolumeId(), ext4, false);
        writeDurably(pod.target().resolve("kept.txt"), "kept".getBytes());
        long totalBefore = bytes(volume.getVolumeId(), pod.target()).getTotal();
        csi.controller().controllerExpandVolume(ControllerExpandVolumeRequest.newBuilder()
                .setVolumeId(volume.getVolumeId()).setCapacityRange(CapacityRange.newBuilder()
                        .setRequiredBytes(2 * SIZE)).setVolumeCapability(ext4).build());

        StatusRuntimeException attachedSmaller = assertThrows(StatusRuntimeException.class,
                () -> nodeExpand(volume.getVolumeId(), pod.target(), 2 * SIZE));
        assertEquals(Status.Code.FAILED_PRECONDITION, attachedSmaller.getStatus().getCode());
        assertTrue(attachedSmaller.getStatus().getDescription().contains("unstage"),
                attachedSmaller.getStatus().getDescription());
        assertEquals(totalBefore, bytes(volume.getVolumeId(), pod.target()).getTotal(), "nothing changed");
        assertEquals("kept", Files.readString(pod.target().resolve("kept.txt")));
        pod.stop();

        Pod again = run(volume.getVolumeId(), ext4, false);
        assertEquals(2 * SIZE, nodeExpand(volume.getVolumeId(), again.target(), 2 * SIZE));
        assertTrue(bytes(volume.getVolumeId(), again.target()).getTotal() > totalBefore * 3 / 2);
        assertEquals(Status.Code.NOT_FOUND, assertThrows(StatusRuntimeException.class,
                () -> nodeExpand(volume.getVolumeId(), dir.resolve("not-a-mount"), 0)).getStatus().getCode());
        again.stop();
        assertEquals(Status.Code.NOT_FOUND, assertThrows(StatusRuntimeException.class,
                () -> nodeExpand(volume.getVolumeId(), again.target(), 0)).getStatus().getCode(),
                "an unstaged volume has nothing to grow on this node");
        csi.delete(volume.getVolumeId());
    }

    private static long nodeExpand(String volumeId, Path path, long requiredBytes) {
        return csi.node().nodeExpandVolume(NodeExpandVolumeRequest.newBuilder().setVolumeId(volumeId)
                .setVolumePath(path.toString()).setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(requiredBytes))
                .build()).getCapacityBytes();
    }

    private static VolumeUsage bytes(String volumeId, Path path) {
        return csi.node().nodeGetVolumeStats(NodeGetVolumeStatsRequest.newBuilder().setVolumeId(volumeId)
                .setVolumePath(path.toString()).build()).getUsageList().stream()
                .filter(u -> u.getUnit() == VolumeUsage.Unit.BYTES).findFirst().orElseThrow();
    }
}
