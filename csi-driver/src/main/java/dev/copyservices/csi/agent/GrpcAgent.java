package dev.copyservices.csi.agent;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.copyservices.api.agent.v1.Array;
import dev.copyservices.api.agent.v1.ArrayServiceGrpc;
import dev.copyservices.api.agent.v1.CopyOptions;
import dev.copyservices.api.agent.v1.CopyPriority;
import dev.copyservices.api.agent.v1.CopyRef;
import dev.copyservices.api.agent.v1.CreateCopyRequest;
import dev.copyservices.api.agent.v1.CreateFlashCopyRequest;
import dev.copyservices.api.agent.v1.CreateVolumeRequest;
import dev.copyservices.api.agent.v1.DeleteFlashCopyRequest;
import dev.copyservices.api.agent.v1.DeleteVolumeRequest;
import dev.copyservices.api.agent.v1.ErrorDetail;
import dev.copyservices.api.agent.v1.EstablishRequest;
import dev.copyservices.api.agent.v1.CreateGroupRequest;
import dev.copyservices.api.agent.v1.FlashCopy;
import dev.copyservices.api.agent.v1.FlashCopyGroup;
import dev.copyservices.api.agent.v1.FlashCopyGroupServiceGrpc;
import dev.copyservices.api.agent.v1.GroupPairRequest;
import dev.copyservices.api.agent.v1.GroupRef;
import dev.copyservices.api.agent.v1.TerminateGroupRequest;
import dev.copyservices.api.agent.v1.FlashCopyRef;
import dev.copyservices.api.agent.v1.FlashCopyRelationshipServiceGrpc;
import dev.copyservices.api.agent.v1.FlashCopyServiceGrpc;
import dev.copyservices.api.agent.v1.GetArrayRequest;
import dev.copyservices.api.agent.v1.GetVolumeRequest;
import dev.copyservices.api.agent.v1.ListCopiesRequest;
import dev.copyservices.api.agent.v1.ListFlashCopiesRequest;
import dev.copyservices.api.agent.v1.ListRelationshipsRequest;
import dev.copyservices.api.agent.v1.ListVolumesRequest;
import dev.copyservices.api.agent.v1.Relationship;
import dev.copyservices.api.agent.v1.RemoveCopiesRequest;
import dev.copyservices.api.agent.v1.ResizeVolumeRequest;
import dev.copyservices.api.agent.v1.Volume;
import dev.copyservices.api.agent.v1.VolumeCopy;
import dev.copyservices.api.agent.v1.VolumeCopyServiceGrpc;
import dev.copyservices.api.agent.v1.VolumeServiceGrpc;
import dev.copyservices.api.agent.v1.WithdrawRequest;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** An agent reached over its gRPC control API (copyservices.agent.v1), one channel for the driver's life. */
public final class GrpcAgent implements Agent, AutoCloseable {
    private static final long CALL_TIMEOUT_SECONDS = 20;

    private final String endpoint;
    private final ManagedChannel channel;

    /** {@code credentials}: the driver's mutual TLS identity, or plaintext with --insecure-dev. */
    public GrpcAgent(String endpoint, io.grpc.ChannelCredentials credentials) {
        this.endpoint = endpoint;
        this.channel = NettyChannelBuilder.forTarget(endpoint, credentials).build();
    }

    @Override
    public String endpoint() {
        return endpoint;
    }

    private interface Call<T> {
        T run();
    }

    private <T> T call(Call<T> call) throws AgentException {
        try {
            return call.run();
        } catch (StatusRuntimeException e) {
            throw translate(e);
        }
    }

    private <T> Optional<T> find(Call<T> call) throws AgentException {
        try {
            return Optional.of(call.run());
        } catch (StatusRuntimeException e) {
            AgentException error = translate(e);
            if (error.notFound()) {
                return Optional.empty();
            }
            throw error;
        }
    }

    private AgentException translate(StatusRuntimeException e) {
        com.google.rpc.Status status = StatusProto.fromThrowable(e);
        if (status != null) {
            for (Any detail : status.getDetailsList()) {
                if (detail.is(ErrorDetail.class)) {
                    try {
                        ErrorDetail d = detail.unpack(ErrorDetail.class);
                        return new AgentException(e.getStatus().getCode().name(), d.getReason(), d.getMessage(),
                                d.getCorrection(), e);
                    } catch (InvalidProtocolBufferException ignored) {
                        // fall through to the plain status
                    }
                }
            }
        }
        String description = e.getStatus().getDescription();
        String message = switch (e.getStatus().getCode()) {
            case UNAVAILABLE, DEADLINE_EXCEEDED -> "the agent at " + endpoint + " cannot be reached ("
                    + e.getStatus().getCode() + (description == null ? "" : ": " + description) + ")";
            default -> "the agent at " + endpoint + " answered " + e.getStatus().getCode()
                    + (description == null ? "" : ": " + description);
        };
        return new AgentException(e.getStatus().getCode().name(), "", message,
                "check that the agent runs and that --agent names its control address", e);
    }

    private VolumeServiceGrpc.VolumeServiceBlockingStub volumes() {
        return VolumeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private FlashCopyServiceGrpc.FlashCopyServiceBlockingStub flashCopies() {
        return FlashCopyServiceGrpc.newBlockingStub(channel).withDeadlineAfter(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private FlashCopyRelationshipServiceGrpc.FlashCopyRelationshipServiceBlockingStub relationships() {
        return FlashCopyRelationshipServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private VolumeCopyServiceGrpc.VolumeCopyServiceBlockingStub copies() {
        return VolumeCopyServiceGrpc.newBlockingStub(channel).withDeadlineAfter(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public Array array() throws AgentException {
        return call(() -> ArrayServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                .getArray(GetArrayRequest.getDefaultInstance()));
    }

    @Override
    public Volume createVolume(CreateVolumeRequest request) throws AgentException {
        return call(() -> volumes().createVolume(request));
    }

    @Override
    public Optional<Volume> findVolume(String name) throws AgentException {
        return find(() -> volumes().getVolume(GetVolumeRequest.newBuilder().setName(name).build()));
    }

    @Override
    public List<Volume> listVolumes(Map<String, String> attributeSelector) throws AgentException {
        return call(() -> volumes().listVolumes(ListVolumesRequest.newBuilder()
                .putAllAttributeSelector(attributeSelector).build()).getVolumesList());
    }

    @Override
    public Volume resizeVolume(String name, long sizeBytes) throws AgentException {
        return call(() -> volumes().resizeVolume(ResizeVolumeRequest.newBuilder().setName(name).setSizeBytes(sizeBytes)
                .build()));
    }

    @Override
    public void deleteVolume(String name) throws AgentException {
        call(() -> volumes().deleteVolume(DeleteVolumeRequest.newBuilder().setName(name).build()));
    }

    @Override
    public Volume attachVolume(String name, String host, List<String> addresses) throws AgentException {
        return call(() -> volumes().attachVolume(dev.copyservices.api.agent.v1.AttachVolumeRequest.newBuilder()
                .setName(name).setHost(host).addAllAddresses(addresses).build()));
    }

    @Override
    public Volume detachVolume(String name, String host) throws AgentException {
        return call(() -> volumes().detachVolume(dev.copyservices.api.agent.v1.DetachVolumeRequest.newBuilder()
                .setName(name).setHost(host).build()));
    }

    @Override
    public FlashCopy createFlashCopy(CreateFlashCopyRequest request) throws AgentException {
        return call(() -> flashCopies().createFlashCopy(request));
    }

    @Override
    public Optional<FlashCopy> findFlashCopy(String name) throws AgentException {
        return find(() -> flashCopies().getFlashCopy(FlashCopyRef.newBuilder().setName(name).build()));
    }

    @Override
    public List<FlashCopy> listFlashCopies(String base) throws AgentException {
        return call(() -> flashCopies().listFlashCopies(ListFlashCopiesRequest.newBuilder().setBase(base).build())
                .getFlashCopiesList());
    }

    @Override
    public void deleteFlashCopy(String name) throws AgentException {
        call(() -> flashCopies().deleteFlashCopy(DeleteFlashCopyRequest.newBuilder().setName(name).build()));
    }

    @Override
    public Relationship establishClone(String source, String target) throws AgentException {
        return call(() -> relationships().establish(EstablishRequest.newBuilder().setSource(source).setTarget(target)
                .setOptions(CopyOptions.newBuilder().setBackgroundCopy(true)).build()));
    }

    @Override
    public List<Relationship> relationshipsOf(String volume) throws AgentException {
        return call(() -> relationships().listRelationships(ListRelationshipsRequest.newBuilder().setVolume(volume)
                .build()).getRelationshipsList());
    }

    @Override
    public void withdrawForced(String target) throws AgentException {
        call(() -> relationships().withdraw(WithdrawRequest.newBuilder().setName(target).setForce(true).build()));
    }

    @Override
    public VolumeCopy createCopy(String source, String target) throws AgentException {
        return call(() -> copies().createCopy(CreateCopyRequest.newBuilder().setSource(source).setTarget(target)
                .setPriority(CopyPriority.COPY_PRIORITY_HIGHEST).build()));
    }

    @Override
    public Optional<VolumeCopy> findCopy(String target) throws AgentException {
        return find(() -> copies().getCopy(CopyRef.newBuilder().setTarget(target).build()));
    }

    @Override
    public List<VolumeCopy> copiesOf(String volume) throws AgentException {
        return call(() -> copies().listCopies(ListCopiesRequest.newBuilder().setVolume(volume).build()).getCopiesList());
    }

    @Override
    public void stopCopy(String target) throws AgentException {
        call(() -> copies().stopCopy(CopyRef.newBuilder().setTarget(target).build()));
    }

    @Override
    public void removeCopy(String target) throws AgentException {
        call(() -> copies().removeCopies(RemoveCopiesRequest.newBuilder().addTargets(target).build()));
    }

    private FlashCopyGroupServiceGrpc.FlashCopyGroupServiceBlockingStub groups() {
        return FlashCopyGroupServiceGrpc.newBlockingStub(channel).withDeadlineAfter(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public void createGroup(String name) throws AgentException {
        call(() -> groups().createGroup(CreateGroupRequest.newBuilder().setName(name)
                .setOptions(CopyOptions.getDefaultInstance()).build()));
    }

    @Override
    public void addPair(String group, String source, String target) throws AgentException {
        call(() -> groups().addPair(GroupPairRequest.newBuilder().setGroup(group).setSource(source).setTarget(target)
                .build()));
    }

    @Override
    public FlashCopyGroup flashGroup(String name) throws AgentException {
        return call(() -> groups().flashGroup(GroupRef.newBuilder().setName(name).build()));
    }

    @Override
    public Optional<FlashCopyGroup> findGroup(String name) throws AgentException {
        return find(() -> groups().getGroup(GroupRef.newBuilder().setName(name).build()));
    }

    @Override
    public void terminateGroupForced(String name) throws AgentException {
        call(() -> groups().terminateGroup(TerminateGroupRequest.newBuilder().setName(name).setForce(true).build()));
    }

    @Override
    public void deleteGroup(String name) throws AgentException {
        call(() -> groups().deleteGroup(GroupRef.newBuilder().setName(name).build()));
    }

    /** Lets calls under way finish, takes no new ones, and ends the channel after them. */
    void retire() {
        channel.shutdown();
    }

    @Override
    public void close() {
        channel.shutdownNow();
    }
}
