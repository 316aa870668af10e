package dev.copyservices.agent.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;
import dev.copyservices.agent.flashcopy.CreateFlashCopy;
import dev.copyservices.agent.flashcopy.FlashCopyInfo;
import dev.copyservices.agent.flashcopy.FullPolicy;
import dev.copyservices.api.agent.v1.CreateFlashCopyRequest;
import dev.copyservices.api.agent.v1.DeleteFlashCopyRequest;
import dev.copyservices.api.agent.v1.DeleteFlashCopyResponse;
import dev.copyservices.api.agent.v1.ErrorDetail;
import dev.copyservices.api.agent.v1.FlashCopyRef;
import dev.copyservices.api.agent.v1.FlashCopyServiceGrpc;
import dev.copyservices.api.agent.v1.GrowRepositoryRequest;
import dev.copyservices.api.agent.v1.ListFlashCopiesRequest;
import dev.copyservices.api.agent.v1.UpdateFlashCopyRequest;
import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each RPC reaches the right engine call with the right arguments, and engine errors become statuses. */
class FlashCopyGrpcServiceTest {

    /** Records each call as text and answers with the sample FlashCopy, or throws {@link #failure}. */
    private static final class FakeEngine implements FlashCopyGrpcService.Operations {
        final List<String> calls = new ArrayList<>();
        CreateFlashCopy created;
        RuntimeException failure;

        private FlashCopyInfo answer(String call) {
            calls.add(call);
            if (failure != null) {
                throw failure;
            }
            return ProtoMapperTest.sample();
        }

        @Override
        public FlashCopyInfo create(CreateFlashCopy request) {
            created = request;
            return answer("create");
        }

        @Override
        public FlashCopyInfo get(String name) {
            return answer("get " + name);
        }

        @Override
        public List<FlashCopyInfo> list(String base) {
            return List.of(answer("list [" + base + "]"), ProtoMapperTest.sample());
        }

        @Override
        public FlashCopyInfo disable(String name) {
            return answer("disable " + name);
        }

        @Override
        public FlashCopyInfo recreate(String name) {
            return answer("recreate " + name);
        }

        @Override
        public void delete(String name, boolean force) {
            answer("delete " + name + " force=" + force);
        }

        @Override
        public FlashCopyInfo growRepository(String name, long byBytes) {
            return answer("grow " + name + " by " + byBytes);
        }

        @Override
        public FlashCopyInfo update(String name, Integer threshold, FullPolicy policy) {
            return answer("update " + name + " threshold=" + threshold + " policy=" + policy);
        }
    }

    private final FakeEngine engine = new FakeEngine();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private FlashCopyServiceGrpc.FlashCopyServiceBlockingStub stub(BindableService service) throws IOException {
        String name = InProcessServerBuilder.generateName();
        Server server = InProcessServerBuilder.forName(name).directExecutor().addService(service).build().start();
        ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        open.add(server::shutdownNow);
        open.add(channel::shutdownNow);
        return FlashCopyServiceGrpc.newBlockingStub(channel);
    }

    private FlashCopyServiceGrpc.FlashCopyServiceBlockingStub stub() throws IOException {
        return stub(new FlashCopyGrpcService(engine));
    }

    private static FlashCopyRef ref(String name) {
        return FlashCopyRef.newBuilder().setName(name).build();
    }

    @Test
    void createUnpacksTheRequestAndPacksTheAnswer() throws IOException {
        var answer = stub().createFlashCopy(CreateFlashCopyRequest.newBuilder().setBase("db")
                .setRepositoryPercent(30).putAttributes("app", "db").build());
        assertEquals(new CreateFlashCopy("db", null, null, 30, null, null, null, Map.of("app", "db")), engine.created);
        assertEquals(ProtoMapper.toProto(ProtoMapperTest.sample()), answer);
    }

    @Test
    void eachRpcCallsItsOwnEngineOperation() throws IOException {
        var fc = stub();
        fc.getFlashCopy(ref("db-1"));
        fc.disableFlashCopy(ref("db-1"));
        fc.recreateFlashCopy(ref("db-R1"));
        assertEquals(DeleteFlashCopyResponse.getDefaultInstance(),
                fc.deleteFlashCopy(DeleteFlashCopyRequest.newBuilder().setName("db-1").setForce(true).build()));
        fc.growRepository(GrowRepositoryRequest.newBuilder().setName("db-1").setByBytes(1 << 20).build());
        assertEquals(List.of("get db-1", "disable db-1", "recreate db-R1", "delete db-1 force=true",
                "grow db-1 by 1048576"), engine.calls);
    }

    @Test
    void listPassesTheBaseFilterAndReturnsEveryFlashCopy() throws IOException {
        var fc = stub();
        assertEquals(2, fc.listFlashCopies(ListFlashCopiesRequest.getDefaultInstance()).getFlashCopiesCount());
        fc.listFlashCopies(ListFlashCopiesRequest.newBuilder().setBase("db").build());
        assertEquals(List.of("list []", "list [db]"), engine.calls);
    }

    @Test
    void updateLeavesAbsentSettingsNull() throws IOException {
        var fc = stub();
        fc.updateFlashCopy(UpdateFlashCopyRequest.newBuilder().setName("db-1").setWarningThresholdPercent(70).build());
        fc.updateFlashCopy(UpdateFlashCopyRequest.newBuilder().setName("db-1")
                .setFullPolicy(dev.copyservices.api.agent.v1.FullPolicy.FAIL_FLASH_COPY).build());
        assertEquals(List.of("update db-1 threshold=70 policy=null", "update db-1 threshold=null policy=FAIL_FLASH_COPY"),
                engine.calls);
    }

    @Test
    void growByMoreThanTheJavaRangeIsClampedForTheEngineToRefuse() throws IOException {
        stub().growRepository(GrowRepositoryRequest.newBuilder().setName("db-1").setByBytes(-1).build());
        assertEquals(List.of("grow db-1 by " + Long.MAX_VALUE), engine.calls);
    }

    @Test
    void engineErrorsBecomeStatusesWithTheirDetail() throws IOException {
        engine.failure = new EngineException(Reason.VOLUME_IN_USE, "FlashCopy \"db-1\" has 1 NBD connection",
                "disconnect the client or use --force");
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> stub().deleteFlashCopy(DeleteFlashCopyRequest.newBuilder().setName("db-1").build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        ErrorDetail detail = ProtoMapperTest.detail(e);
        assertEquals("VOLUME_IN_USE", detail.getReason());
        assertEquals("disconnect the client or use --force", detail.getCorrection());
    }

    @Test
    void unknownPolicyIsRefusedBeforeTheEngineIsCalled() throws IOException {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub().updateFlashCopy(
                UpdateFlashCopyRequest.newBuilder().setName("db-1").setFullPolicyValue(9).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals(List.of(), engine.calls);
    }
}
