package dev.copyservices.agent.mirror;

import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;
import dev.copyservices.agent.pool.catalog.VolumeRecord;
import dev.copyservices.api.agent.v1.CandidatesRequest;
import dev.copyservices.api.agent.v1.ListSecondaryCandidatesResponse;
import dev.copyservices.api.agent.v1.PeerHello;
import dev.copyservices.api.agent.v1.SecondaryCandidate;
import io.grpc.StatusRuntimeException;

/**
 * Which volumes on the peer could become a primary's secondary (the seed's candidate list, L10574):
 * the primary's agent checks its own side as a create would, then asks the peer, which applies to each
 * of its volumes the very rules it applies when proposed a secondary, so that a listed candidate is one
 * the create accepts. Nothing changes on either side.
 */
public final class SecondaryCandidates {
    /** What the primary's agent learnt: the peer's array name and its eligible volumes, by name. */
    public record Candidates(String peerArray, java.util.List<Candidate> volumes) {
    }

    public record Candidate(String volume, long sizeBytes) {
    }

    private final MirrorEngine engine;

    public SecondaryCandidates(MirrorEngine engine) {
        this.engine = engine;
    }

    /** On the primary's agent: the candidates for {@code primary} on the agent at {@code peer}. */
    public Candidates list(String primary, String peer) {
        MirrorOperations operations = new MirrorOperations(engine);
        MirrorOperations.checkPeerAddress(peer);
        VolumeRecord volume;
        synchronized (engine.control) {
            volume = engine.volumes.find(primary).orElseThrow(() -> new EngineException(Reason.VOLUME_NOT_FOUND,
                    "volume '" + primary + "' does not exist", "check the name with 'csctl volume list'"));
            operations.checkCanCreate("this array");
            engine.rules.checkPrimary(volume, engine.byVolumeId(volume.getId()));
        }
        PeerLink link = engine.link(peer);
        PeerHello hello;
        try {
            hello = link.call().hello(PeerSide.hello(engine));
            link.succeeded();
        } catch (StatusRuntimeException e) {
            throw link.error(e, peer, "list secondary candidates");
        }
        operations.checkPartner(hello);
        ListSecondaryCandidatesResponse reply;
        try {
            reply = link.call().listCandidates(CandidatesRequest.newBuilder().setPrimaryArray(PeerSide.hello(engine))
                    .setCapacityBytes(volume.getSizeBytes()).build());
        } catch (StatusRuntimeException e) {
            throw link.error(e, hello.getArrayName(), "list secondary candidates");
        }
        return new Candidates(reply.getPeerArray(), reply.getCandidatesList().stream()
                .map(c -> new Candidate(c.getVolume(), c.getSizeBytes())).toList());
    }

    /** On the peer's agent: its volumes that would be accepted as the secondary. */
    public ListSecondaryCandidatesResponse eligible(CandidatesRequest request) {
        MirrorOperations operations = new MirrorOperations(engine);
        String arrayName = engine.pool.catalog().getArrayName();
        ListSecondaryCandidatesResponse.Builder reply = ListSecondaryCandidatesResponse.newBuilder()
                .setPeerArray(arrayName);
        synchronized (engine.control) {
            operations.checkCanCreate("array '" + arrayName + "'");
            operations.checkPartner(request.getPrimaryArray());
            for (VolumeRecord volume : engine.volumes.records()) {
                try {
                    engine.rules.checkSecondary(volume, engine.byVolumeId(volume.getId()),
                            request.getCapacityBytes());
                } catch (EngineException notEligible) {
                    continue; // the create would refuse it with this very error
                }
                reply.addCandidates(SecondaryCandidate.newBuilder().setVolume(volume.getName())
                        .setSizeBytes(volume.getSizeBytes()));
            }
        }
        return reply.build();
    }
}
