package dev.copyservices.csi.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.it.AgentProcess;
import dev.copyservices.csi.v1.CreateVolumeGroupSnapshotRequest;
import dev.copyservices.csi.v1.DeleteVolumeGroupSnapshotRequest;
import dev.copyservices.csi.v1.GetVolumeGroupSnapshotRequest;
import dev.copyservices.csi.v1.GroupControllerGrpc;
import dev.copyservices.csi.v1.Snapshot;
import dev.copyservices.csi.v1.Volume;
import dev.copyservices.csi.v1.VolumeCapability;
import dev.copyservices.csi.v1.VolumeGroupSnapshot;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A group snapshot of two mounted volumes through the driver's GroupController with a real agent:
 * each member restores to what its volume held at the group's point in time.
 */
class GroupSnapshotIT {
    private static final long SIZE = 64L << 20;

    private static void writeDurably(Path file, byte[] data) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            channel.write(ByteBuffer.wrap(data));
            channel.force(true);
        }
    }

    private static byte[] random(long seed) {
        byte[] data = new byte[1 << 20];
        new Random(seed).nextBytes(data);
        return data;
    }

    @Test
    void everyMemberOfAGroupSnapshotRestoresToItsVolumeAtTheGroupsPointInTime() throws Exception {
        Path dir = Files.createTempDirectory("csi-group-it");
        try (AgentProcess agent = AgentProcess.start(dir.resolve("pool"));
                CsiDriverProcess driver = CsiDriverProcess.start(dir.resolve("driver"), "group-it", agent.controlAddress())) {
            CsiClient csi = new CsiClient(driver.channel());
            GroupControllerGrpc.GroupControllerBlockingStub groups = GroupControllerGrpc.newBlockingStub(driver.channel())
                    .withDeadlineAfter(120, TimeUnit.SECONDS);
            VolumeCapability ext4 = CsiClient.mount("ext4");
            List<Volume> volumes = List.of(csi.create("db-data", SIZE, ext4), csi.create("db-log", SIZE, ext4));
            List<Path[]> paths = new ArrayList<>();
            for (int i = 0; i < volumes.size(); i++) {
                Path staging = Files.createDirectories(dir.resolve("staging-" + i));
                Path target = dir.resolve("target-" + i);
                csi.stage(volumes.get(i).getVolumeId(), staging, ext4);
                csi.publish(volumes.get(i).getVolumeId(), staging, target, ext4, false);
                writeDurably(target.resolve("file.bin"), random(i));
                paths.add(new Path[] {staging, target});
            }
            VolumeGroupSnapshot group = groups.createVolumeGroupSnapshot(CreateVolumeGroupSnapshotRequest.newBuilder()
                    .setName("db-group").addSourceVolumeIds(volumes.get(0).getVolumeId())
                    .addSourceVolumeIds(volumes.get(1).getVolumeId()).build()).getGroupSnapshot();
            assertTrue(group.getReadyToUse());
            assertEquals(2, group.getSnapshotsCount());
            for (int i = 0; i < volumes.size(); i++) {
                writeDurably(paths.get(i)[1].resolve("file.bin"), random(100 + i));
            }
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                    () -> csi.delete(volumes.get(0).getVolumeId()));
            assertEquals(Status.Code.FAILED_PRECONDITION, refused.getStatus().getCode());

            for (int i = 0; i < volumes.size(); i++) {
                String source = volumes.get(i).getVolumeId();
                Snapshot member = group.getSnapshotsList().stream().filter(s -> s.getSourceVolumeId().equals(source))
                        .findFirst().orElseThrow();
                Volume restored = csi.restore("restored-" + i, SIZE, ext4, member.getSnapshotId());
                Path staging = Files.createDirectories(dir.resolve("restored-staging-" + i));
                Path target = dir.resolve("restored-target-" + i);
                csi.stage(restored.getVolumeId(), staging, ext4);
                csi.publish(restored.getVolumeId(), staging, target, ext4, false);
                assertArrayEquals(random(i), Files.readAllBytes(target.resolve("file.bin")), "member " + i);
                csi.unpublish(restored.getVolumeId(), target);
                csi.unstage(restored.getVolumeId(), staging);
                csi.delete(restored.getVolumeId());
            }
            assertEquals(group, groups.getVolumeGroupSnapshot(GetVolumeGroupSnapshotRequest.newBuilder()
                    .setGroupSnapshotId(group.getGroupSnapshotId()).build()).getGroupSnapshot());
            groups.deleteVolumeGroupSnapshot(DeleteVolumeGroupSnapshotRequest.newBuilder()
                    .setGroupSnapshotId(group.getGroupSnapshotId()).build());
            for (int i = 0; i < volumes.size(); i++) {
                csi.unpublish(volumes.get(i).getVolumeId(), paths.get(i)[1]);
                csi.unstage(volumes.get(i).getVolumeId(), paths.get(i)[0]);
                csi.delete(volumes.get(i).getVolumeId());
            }
            assertEquals(List.of(), NodeLeftovers.mountsUnder(dir));
            assertEquals(List.of(), NodeLeftovers.attachments(driver.stateDir()));
        }
        NodeLeftovers.deleteIfNothingMounted(dir);
    }
}
