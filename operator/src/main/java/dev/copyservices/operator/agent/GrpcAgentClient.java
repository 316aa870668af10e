package dev.copyservices.operator.agent;

import dev.copyservices.api.agent.v1.Array;
import dev.copyservices.api.agent.v1.ArrayServiceGrpc;
import dev.copyservices.api.agent.v1.CreateFlashCopyRequest;
import dev.copyservices.api.agent.v1.DeleteFlashCopyRequest;
import dev.copyservices.api.agent.v1.Event;
import dev.copyservices.api.agent.v1.EventServiceGrpc;
import dev.copyservices.api.agent.v1.FlashCopy;
import dev.copyservices.api.agent.v1.FlashCopyRef;
import dev.copyservices.api.agent.v1.FlashCopyServiceGrpc;
import dev.copyservices.api.agent.v1.CopyPriority;
import dev.copyservices.api.agent.v1.CopyRef;
import dev.copyservices.api.agent.v1.CreateCopyRequest;
import dev.copyservices.api.agent.v1.EstablishRequest;
import dev.copyservices.api.agent.v1.FlashCopyRelationshipServiceGrpc;
import dev.copyservices.api.agent.v1.Relationship;
import dev.copyservices.api.agent.v1.RelationshipRef;
import dev.copyservices.api.agent.v1.WithdrawRequest;
import dev.copyservices.api.agent.v1.WithdrawResponse;
import dev.copyservices.api.agent.v1.RecopyRequest;
import dev.copyservices.api.agent.v1.RemoveCopiesRequest;
import dev.copyservices.api.agent.v1.UpdateCopiesRequest;
import dev.copyservices.api.agent.v1.UpdateFlashCopyRequest;
import dev.copyservices.api.agent.v1.VolumeCopy;
import dev.copyservices.api.agent.v1.VolumeCopyServiceGrpc;
import dev.copyservices.api.agent.v1.GetArrayRequest;
import dev.copyservices.api.agent.v1.CreateGroupRequest;
import dev.copyservices.api.agent.v1.FlashCopyGroup;
import dev.copyservices.api.agent.v1.FlashCopyGroupServiceGrpc;
import dev.copyservices.api.agent.v1.GroupPairRequest;
import dev.copyservices.api.agent.v1.GroupRef;
import dev.copyservices.api.agent.v1.TerminateGroupRequest;
import dev.copyservices.api.agent.v1.ChangeRoleRequest;
import dev.copyservices.api.agent.v1.CreateMirrorRequest;
import dev.copyservices.api.agent.v1.ListMirrorsRequest;
import dev.copyservices.api.agent.v1.Mirror;
import dev.copyservices.api.agent.v1.MirrorRef;
import dev.copyservices.api.agent.v1.MirrorRole;
import dev.copyservices.api.agent.v1.MirrorServiceGrpc;
import dev.copyservices.api.agent.v1.MirrorsRequest;
import dev.copyservices.api.agent.v1.MirrorsResponse;
import dev.copyservices.api.agent.v1.UpdateMirrorsRequest;
import dev.copyservices.api.agent.v1.WatchEventsRequest;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** One gRPC channel per agent endpoint, kept for the operator's life, for every service of the agent. */
@ApplicationScoped
public class GrpcAgentClient implements AgentClient, MirrorClient, GroupClient {
    private static final long CALL_TIMEOUT_SECONDS = 10;
    private static final long PEER_CALL_TIMEOUT_SECONDS = 30;

    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

    @Inject
    AgentCredentials credentials;

    private ManagedChannel channel(String endpoint) {
        // No client keepalive: the agent's server allows a ping every 5 minutes at most and answers
        // more with GOAWAY (too_many_pings), which ended the event streams under load.
        return channels.computeIfAbsent(endpoint, e -> NettyChannelBuilder.forTarget(e, credentials.credentials())
                .build());
    }

    @Override
    public Array getArray(String endpoint) throws AgentException {
        try {
            return ArrayServiceGrpc.newBlockingStub(channel(endpoint))
                    .withDeadlineAfter(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    .getArray(GetArrayRequest.getDefaultInstance());
        } catch (StatusRuntimeException e) {
            throw AgentErrors.from(endpoint, e);
        }
    }

    private FlashCopyServiceGrpc.FlashCopyServiceBlockingStub flashCopies(String endpoint) {
        return FlashCopyServiceGrpc.newBlockingStub(channel(endpoint)).withDeadlineAfter(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private interface Call<T> {
        T run();
    }

    private static <T> T call(String endpoint, Call<T> call) throws AgentException {
        try {
            return call.run();
        } catch (StatusRuntimeException e) {
            throw AgentErrors.from(endpoint, e);
        }
    }

    private static FlashCopyRef ref(String name) {
        return FlashCopyRef.newBuilder().setName(name).build();
    }

    @Override
    public FlashCopy getFlashCopy(String endpoint, String name) throws AgentException {
        return call(endpoint, () -> flashCopies(endpoint).getFlashCopy(ref(name)));
    }

    @Override
    public FlashCopy createFlashCopy(String endpoint, CreateFlashCopyRequest request) throws AgentException {
        return call(endpoint, () -> flashCopies(endpoint).createFlashCopy(request));
    }

    @Override
    public FlashCopy disableFlashCopy(String endpoint, String name) throws AgentException {
        return call(endpoint, () -> flashCopies(endpoint).disableFlashCopy(ref(name)));
    }

    @Override
    public FlashCopy recreateFlashCopy(String endpoint, String name) throws AgentException {
        return call(endpoint, () -> flashCopies(endpoint).recreateFlashCopy(ref(name)));
    }

    @Override
    public FlashCopy updateFlashCopy(String endpoint, UpdateFlashCopyRequest request) throws AgentException {
        return call(endpoint, () -> flashCopies(endpoint).updateFlashCopy(request));
    }

    @Override
    public void deleteFlashCopy(String endpoint, String name) throws AgentException {
        call(endpoint, () -> flashCopies(endpoint).deleteFlashCopy(
                DeleteFlashCopyRequest.newBuilder().setName(name).setForce(true).build()));
    }

    private FlashCopyRelationshipServiceGrpc.FlashCopyRelationshipServiceBlockingStub relationships(String endpoint) {
        return FlashCopyRelationshipServiceGrpc.newBlockingStub(channel(endpoint))
                .withDeadlineAfter(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public Relationship getRelationship(String endpoint, String target) throws AgentException {
        return call(endpoint, () -> relationships(endpoint).getRelationship(RelationshipRef.newBuilder().setName(target).build()));
    }

    @Override
    public Relationship establish(String endpoint, EstablishRequest request) throws AgentException {
        return call(endpoint, () -> relationships(endpoint).establish(request));
    }

    @Override
    public Relationship reflash(String endpoint, String target) throws AgentException {
        return call(endpoint, () -> relationships(endpoint).reflash(RelationshipRef.newBuilder().setName(target).build()));
    }

    @Override
    public WithdrawResponse withdraw(String endpoint, String target, boolean force) throws AgentException {
        return call(endpoint, () -> relationships(endpoint).withdraw(WithdrawRequest.newBuilder().setName(target).setForce(force).build()));
    }

    private VolumeCopyServiceGrpc.VolumeCopyServiceBlockingStub copies(String endpoint) {
        return VolumeCopyServiceGrpc.newBlockingStub(channel(endpoint)).withDeadlineAfter(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public VolumeCopy getCopy(String endpoint, String target) throws AgentException {
        return call(endpoint, () -> copies(endpoint).getCopy(CopyRef.newBuilder().setTarget(target).build()));
    }

    @Override
    public VolumeCopy createCopy(String endpoint, CreateCopyRequest request) throws AgentException {
        return call(endpoint, () -> copies(endpoint).createCopy(request));
    }

    @Override
    public VolumeCopy stopCopy(String endpoint, String target) throws AgentException {
        return call(endpoint, () -> copies(endpoint).stopCopy(CopyRef.newBuilder().setTarget(target).build()));
    }

    @Override
    public VolumeCopy recopy(String endpoint, String target, CopyPriority priority) throws AgentException {
        return call(endpoint, () -> copies(endpoint).recopy(RecopyRequest.newBuilder().setTarget(target).setPriority(priority).build()));
    }

    @Override
    public VolumeCopy updateCopy(String endpoint, UpdateCopiesRequest request) throws AgentException {
        return call(endpoint, () -> copies(endpoint).updateCopies(request).getCopies(0));
    }

    @Override
    public void removeCopy(String endpoint, String target) throws AgentException {
        call(endpoint, () -> copies(endpoint).removeCopies(RemoveCopiesRequest.newBuilder().addTargets(target).build()));
    }

    private MirrorServiceGrpc.MirrorServiceBlockingStub mirrors(String endpoint) {
        // a create or a role change waits for the peer agent: give it longer than a local call
        return MirrorServiceGrpc.newBlockingStub(channel(endpoint)).withDeadlineAfter(PEER_CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private static MirrorsRequest members(String volume) {
        return MirrorsRequest.newBuilder().addVolumes(volume).build();
    }

    @Override
    public Mirror getMirror(String endpoint, String volume) throws AgentException {
        return call(endpoint, () -> mirrors(endpoint).getMirror(MirrorRef.newBuilder().setVolume(volume).build()));
    }

    @Override
    public List<Mirror> listMirrors(String endpoint) throws AgentException {
        return call(endpoint, () -> mirrors(endpoint).listMirrors(ListMirrorsRequest.getDefaultInstance()).getMirrorsList());
    }

    @Override
    public Mirror createMirror(String endpoint, CreateMirrorRequest request) throws AgentException {
        return call(endpoint, () -> mirrors(endpoint).createMirror(request));
    }

    @Override
    public MirrorsResponse suspendMirror(String endpoint, String volume) throws AgentException {
        return call(endpoint, () -> mirrors(endpoint).suspendMirrors(members(volume)));
    }

    @Override
    public MirrorsResponse resumeMirror(String endpoint, String volume) throws AgentException {
        return call(endpoint, () -> mirrors(endpoint).resumeMirrors(members(volume)));
    }

    @Override
    public Mirror updateMirror(String endpoint, UpdateMirrorsRequest request) throws AgentException {
        return call(endpoint, () -> mirrors(endpoint).updateMirrors(request).getMirrors(0));
    }

    @Override
    public MirrorsResponse removeMirror(String endpoint, String volume) throws AgentException {
        return call(endpoint, () -> mirrors(endpoint).removeMirrors(members(volume)));
    }

    @Override
    public Mirror changeRole(String endpoint, String volume, MirrorRole role, boolean force) throws AgentException {
        return call(endpoint, () -> mirrors(endpoint).changeRole(ChangeRoleRequest.newBuilder().setVolume(volume).setRole(role)
                .setForce(force).build()));
    }

    private FlashCopyGroupServiceGrpc.FlashCopyGroupServiceBlockingStub groups(String endpoint) {
        return FlashCopyGroupServiceGrpc.newBlockingStub(channel(endpoint)).withDeadlineAfter(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private static GroupRef group(String name) {
        return GroupRef.newBuilder().setName(name).build();
    }

    @Override
    public FlashCopyGroup getGroup(String endpoint, String name) throws AgentException {
        return call(endpoint, () -> groups(endpoint).getGroup(group(name)));
    }

    @Override
    public FlashCopyGroup createGroup(String endpoint, String name, dev.copyservices.api.agent.v1.CopyOptions options)
            throws AgentException {
        return call(endpoint, () -> groups(endpoint).createGroup(CreateGroupRequest.newBuilder().setName(name).setOptions(options)
                .build()));
    }

    @Override
    public FlashCopyGroup addPair(String endpoint, String group, String source, String target) throws AgentException {
        return call(endpoint, () -> groups(endpoint).addPair(GroupPairRequest.newBuilder().setGroup(group).setSource(source)
                .setTarget(target).build()));
    }

    @Override
    public FlashCopyGroup removePair(String endpoint, String group, String source, String target) throws AgentException {
        return call(endpoint, () -> groups(endpoint).removePair(GroupPairRequest.newBuilder().setGroup(group).setSource(source)
                .setTarget(target).build()));
    }

    @Override
    public FlashCopyGroup flashGroup(String endpoint, String name) throws AgentException {
        return call(endpoint, () -> groups(endpoint).flashGroup(group(name)));
    }

    @Override
    public FlashCopyGroup terminateGroup(String endpoint, String name, boolean force) throws AgentException {
        return call(endpoint, () -> groups(endpoint).terminateGroup(TerminateGroupRequest.newBuilder().setName(name)
                .setForce(force).build()));
    }

    @Override
    public void deleteGroup(String endpoint, String name) throws AgentException {
        call(endpoint, () -> groups(endpoint).deleteGroup(group(name)));
    }

    @Override
    public AutoCloseable watchEvents(String endpoint, long afterSequence, Consumer<Event> onEvent,
            Consumer<AgentException> onEnd) {
        Context.CancellableContext context = Context.current().withCancellation();
        WatchEventsRequest request = WatchEventsRequest.newBuilder().setFollow(true).setAfterSequence(afterSequence).build();
        context.run(() -> EventServiceGrpc.newStub(channel(endpoint)).watchEvents(request, new StreamObserver<>() {
            @Override
            public void onNext(Event event) {
                onEvent.accept(event);
            }

            @Override
            public void onError(Throwable t) {
                if (!context.isCancelled()) {
                    onEnd.accept(t instanceof StatusRuntimeException sre
                            ? AgentErrors.from(endpoint, sre)
                            : new AgentException("AgentStreamFailed", "the event stream of " + endpoint + " failed: " + t, "", t));
                }
            }

            @Override
            public void onCompleted() {
                if (!context.isCancelled()) {
                    onEnd.accept(new AgentException("AgentStreamEnded", "the agent at " + endpoint + " ended its event stream",
                            "nothing: the operator reconnects"));
                }
            }
        }));
        return () -> context.cancel(null);
    }

    @PreDestroy
    void shutdown() {
        channels.values().forEach(ManagedChannel::shutdownNow);
    }
}
