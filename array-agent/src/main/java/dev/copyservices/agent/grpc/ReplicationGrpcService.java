package dev.copyservices.agent.grpc;

import dev.copyservices.agent.mirror.PeerSide;
import dev.copyservices.api.agent.v1.ChangedRegions;
import dev.copyservices.api.agent.v1.CollectChangesRequest;
import dev.copyservices.api.agent.v1.ExchangeReply;
import dev.copyservices.api.agent.v1.ExchangeRequest;
import dev.copyservices.api.agent.v1.PeerHello;
import dev.copyservices.api.agent.v1.ProposeMirrorReply;
import dev.copyservices.api.agent.v1.ProposeMirrorRequest;
import dev.copyservices.api.agent.v1.ReplicationAck;
import dev.copyservices.api.agent.v1.ReplicationRecord;
import dev.copyservices.api.agent.v1.ReplicationServiceGrpc;
import dev.copyservices.api.agent.v1.RoleReply;
import dev.copyservices.api.agent.v1.RoleRequest;
import io.grpc.stub.StreamObserver;

/**
 * The agent-to-agent service on the replication listener: unpacks the peer's calls for the mirror
 * engine's {@link PeerSide}. The record stream is applied in arrival order on the call's own thread and
 * acknowledged record by record.
 */
final class ReplicationGrpcService extends ReplicationServiceGrpc.ReplicationServiceImplBase {
    private final PeerSide peer;

    ReplicationGrpcService(PeerSide peer) {
        this.peer = peer;
    }

    @Override
    public void hello(PeerHello request, StreamObserver<PeerHello> observer) {
        Unary.answer(observer, () -> peer.hello(request));
    }

    @Override
    public void proposeMirror(ProposeMirrorRequest request, StreamObserver<ProposeMirrorReply> observer) {
        Unary.answer(observer, () -> peer.propose(request));
    }

    @Override
    public void exchange(ExchangeRequest request, StreamObserver<ExchangeReply> observer) {
        Unary.answer(observer, () -> peer.exchange(request));
    }

    @Override
    public StreamObserver<ReplicationRecord> replicate(StreamObserver<ReplicationAck> acks) {
        return new StreamObserver<>() {
            @Override
            public void onNext(ReplicationRecord record) {
                String error = peer.apply(record);
                synchronized (acks) {
                    acks.onNext(ReplicationAck.newBuilder().setSequence(record.getSequence()).setError(error).build());
                }
            }

            @Override
            public void onError(Throwable t) {
                // the primary went away; it marks what was not acknowledged as due for copy
            }

            @Override
            public void onCompleted() {
                synchronized (acks) {
                    acks.onCompleted();
                }
            }
        };
    }

    @Override
    public void relinquishPrimary(RoleRequest request, StreamObserver<RoleReply> observer) {
        Unary.answer(observer, () -> peer.relinquishPrimary(request));
    }

    @Override
    public void assumePrimary(RoleRequest request, StreamObserver<RoleReply> observer) {
        Unary.answer(observer, () -> peer.assumePrimary(request));
    }

    @Override
    public void handOverChanges(ChangedRegions request, StreamObserver<RoleReply> observer) {
        Unary.answer(observer, () -> peer.handOverChanges(request));
    }

    @Override
    public void collectChanges(CollectChangesRequest request, StreamObserver<ChangedRegions> observer) {
        Unary.answer(observer, () -> peer.collectChanges(request));
    }

    @Override
    public void removeMirror(RoleRequest request, StreamObserver<RoleReply> observer) {
        Unary.answer(observer, () -> peer.removeMirror(request));
    }
}
