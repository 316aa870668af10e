package dev.copyservices.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.api.agent.v1.Array;
import dev.copyservices.api.agent.v1.ArrayServiceGrpc;
import dev.copyservices.api.agent.v1.CreateVolumeRequest;
import dev.copyservices.api.agent.v1.DeleteVolumeRequest;
import dev.copyservices.api.agent.v1.ErrorDetail;
import dev.copyservices.api.agent.v1.GetArrayRequest;
import dev.copyservices.api.agent.v1.GetVolumeRequest;
import dev.copyservices.api.agent.v1.ListVolumesRequest;
import dev.copyservices.api.agent.v1.ResizeVolumeRequest;
import dev.copyservices.api.agent.v1.UpdateVolumeRequest;
import dev.copyservices.api.agent.v1.Volume;
import dev.copyservices.api.agent.v1.VolumeServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gRPC control API of a real agent process: answers, status codes, error details, persistence. */
class ControlApiIT {
    private static final long MIB = 1 << 20;

    @TempDir
    Path pool;
    private AgentProcess agent;
    private VolumeServiceGrpc.VolumeServiceBlockingStub volumes;
    private ArrayServiceGrpc.ArrayServiceBlockingStub array;

    @BeforeEach
    void start() throws Exception {
        agent = AgentProcess.start(pool, "--max-volumes", "3");
        stubs();
    }

    private void stubs() {
        volumes = VolumeServiceGrpc.newBlockingStub(agent.channel()).withDeadlineAfter(30, TimeUnit.SECONDS);
        array = ArrayServiceGrpc.newBlockingStub(agent.channel()).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        agent.close();
    }

    private Volume create(String name, long size) {
        return volumes.createVolume(CreateVolumeRequest.newBuilder().setName(name).setSizeBytes(size).build());
    }

    /** Asserts the call fails with {@code code}, an ErrorDetail of {@code reason} and a correction hint. */
    private static ErrorDetail fails(Status.Code code, String reason, org.junit.jupiter.api.function.Executable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
        assertEquals(code, e.getStatus().getCode(), e.toString());
        com.google.rpc.Status status = StatusProto.fromThrowable(e);
        ErrorDetail detail = status.getDetailsList().stream().filter(d -> d.is(ErrorDetail.class)).findFirst()
                .map(d -> {
                    try {
                        return d.unpack(ErrorDetail.class);
                    } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
                        throw new AssertionError(ex);
                    }
                }).orElseThrow(() -> new AssertionError("no ErrorDetail in " + status));
        assertEquals(reason, detail.getReason());
        assertFalse(detail.getMessage().isBlank());
        assertFalse(detail.getCorrection().isBlank());
        return detail;
    }

    @Test
    void arrayShowsIdentityLimitsAndCounts() {
        create("v1", 64 * MIB);
        Array info = array.getArray(GetArrayRequest.getDefaultInstance());
        assertEquals("it-array", info.getName());
        assertEquals("it", info.getSite());
        assertEquals("127.0.0.1:" + agent.nbdPort(), info.getNbdEndpoint());
        assertEquals(3, info.getLimits().getMaxVolumes());
        assertEquals(4, info.getLimits().getMaxFlashcopiesPerBase());
        assertEquals(8, info.getLimits().getMaxCopiesInProgress());
        assertEquals(64, info.getLimits().getMaxMirrors());
        assertEquals(1, info.getCounts().getVolumes());
        assertEquals(64 * MIB, info.getCapacity().getProvisionedBytes());
        assertTrue(info.getCapacity().getPoolTotalBytes() > 0);
        assertFalse(info.getId().isBlank());
    }

    @Test
    void volumeLifecycleWithIdempotentCreate() {
        Volume created = create("db data", 64 * MIB);
        assertEquals(created.getId(), create("db data", 64 * MIB).getId());
        assertEquals(64 * MIB, volumes.getVolume(GetVolumeRequest.newBuilder().setName("db data").build()).getSizeBytes());
        assertEquals(128 * MIB, volumes.resizeVolume(ResizeVolumeRequest.newBuilder().setName("db data")
                .setSizeBytes(128 * MIB).build()).getSizeBytes());
        Volume updated = volumes.updateVolume(UpdateVolumeRequest.newBuilder().setName("db data").setReadOnly(true)
                .putSetAttributes("kubernetes.io/pvc", "default/db").build());
        assertTrue(updated.getReadOnly());
        assertEquals(List.of("db data"), volumes.listVolumes(ListVolumesRequest.newBuilder()
                .putAttributeSelector("kubernetes.io/pvc", "default/db").build()).getVolumesList().stream()
                .map(Volume::getName).toList());
        volumes.deleteVolume(DeleteVolumeRequest.newBuilder().setName("db data").build());
        assertEquals(0, volumes.listVolumes(ListVolumesRequest.getDefaultInstance()).getVolumesCount());
    }

    @Test
    void errorsCarryTheirCodeReasonAndCorrection() {
        create("v1", MIB);
        fails(Status.Code.INVALID_ARGUMENT, "INVALID_NAME", () -> create("x".repeat(31), MIB));
        fails(Status.Code.INVALID_ARGUMENT, "INVALID_NAME", () -> create("bad/name", MIB));
        fails(Status.Code.INVALID_ARGUMENT, "INVALID_SIZE", () -> create("v2", 1000));
        fails(Status.Code.INVALID_ARGUMENT, "INVALID_SIZE", () -> create("v2", -512)); // 2^64-512 as uint64
        fails(Status.Code.ALREADY_EXISTS, "VOLUME_EXISTS", () -> create("v1", 2 * MIB));
        fails(Status.Code.NOT_FOUND, "VOLUME_NOT_FOUND",
                () -> volumes.getVolume(GetVolumeRequest.newBuilder().setName("nope").build()));
        fails(Status.Code.INVALID_ARGUMENT, "SHRINK_NOT_SUPPORTED", () -> volumes.resizeVolume(
                ResizeVolumeRequest.newBuilder().setName("v1").setSizeBytes(512).build()));
        create("v2", MIB);
        create("v3", MIB);
        ErrorDetail limit = fails(Status.Code.RESOURCE_EXHAUSTED, "VOLUME_LIMIT_REACHED", () -> create("v4", MIB));
        assertTrue(limit.getCorrection().contains("--max-volumes"), limit.getCorrection());
        // nothing that failed left anything behind
        assertEquals(List.of("v1", "v2", "v3"), volumes.listVolumes(ListVolumesRequest.getDefaultInstance())
                .getVolumesList().stream().map(Volume::getName).toList());
        assertEquals(MIB, volumes.getVolume(GetVolumeRequest.newBuilder().setName("v1").build()).getSizeBytes());
    }

    @Test
    void deleteOfAVolumeInUseNeedsForce() throws Exception {
        create("busy", 16 * MIB);
        // a real NBD client holding the export: nbdsh-free, qemu-io waits on its stdin between commands
        Process client = new ProcessBuilder("qemu-io", "-f", "raw", agent.nbdUri("busy"))
                .redirectErrorStream(true).start();
        try {
            awaitConnections("busy", 1);
            fails(Status.Code.FAILED_PRECONDITION, "VOLUME_IN_USE",
                    () -> volumes.deleteVolume(DeleteVolumeRequest.newBuilder().setName("busy").build()));
            volumes.deleteVolume(DeleteVolumeRequest.newBuilder().setName("busy").setForce(true).build());
            fails(Status.Code.NOT_FOUND, "VOLUME_NOT_FOUND",
                    () -> volumes.getVolume(GetVolumeRequest.newBuilder().setName("busy").build()));
        } finally {
            client.destroyForcibly().waitFor();
        }
    }

    private void awaitConnections(String name, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (volumes.getVolume(GetVolumeRequest.newBuilder().setName(name).build()).getNbdConnections() != expected) {
            assertTrue(System.nanoTime() < deadline, "no NBD connection to " + name + " appeared");
            Thread.onSpinWait();
        }
    }

    @Test
    void volumesSurviveRestartAndKill9() throws Exception {
        Volume created = create("kept", 32 * MIB);
        agent.close();
        agent.launch();
        stubs();
        assertEquals(created.getId(), volumes.getVolume(GetVolumeRequest.newBuilder().setName("kept").build()).getId());
        agent.kill9();
        agent.launch();
        stubs();
        assertEquals(created.getId(), volumes.getVolume(GetVolumeRequest.newBuilder().setName("kept").build()).getId());
    }

    @Test
    void secondAgentOnTheSamePoolIsRefusedWithTheReason() throws Exception {
        Path log = Files.createTempFile("second", ".log");
        Process second = AgentProcess.launchRaw(log, "--pool-dir", pool.toString(), "--listen", "127.0.0.1:0",
                "--nbd-listen", "127.0.0.1:0", "--insecure-dev");
        assertTrue(second.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, second.exitValue());
        assertTrue(Files.readString(log).contains("in use by another agent"), Files.readString(log));
    }

    @Test
    void badCommandLineIsAUsageError() throws Exception {
        Path log = Files.createTempFile("usage", ".log");
        Process bad = AgentProcess.launchRaw(log, "--pool-dir", pool.resolve("other").toString(), "--listen", "nonsense",
                "--insecure-dev");
        // the message names the option, not only the usage text listing every option
        assertTrue(bad.waitFor(60, TimeUnit.SECONDS));
        assertTrue(Files.readString(log).contains("--listen"), Files.readString(log));
        assertTrue(bad.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, bad.exitValue());
        assertTrue(Files.readString(log).contains("HOST:PORT"), Files.readString(log));
    }

    @Test
    void healthAndReflectionAreOn() throws Exception {
        CompletableFuture<List<String>> services = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(agent.channel())
                .serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse response) {
                        services.complete(response.getListServicesResponse().getServiceList().stream()
                                .map(ServiceResponse::getName).toList());
                    }

                    @Override
                    public void onError(Throwable t) {
                        services.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        List<String> names = services.get(30, TimeUnit.SECONDS);
        requests.onCompleted();
        assertTrue(names.containsAll(List.of("copyservices.agent.v1.ArrayService",
                "copyservices.agent.v1.VolumeService", "grpc.health.v1.Health")), names.toString());
    }

    @Test
    void everyControlCallIsLoggedOnOneLine() throws Exception {
        array.getArray(GetArrayRequest.getDefaultInstance());
        fails(Status.Code.NOT_FOUND, "VOLUME_NOT_FOUND",
                () -> volumes.getVolume(GetVolumeRequest.newBuilder().setName("ghost").build()));
        String log = agent.log();
        assertTrue(log.lines().anyMatch(l -> l.contains("call copyservices.agent.v1.ArrayService/GetArray")
                && l.contains(": OK in")), log);
        assertTrue(log.lines().anyMatch(l -> l.contains("call copyservices.agent.v1.VolumeService/GetVolume")
                && l.contains("NOT_FOUND")), log);
    }
}
