package dev.copyservices.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.api.agent.v1.CreateFlashCopyRequest;
import dev.copyservices.api.agent.v1.CreateVolumeRequest;
import dev.copyservices.api.agent.v1.DeleteVolumeRequest;
import dev.copyservices.api.agent.v1.FlashCopy;
import dev.copyservices.api.agent.v1.FlashCopyRef;
import dev.copyservices.api.agent.v1.FlashCopyServiceGrpc;
import dev.copyservices.api.agent.v1.FlashCopyState;
import dev.copyservices.api.agent.v1.FullPolicy;
import dev.copyservices.api.agent.v1.GrowRepositoryRequest;
import dev.copyservices.api.agent.v1.ListFlashCopiesRequest;
import dev.copyservices.api.agent.v1.VolumeKind;
import dev.copyservices.api.agent.v1.VolumeServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FlashCopy through a real agent: gRPC to manage it, qemu-io over NBD to read and write it. */
class FlashCopyIT {
    private static final long MIB = 1 << 20;

    @TempDir
    Path pool;
    private AgentProcess agent;
    private FlashCopyServiceGrpc.FlashCopyServiceBlockingStub flashCopies;
    private VolumeServiceGrpc.VolumeServiceBlockingStub volumes;

    @BeforeEach
    void start() throws Exception {
        agent = AgentProcess.start(pool);
        flashCopies = FlashCopyServiceGrpc.newBlockingStub(agent.channel()).withDeadlineAfter(60, TimeUnit.SECONDS);
        volumes = VolumeServiceGrpc.newBlockingStub(agent.channel()).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        agent.close();
    }

    private void createVolume(String name, long size) {
        volumes.createVolume(CreateVolumeRequest.newBuilder().setName(name).setSizeBytes(size).build());
    }

    private FlashCopy show(String name) {
        return flashCopies.getFlashCopy(FlashCopyRef.newBuilder().setName(name).build());
    }

    @Test
    void flashCopyShowsPatternAWhileTheBaseShowsPatternB() throws Exception {
        createVolume("DataVol", 64 * MIB);
        Tools.qemuIoOk(agent.nbdUri("DataVol"), List.of("write -P 0xa 0 4M", "write -P 0xa 10M 100k", "flush"));
        FlashCopy fc = flashCopies.createFlashCopy(CreateFlashCopyRequest.newBuilder().setBase("DataVol").build());
        assertEquals("DataVol-1", fc.getName());
        assertEquals("DataVol-R1", fc.getRepository().getName());
        Tools.qemuIoOk(agent.nbdUri("DataVol"), List.of("write -P 0xb 512 3M", "write -P 0xb 10M 100k"));
        Tools.qemuIoOk(agent.nbdUri("DataVol-1"), List.of("read -P 0xa 0 4M", "read -P 0xa 10M 100k",
                "read -P 0 20M 1M"));
        Tools.qemuIoOk(agent.nbdUri("DataVol"), List.of("read -P 0xa 0 512", "read -P 0xb 512 3M",
                "read -P 0xb 10M 100k"));
        // the FlashCopy is writable; its writes never reach the base
        Tools.qemuIoOk(agent.nbdUri("DataVol-1"), List.of("write -P 0xc 1M 64k", "read -P 0xc 1M 64k"));
        Tools.qemuIoOk(agent.nbdUri("DataVol"), List.of("read -P 0xb 1M 64k"));
        assertEquals(VolumeKind.FLASHCOPY, volumes.getVolume(dev.copyservices.api.agent.v1.GetVolumeRequest
                .newBuilder().setName("DataVol-1").build()).getKind());
    }

    @Test
    void oneSectorWriteToAnUntouchedRegionCostsOneChunk() throws Exception {
        createVolume("base", 64 * MIB);
        flashCopies.createFlashCopy(CreateFlashCopyRequest.newBuilder().setBase("base").build());
        Tools.qemuIoOk(agent.nbdUri("base"), List.of("write -P 1 33M 512"));
        FlashCopy fc = show("base-1");
        assertEquals(16 * 1024, fc.getRepository().getUsedBytes());
        assertEquals(16 * 1024, fc.getRepository().getChunkBytes());
    }

    @Test
    void fullRepositoryUnderFailBaseWritesRejectsBaseWritesUntilItGrows() throws Exception {
        createVolume("base", 64 * MIB);
        Tools.qemuIoOk(agent.nbdUri("base"), List.of("write -P 7 0 16M", "flush"));
        flashCopies.createFlashCopy(CreateFlashCopyRequest.newBuilder().setBase("base")
                .setRepositoryCapacityBytes(8 * MIB).setFullPolicy(FullPolicy.FAIL_BASE_WRITES).build());
        Tools.qemuIoOk(agent.nbdUri("base"), List.of("write -P 8 0 8M"));
        assertEquals(FlashCopyState.FULL, show("base-1").getState());
        Tools.Result refused = Tools.qemuIo(agent.nbdUri("base"), List.of("write -P 8 8M 4k"));
        assertTrue(refused.output().contains("No space left"), refused.output());
        Tools.qemuIoOk(agent.nbdUri("base-1"), List.of("read -P 7 0 16M"));
        flashCopies.growRepository(GrowRepositoryRequest.newBuilder().setName("base-1").setByBytes(8 * MIB).build());
        Tools.qemuIoOk(agent.nbdUri("base"), List.of("write -P 8 8M 4k"));
        assertEquals(FlashCopyState.OPTIMAL, show("base-1").getState());
        Tools.qemuIoOk(agent.nbdUri("base-1"), List.of("read -P 7 0 16M"));
    }

    @Test
    void fullRepositoryUnderFailFlashCopyFailsItAndTheBaseGoesOn() throws Exception {
        createVolume("base", 64 * MIB);
        flashCopies.createFlashCopy(CreateFlashCopyRequest.newBuilder().setBase("base")
                .setRepositoryCapacityBytes(8 * MIB).build());
        Tools.qemuIoOk(agent.nbdUri("base"), List.of("write -P 9 0 12M", "read -P 9 0 12M"));
        FlashCopy failed = show("base-1");
        assertEquals(FlashCopyState.FAILED, failed.getState());
        assertTrue(failed.getFailure().contains("full"), failed.getFailure());
        Tools.Result read = Tools.qemuIo(agent.nbdUri("base-1"), List.of("read 0 4k"));
        assertTrue(read.output().contains("Input/output error"), read.output());
        FlashCopy again = flashCopies.recreateFlashCopy(FlashCopyRef.newBuilder().setName("base-1").build());
        assertEquals(FlashCopyState.OPTIMAL, again.getState());
        Tools.qemuIoOk(agent.nbdUri("base-1"), List.of("read -P 9 0 12M"));
    }

    @Test
    void disabledFlashCopyRefusesIoAndRecreateServesTheSameExportAgain() throws Exception {
        createVolume("base", 16 * MIB);
        FlashCopy created = flashCopies.createFlashCopy(CreateFlashCopyRequest.newBuilder().setBase("base").build());
        flashCopies.disableFlashCopy(FlashCopyRef.newBuilder().setName("base-1").build());
        Tools.Result read = Tools.qemuIo(agent.nbdUri("base-1"), List.of("read 0 4k"));
        assertTrue(read.output().contains("Operation not permitted"), read.output());
        Tools.qemuIoOk(agent.nbdUri("base"), List.of("write -P 3 0 1M"));
        assertEquals(0, show("base-1").getRepository().getUsedBytes());
        FlashCopy again = flashCopies.recreateFlashCopy(FlashCopyRef.newBuilder().setName("base-1").build());
        assertEquals(created.getId(), again.getId());
        assertNotEquals(created.getPointInTime(), again.getPointInTime());
        Tools.qemuIoOk(agent.nbdUri("base-1"), List.of("read -P 3 0 1M"));
    }

    @Test
    void deletingTheBaseDeletesItsFlashCopiesAndRefusalsSayWhy() throws Exception {
        createVolume("base", 16 * MIB);
        flashCopies.createFlashCopy(CreateFlashCopyRequest.newBuilder().setBase("base").build());
        flashCopies.createFlashCopy(CreateFlashCopyRequest.newBuilder().setBase("base").build());
        StatusRuntimeException ofFlashCopy = assertThrows(StatusRuntimeException.class, () -> flashCopies
                .createFlashCopy(CreateFlashCopyRequest.newBuilder().setBase("base-1").build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, ofFlashCopy.getStatus().getCode());
        StatusRuntimeException threshold = assertThrows(StatusRuntimeException.class, () -> flashCopies
                .createFlashCopy(CreateFlashCopyRequest.newBuilder().setBase("base").setWarningThresholdPercent(0)
                        .build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, threshold.getStatus().getCode());
        volumes.deleteVolume(DeleteVolumeRequest.newBuilder().setName("base").build());
        assertEquals(0, flashCopies.listFlashCopies(ListFlashCopiesRequest.getDefaultInstance()).getFlashCopiesCount());
    }

    @Test
    void flashCopiesSurviveARestart() throws Exception {
        createVolume("base", 16 * MIB);
        Tools.qemuIoOk(agent.nbdUri("base"), List.of("write -P 4 0 2M", "flush"));
        flashCopies.createFlashCopy(CreateFlashCopyRequest.newBuilder().setBase("base").build());
        Tools.qemuIoOk(agent.nbdUri("base"), List.of("write -P 5 0 2M", "flush"));
        agent.kill9();
        agent.launch();
        Tools.qemuIoOk(agent.nbdUri("base-1"), List.of("read -P 4 0 2M"));
        Tools.qemuIoOk(agent.nbdUri("base"), List.of("read -P 5 0 2M"));
        FlashCopyServiceGrpc.FlashCopyServiceBlockingStub after = FlashCopyServiceGrpc.newBlockingStub(agent.channel())
                .withDeadlineAfter(30, TimeUnit.SECONDS);
        assertEquals(2 * MIB, after.getFlashCopy(FlashCopyRef.newBuilder().setName("base-1").build()).getRepository()
                .getUsedBytes());
    }
}
