package dev.copyservices.csi.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.it.AgentProcess;
import dev.copyservices.csi.v1.CapacityRange;
import dev.copyservices.csi.v1.ControllerExpandVolumeRequest;
import dev.copyservices.csi.v1.CreateSnapshotRequest;
import dev.copyservices.csi.v1.CreateVolumeRequest;
import dev.copyservices.csi.v1.ListVolumesRequest;
import dev.copyservices.csi.v1.Snapshot;
import dev.copyservices.csi.v1.Volume;
import dev.copyservices.csi.v1.VolumeCapability;
import dev.copyservices.csi.v1.VolumeCapability.AccessMode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Bad input against a real driver and agent: each request gets the CSI specification's code and a
 * message that says what to do, creates nothing, and leaves nothing mounted or attached.
 */
class BadInputIT {
    private static final long SIZE = 64L << 20;

    private static DriverSite site;
    private static Path dir;
    private static AgentProcess agent;
    private static CsiDriverProcess driver;
    private static CsiClient csi;

    @BeforeAll
    static void start() throws Exception {
        site = DriverSite.start("csi-bad-input-it", "bad-input-it");
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

    private static StatusRuntimeException refused(Status.Code code, Executable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
        assertEquals(code, e.getStatus().getCode(), e.getStatus().getDescription());
        assertTrue(e.getStatus().getDescription() != null && e.getStatus().getDescription().length() > 20,
                "a message that explains: " + e.getStatus().getDescription());
        return e;
    }

    private static int volumeCount() {
        return csi.controller().listVolumes(ListVolumesRequest.getDefaultInstance()).getEntriesCount();
    }

    @Test
    void invalidCapacitiesAreRefusedAndCreateNothing() {
        int before = volumeCount();
        VolumeCapability ext4 = CsiClient.mount("ext4");
        refused(Status.Code.INVALID_ARGUMENT, () -> csi.controller().createVolume(csi.request("negative", -1, ext4)
                .build()));
        refused(Status.Code.INVALID_ARGUMENT, () -> csi.controller().createVolume(csi.request("limit-below", SIZE, ext4)
                .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(SIZE).setLimitBytes(SIZE / 2)).build()));
        refused(Status.Code.OUT_OF_RANGE, () -> csi.controller().createVolume(csi.request("no-sector", 0, ext4)
                .setCapacityRange(CapacityRange.newBuilder().setRequiredBytes(100).setLimitBytes(200)).build()));
        assertEquals(before, volumeCount());
    }

    @Test
    void wrongAccessModesAndFileSystemsAreRefusedAndCreateNothing() {
        int before = volumeCount();
        VolumeCapability multiWriter = CsiClient.mount("ext4").toBuilder()
                .setAccessMode(AccessMode.newBuilder().setMode(AccessMode.Mode.MULTI_NODE_MULTI_WRITER)).build();
        StatusRuntimeException e = refused(Status.Code.INVALID_ARGUMENT, () -> csi.create("multi", SIZE, multiWriter));
        assertTrue(e.getStatus().getDescription().contains("SINGLE_NODE_WRITER"), "says which modes work");
        refused(Status.Code.INVALID_ARGUMENT, () -> csi.create("btrfs", SIZE, CsiClient.mount("btrfs")));
        refused(Status.Code.INVALID_ARGUMENT, () -> csi.controller().createVolume(CreateVolumeRequest.newBuilder()
                .setName("no-capability").build()));
        assertEquals(before, volumeCount());
    }

    @Test
    void unknownVolumeAndSnapshotIdsAreNotFound() {
        int before = volumeCount();
        VolumeCapability ext4 = CsiClient.mount("ext4");
        refused(Status.Code.NOT_FOUND, () -> csi.restore("from-nothing", SIZE, ext4, agent.name() + "/snap-missing"));
        refused(Status.Code.NOT_FOUND, () -> csi.clone("of-nothing", SIZE, ext4, agent.name() + "/csi-missing"));
        refused(Status.Code.NOT_FOUND, () -> csi.controller().createSnapshot(CreateSnapshotRequest.newBuilder()
                .setName("snap-of-nothing").setSourceVolumeId(agent.name() + "/csi-missing").build()));
        refused(Status.Code.NOT_FOUND, () -> csi.controller().controllerExpandVolume(ControllerExpandVolumeRequest
                .newBuilder().setVolumeId(agent.name() + "/csi-missing").setCapacityRange(CapacityRange.newBuilder()
                        .setRequiredBytes(SIZE)).build()));
        refused(Status.Code.NOT_FOUND, () -> csi.restore("on-unknown-array", SIZE, ext4, "no-such-array/snap-x"));
        assertEquals(before, volumeCount());
    }

    @Test
    void stagingAtAPathThatDoesNotExistIsRefusedAndAttachesNothing() {
        Volume volume = csi.create("no-staging-dir", SIZE, CsiClient.mount("ext4"));
        refused(Status.Code.INVALID_ARGUMENT, () -> csi.stage(volume.getVolumeId(), dir.resolve("missing/staging"),
                CsiClient.mount("ext4")));
        refused(Status.Code.INVALID_ARGUMENT, () -> csi.stage(volume.getVolumeId(), Path.of("relative/staging"),
                CsiClient.mount("ext4")));
        csi.delete(volume.getVolumeId());
    }

    @Test
    void stagingAnUnknownVolumeIsNotFoundAndAttachesNothing() throws IOException {
        Path staging = Files.createDirectories(dir.resolve("unknown-staging"));
        refused(Status.Code.NOT_FOUND, () -> csi.stage(agent.name() + "/csi-missing", staging, CsiClient.mount("ext4")));
        refused(Status.Code.NOT_FOUND, () -> csi.stage("not-an-id", staging, CsiClient.mount("ext4")));
    }

    @Test
    void stagingWithAnotherFileSystemThanTheVolumeHoldsIsRefusedAndDetaches() throws IOException {
        VolumeCapability ext4 = CsiClient.mount("ext4");
        Volume volume = csi.create("holds-ext4", SIZE, ext4);
        Path staging = Files.createDirectories(dir.resolve("fs-mismatch-staging"));
        csi.stage(volume.getVolumeId(), staging, ext4);
        csi.unstage(volume.getVolumeId(), staging);
        StatusRuntimeException e = refused(Status.Code.FAILED_PRECONDITION,
                () -> csi.stage(volume.getVolumeId(), staging, CsiClient.mount("xfs")));
        assertTrue(e.getStatus().getDescription().contains("ext4"), "names what the volume holds");
        csi.delete(volume.getVolumeId());
    }

    @Test
    void publishingAVolumeThatIsNotStagedIsRefused() throws IOException {
        VolumeCapability ext4 = CsiClient.mount("ext4");
        Volume volume = csi.create("not-staged", SIZE, ext4);
        Path staging = Files.createDirectories(dir.resolve("not-staged-staging"));
        refused(Status.Code.FAILED_PRECONDITION, () -> csi.publish(volume.getVolumeId(), staging,
                dir.resolve("not-staged-target"), ext4, false));
        refused(Status.Code.FAILED_PRECONDITION, () -> csi.publish(volume.getVolumeId(), staging,
                dir.resolve("not-staged-block"), CsiClient.block(), false));
        csi.delete(volume.getVolumeId());
    }

    @Test
    void deletingAVolumeWithSnapshotsIsRefusedAndKeepsBoth() {
        Volume volume = csi.create("has-snapshot", SIZE, CsiClient.mount("ext4"));
        Snapshot snapshot = csi.snapshot("its-snapshot", volume.getVolumeId());
        refused(Status.Code.FAILED_PRECONDITION, () -> csi.delete(volume.getVolumeId()));
        csi.deleteSnapshot(snapshot.getSnapshotId());
        csi.delete(volume.getVolumeId());
    }

    @Test
    void aSecondCreateWithTheSameNameButAnotherSizeIsAlreadyExists() {
        VolumeCapability ext4 = CsiClient.mount("ext4");
        Volume volume = csi.create("same-name", SIZE, ext4);
        assertEquals(volume, csi.create("same-name", SIZE, ext4), "the same request returns the same volume");
        refused(Status.Code.ALREADY_EXISTS, () -> csi.create("same-name", 2 * SIZE, ext4));
        csi.delete(volume.getVolumeId());
    }
}
