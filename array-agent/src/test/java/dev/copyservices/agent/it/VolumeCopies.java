package dev.copyservices.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.copyservices.api.agent.v1.CopyPriority;
import dev.copyservices.api.agent.v1.CopyRef;
import dev.copyservices.api.agent.v1.CopyState;
import dev.copyservices.api.agent.v1.CreateCopyRequest;
import dev.copyservices.api.agent.v1.CreateVolumeRequest;
import dev.copyservices.api.agent.v1.ErrorDetail;
import dev.copyservices.api.agent.v1.GetVolumeRequest;
import dev.copyservices.api.agent.v1.Volume;
import dev.copyservices.api.agent.v1.VolumeCopy;
import dev.copyservices.api.agent.v1.VolumeCopyServiceGrpc;
import dev.copyservices.api.agent.v1.VolumeServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.function.Executable;

/** What the VolumeCopy ITs do through a real agent: stubs, polling a pair's state, comparing images. */
final class VolumeCopies {
    private static final Duration COPY_TIMEOUT = Duration.ofMinutes(2);

    private VolumeCopies() {
    }

    static VolumeCopyServiceGrpc.VolumeCopyServiceBlockingStub copies(AgentProcess agent) {
        return VolumeCopyServiceGrpc.newBlockingStub(agent.channel()).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    static VolumeServiceGrpc.VolumeServiceBlockingStub volumes(AgentProcess agent) {
        return VolumeServiceGrpc.newBlockingStub(agent.channel()).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    /**
     * Creates a volume; on an agent with TLS (which serves exports only to attached hosts) it is then
     * attached to this machine, so the test's NBD clients may open it as a user's would.
     */
    static Volume createVolume(AgentProcess agent, String name, long size) {
        Volume created = volumes(agent).createVolume(CreateVolumeRequest.newBuilder().setName(name).setSizeBytes(size)
                .build());
        if (agent.secure()) {
            agent.attachTestHost(name);
        }
        return created;
    }

    static Volume volume(AgentProcess agent, String name) {
        return volumes(agent).getVolume(GetVolumeRequest.newBuilder().setName(name).build());
    }

    static VolumeCopy create(AgentProcess agent, String source, String target, CopyPriority priority) {
        return copies(agent).createCopy(CreateCopyRequest.newBuilder().setSource(source).setTarget(target)
                .setPriority(priority).build());
    }

    static VolumeCopy get(AgentProcess agent, String target) {
        return copies(agent).getCopy(ref(target));
    }

    static CopyRef ref(String target) {
        return CopyRef.newBuilder().setTarget(target).build();
    }

    /**
     * Polls the pair until it is Completed; fails at once if it turns Failed or Stopped, and after
     * two minutes. Returns the Completed pair.
     */
    static VolumeCopy awaitCompleted(AgentProcess agent, String target, String context) throws InterruptedException {
        long deadline = System.nanoTime() + COPY_TIMEOUT.toNanos();
        while (true) {
            VolumeCopy pair = get(agent, target);
            switch (pair.getState()) {
                case COPY_COMPLETED -> {
                    return pair;
                }
                case COPY_FAILED, COPY_STOPPED -> throw new AssertionError(context + ": the copy onto '" + target
                        + "' became " + pair.getState() + " instead of completing: " + pair);
                default -> {
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(context + ": the copy onto '" + target + "' did not complete within "
                        + COPY_TIMEOUT + ": " + pair);
            }
            Thread.sleep(20); // poll interval only; the loop's exit is the pair's state
        }
    }

    /**
     * Copies an export to a file with nbdcopy (replacing the file); the test host is attached first,
     * e.g. to a FlashCopy, which the test did not create through createVolume.
     */
    static void export(AgentProcess agent, String volume, Path to) throws Exception {
        Files.deleteIfExists(to);
        Tools.run("nbdcopy", agent.attachedNbdUri(volume), to.toString()).assertOk("nbdcopy " + volume);
    }

    /** Reads the volume over NBD and asserts it equals {@code image} byte for byte. */
    static void assertSameImage(AgentProcess agent, String volume, Path image, Path scratch, String context)
            throws Exception {
        export(agent, volume, scratch);
        long mismatch = Files.mismatch(image, scratch);
        Files.delete(scratch);
        assertEquals(-1, mismatch, context + ": '" + volume + "' differs from " + image.getFileName() + " at byte "
                + mismatch + " (MiB " + (mismatch >> 20) + ")");
    }

    /** Asserts the call fails with {@code code} and an ErrorDetail of {@code reason}; returns the detail. */
    static ErrorDetail fails(Status.Code code, String reason, Executable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
        assertEquals(code, e.getStatus().getCode(), e.toString());
        com.google.rpc.Status status = StatusProto.fromThrowable(e);
        assertFalse(status == null, "no status details in " + e);
        ErrorDetail detail = status.getDetailsList().stream().filter(d -> d.is(ErrorDetail.class)).findFirst()
                .map(d -> {
                    try {
                        return d.unpack(ErrorDetail.class);
                    } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
                        throw new AssertionError(ex);
                    }
                }).orElseThrow(() -> new AssertionError("no ErrorDetail in " + status));
        assertEquals(reason, detail.getReason(), detail.toString());
        assertFalse(detail.getCorrection().isBlank(), "no correction in " + detail);
        return detail;
    }

    static boolean active(CopyState state) {
        return state == CopyState.COPY_PENDING || state == CopyState.COPY_IN_PROGRESS || state == CopyState.COPY_FAILED;
    }
}
