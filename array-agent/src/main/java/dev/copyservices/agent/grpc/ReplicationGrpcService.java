package dev.copyservices.agent.grpc;

import dev.copyservices.agent.mirror.PeerSide;
import dev.copyservices.api.agent.v1.CandidatesRequest;
import dev.copyservices.api.agent.v1.ChangedRegions;
import dev.copyservices.api.agent.v1.CollectChangesRequest;
import dev.copyservices.api.agent.v1.ExchangeReply;
import dev.copyservices.api.agent.v1.ExchangeRequest;
import dev.copyservices.api.agent.v1.ListSecondaryCandidatesResponse;
import dev.copyservices.api.agent.v1.PeerHello;
import dev.copyservices.api.agent.v1.ProposeMirrorReply;
import dev.copyservices.api.agent.v1.ProposeMirrorRequest;
import dev.copyservices.api.agent.v1.ReplicationAck;
import dev.copyservices.api.agent.v1.ReplicationBatch;
import dev.copyservices.api.agent.v1.ReplicationRecord;
import dev.copyservices.api.agent.v1.ReplicationServiceGrpc;
import dev.copyservices.api.agent.v1.RoleReply;
import dev.copyservices.api.agent.v1.RoleRequest;
import io.grpc.stub.StreamObserver;

/**
 * The agent-to-agent service on the replication listener: unpacks the peer's calls for the mirror
 * engine's {@link PeerSide}. The record stream is applied in arrival order on the call's own thread, and
 * each batch is acknowledged once, by its last record; a record that failed is acknowledged on its own
 * with the error, so the primary knows which regions to copy again.
 */
final class ReplicationGrpcService extends ReplicationServiceGrpc.ReplicationServiceImplBase {
    private final PeerSide peer;
    private final AliasingBatchMarshaller batches;

    ReplicationGrpcService(PeerSide peer, AliasingBatchMarshaller batches) {
        this.peer = peer;
        this.batches = batches;
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
    public void listCandidates(CandidatesRequest request, StreamObserver<ListSecondaryCandidatesResponse> observer) {
        Unary.answer(observer, () -> peer.candidates(request));
    }

    @Override
    public void exchange(ExchangeRequest request, StreamObserver<ExchangeReply> observer) {
        Unary.answer(observer, () -> peer.exchange(request));
    }

    @Override
    public StreamObserver<ReplicationBatch> replicate(StreamObserver<ReplicationAck> acks) {
        return new StreamObserver<>() {
            @Override
            public void onNext(ReplicationBatch batch) {
                ReplicationRecord last = null;
                String lastError = "";
                try {
                    for (ReplicationRecord record : batch.getRecordsList()) {
                        if (!lastError.isEmpty()) {
                            acknowledge(last.getSequence(), lastError);
                        }
                        lastError = peer.apply(record);
                        last = record;
                    }
                } finally {
                    batches.release(batch); // the records' data lives in the transport's buffers until here
                }
                if (last != null) {
                    acknowledge(last.getSequence(), lastError);
                }
            }

            private void acknowledge(long sequence, String error) {
                synchronized (acks) {
                    acks.onNext(ReplicationAck.newBuilder().setSequence(sequence).setError(error).build());
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
