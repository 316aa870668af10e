package dev.copyservices.agent.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;
import dev.copyservices.agent.volumecopy.CopyPriority;
import dev.copyservices.agent.volumecopy.CopyState;
import dev.copyservices.agent.volumecopy.VolumeCopyInfo;
import dev.copyservices.api.agent.v1.CopyRef;
import dev.copyservices.api.agent.v1.CreateCopyRequest;
import dev.copyservices.api.agent.v1.ErrorDetail;
import dev.copyservices.api.agent.v1.ListCopiesRequest;
import dev.copyservices.api.agent.v1.RecopyRequest;
import dev.copyservices.api.agent.v1.RemoveCopiesRequest;
import dev.copyservices.api.agent.v1.UpdateCopiesRequest;
import dev.copyservices.api.agent.v1.VolumeCopy;
import dev.copyservices.api.agent.v1.VolumeCopyServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each VolumeCopy RPC reaches its engine call with the request's values; answers and errors are packed. */
class VolumeCopyGrpcServiceTest {
    private static final Instant CREATED = Instant.parse("2026-11-22T10:00:00Z");

    static VolumeCopyInfo pair(String target, CopyState state) {
        boolean running = state == CopyState.IN_PROGRESS;
        return new VolumeCopyInfo("p-" + target, "db", "id-db", target, "id-" + target, state, CopyPriority.HIGH, true,
                CREATED, Optional.of(CREATED.plusSeconds(1)), Optional.empty(), 4096, running ? 1024 : 0,
                running ? Optional.of(Duration.ofMillis(1500)) : Optional.empty(), running ? 2048 : 0, "", 0,
                List.of("a warning"));
    }

    /** Records each call as text and answers with sample pairs, or throws {@link #failure}. */
    private static final class FakeEngine implements VolumeCopyGrpcService.Operations {
        final List<String> calls = new ArrayList<>();
        RuntimeException failure;

        private VolumeCopyInfo answer(String call, String target) {
            calls.add(call);
            if (failure != null) {
                throw failure;
            }
            return pair(target, CopyState.IN_PROGRESS);
        }

        @Override
        public VolumeCopyInfo create(String source, String target, CopyPriority priority) {
            return answer("create " + source + " " + target + " " + priority, target);
        }

        @Override
        public VolumeCopyInfo get(String target) {
            return answer("get " + target, target);
        }

        @Override
        public List<VolumeCopyInfo> list(String volume) {
            return List.of(answer("list [" + volume + "]", "a"), pair("b", CopyState.COMPLETED));
        }

        @Override
        public VolumeCopyInfo stop(String target) {
            return answer("stop " + target, target);
        }

        @Override
        public VolumeCopyInfo recopy(String target, CopyPriority priority) {
            return answer("recopy " + target + " " + priority, target);
        }

        @Override
        public List<VolumeCopyInfo> remove(List<String> targets) {
            return List.of(answer("remove " + targets, targets.get(0)));
        }

        @Override
        public List<VolumeCopyInfo> update(List<String> targets, CopyPriority priority, Boolean targetReadOnly) {
            return List.of(answer("update " + targets + " " + priority + " " + targetReadOnly, targets.get(0)));
        }
    }

    private final FakeEngine engine = new FakeEngine();
    private final InProcessChannels channels = new InProcessChannels();
    private VolumeCopyServiceGrpc.VolumeCopyServiceBlockingStub stub;

    @BeforeEach
    void start() throws IOException {
        stub = VolumeCopyServiceGrpc.newBlockingStub(channels.serve(new VolumeCopyGrpcService(engine)));
    }

    @AfterEach
    void stop() {
        channels.close();
    }

    @Test
    void createPassesThePriorityOrNoneAndPacksEveryField() {
        VolumeCopy answer = stub.createCopy(CreateCopyRequest.newBuilder().setSource("db").setTarget("backup")
                .setPriority(dev.copyservices.api.agent.v1.CopyPriority.COPY_PRIORITY_LOWEST).build());
        stub.createCopy(CreateCopyRequest.newBuilder().setSource("db").setTarget("backup").build());
        assertEquals(List.of("create db backup LOWEST", "create db backup null"), engine.calls);
        assertEquals(dev.copyservices.api.agent.v1.CopyState.COPY_IN_PROGRESS, answer.getState());
        assertEquals(dev.copyservices.api.agent.v1.CopyPriority.COPY_PRIORITY_HIGH, answer.getPriority());
        assertEquals("id-backup", answer.getTargetId());
        assertEquals(1024, answer.getBytesCopied());
        assertEquals(25.0, answer.getCopiedPercent());
        assertEquals(1, answer.getEstimatedTimeLeft().getSeconds());
        assertEquals(500_000_000, answer.getEstimatedTimeLeft().getNanos());
        assertTrue(answer.hasStarted());
        assertFalse(answer.hasCompleted());
        assertEquals(List.of("a warning"), answer.getWarningsList());
    }

    @Test
    void eachRpcCallsItsOwnEngineOperation() {
        stub.getCopy(CopyRef.newBuilder().setTarget("t").build());
        stub.stopCopy(CopyRef.newBuilder().setTarget("t").build());
        stub.recopy(RecopyRequest.newBuilder().setTarget("t").build());
        stub.recopy(RecopyRequest.newBuilder().setTarget("t")
                .setPriority(dev.copyservices.api.agent.v1.CopyPriority.COPY_PRIORITY_HIGHEST).build());
        assertEquals(2, stub.listCopies(ListCopiesRequest.newBuilder().setVolume("db").build()).getCopiesCount());
        stub.removeCopies(RemoveCopiesRequest.newBuilder().addTargets("t").addTargets("u").build());
        assertEquals(List.of("get t", "stop t", "recopy t null", "recopy t HIGHEST", "list [db]", "remove [t, u]"),
                engine.calls);
    }

    @Test
    void updateLeavesUnsetFieldsAlone() {
        stub.updateCopies(UpdateCopiesRequest.newBuilder().addTargets("t").setTargetReadOnly(false).build());
        stub.updateCopies(UpdateCopiesRequest.newBuilder().addTargets("t")
                .setPriority(dev.copyservices.api.agent.v1.CopyPriority.COPY_PRIORITY_LOW).build());
        assertEquals(List.of("update [t] null false", "update [t] LOW null"), engine.calls);
    }

    @Test
    void anUnknownPriorityNumberIsABadRequestAndReachesNoEngineCall() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub.createCopy(
                CreateCopyRequest.newBuilder().setSource("db").setTarget("t").setPriorityValue(42).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals("INVALID_COPY_REQUEST", ProtoMapperTest.detail(e).getReason());
        assertEquals(List.of(), engine.calls);
    }

    @Test
    void engineErrorsBecomeStatusesWithTheirReasonAndCorrection() {
        engine.failure = new EngineException(Reason.VOLUMECOPY_STATE, "the copy is Completed",
                "recopy it ('csctl volumecopy recopy t')");
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> stub.stopCopy(CopyRef.newBuilder().setTarget("t").build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        ErrorDetail detail = ProtoMapperTest.detail(e);
        assertEquals("VOLUMECOPY_STATE", detail.getReason());
        assertEquals("recopy it ('csctl volumecopy recopy t')", detail.getCorrection());
    }
}
