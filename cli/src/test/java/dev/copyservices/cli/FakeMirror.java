package dev.copyservices.cli;

import com.google.protobuf.Timestamp;
import dev.copyservices.api.agent.v1.ActivateMirroringRequest;
import dev.copyservices.api.agent.v1.ChangeRoleRequest;
import dev.copyservices.api.agent.v1.CommunicationTest;
import dev.copyservices.api.agent.v1.CopyPriority;
import dev.copyservices.api.agent.v1.CreateMirrorRequest;
import dev.copyservices.api.agent.v1.DeactivateMirroringRequest;
import dev.copyservices.api.agent.v1.GetMirroringRequest;
import dev.copyservices.api.agent.v1.ListMirrorsRequest;
import dev.copyservices.api.agent.v1.ListMirrorsResponse;
import dev.copyservices.api.agent.v1.ListSecondaryCandidatesRequest;
import dev.copyservices.api.agent.v1.ListSecondaryCandidatesResponse;
import dev.copyservices.api.agent.v1.Mirror;
import dev.copyservices.api.agent.v1.MirrorRef;
import dev.copyservices.api.agent.v1.MirrorRole;
import dev.copyservices.api.agent.v1.MirrorServiceGrpc;
import dev.copyservices.api.agent.v1.MirrorState;
import dev.copyservices.api.agent.v1.MirroringStatus;
import dev.copyservices.api.agent.v1.MirrorsRequest;
import dev.copyservices.api.agent.v1.MirrorsResponse;
import dev.copyservices.api.agent.v1.ResyncMethod;
import dev.copyservices.api.agent.v1.UpdateMirrorsRequest;
import dev.copyservices.api.agent.v1.WriteMode;
import io.grpc.BindableService;
import io.grpc.Status.Code;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The mirror service of {@link FakeAgent}: mirrors by their volume on this agent, answered back as they are
 * stored, so that a test can check what csctl sends and how it prints what comes back. It follows none of
 * the agent's state rules (which are the agent's own, and tested there); a test sets the state it needs
 * with {@link #put} and {@link #change}.
 */
final class FakeMirror {
    static final long GIB = 1L << 30;
    static final Timestamp CREATED = Timestamp.newBuilder().setSeconds(1_700_000_000L).build();
    static final Timestamp SYNCHRONIZED = Timestamp.newBuilder().setSeconds(1_700_003_600L).build();
    static final String PEER = "array-b.example:7401";

    final Map<String, Mirror> mirrors = new LinkedHashMap<>();
    /** What SuspendMirrors, ResumeMirrors, UpdateMirrors and RemoveMirrors say once. */
    final List<String> warnings = new ArrayList<>();
    /** What GetMirroring answers; activate and deactivate set its activated flag. */
    MirroringStatus status = MirroringStatus.newBuilder().setEnabled(true).setReplicationEndpoint(
            "array-a.example:7401").setMaxMirrors(8).build();
    /** What TestCommunication answers. */
    CommunicationTest communication = CommunicationTest.getDefaultInstance();
    /** What ListSecondaryCandidates answers. */
    ListSecondaryCandidatesResponse candidates = ListSecondaryCandidatesResponse.newBuilder().setPeerArray("array-b")
            .build();
    private final FakeAgent agent;

    /** Called with the count of GetMirror calls so far before each is answered (a watch test changes the mirror). */
    volatile java.util.function.IntConsumer beforeGet = n -> {
    };
    private final java.util.concurrent.atomic.AtomicInteger gets = new java.util.concurrent.atomic.AtomicInteger();

    FakeMirror(FakeAgent agent) {
        this.agent = agent;
    }

    /**
     * A synchronous mirror of 1 GiB volumes, {@code volume} the primary here and {@code peerVolume} the
     * secondary on array-b, {@code percent} synchronized, priority Medium, resync Manual, the peer reachable;
     * Synchronized ones with the time they were.
     */
    Mirror put(String volume, String peerVolume, MirrorState state, double percent) {
        long outOfSync = (long) (GIB * (100 - percent) / 100);
        Mirror.Builder m = Mirror.newBuilder()
                .setId("m-" + volume).setVolume(volume).setVolumeId("id-" + volume)
                .setRole(MirrorRole.PRIMARY).setState(state)
                .setPeerArray("array-b").setPeerArrayId("id-array-b").setPeerEndpoint(PEER)
                .setPeerVolume(peerVolume).setPeerRole(MirrorRole.SECONDARY).setPeerReachable(true)
                .setWriteMode(WriteMode.SYNCHRONOUS).setSyncPriority(CopyPriority.COPY_PRIORITY_MEDIUM)
                .setResyncMethod(ResyncMethod.MANUAL).setCapacityBytes(GIB).setOutOfSyncBytes(outOfSync)
                .setProgressPercent(percent).setCreated(CREATED).setGeneration(1);
        if (state == MirrorState.SYNCHRONIZED) {
            m.setLastSynchronized(SYNCHRONIZED);
        }
        Mirror built = m.build();
        mirrors.put(volume, built);
        return built;
    }

    /** Changes a stored mirror, e.g. {@code change("db", m -> m.toBuilder().setLagSeconds(2).build())}. */
    Mirror change(String volume, UnaryOperator<Mirror> how) {
        Mirror m = how.apply(mirrors.get(volume));
        mirrors.put(volume, m);
        return m;
    }

    BindableService service() {
        return new Service();
    }

    private Mirror mirror(String volume) {
        Mirror m = mirrors.get(volume);
        if (m == null) {
            throw FakeAgent.error(Code.NOT_FOUND, "MIRROR_NOT_FOUND", "\"" + volume + "\" is not a member of a"
                    + " mirror on this agent", "list the mirrors with 'csctl mirror list'");
        }
        return m;
    }

    /** Each named mirror changed by {@code how}, with the warnings. */
    private MirrorsResponse each(List<String> volumes, UnaryOperator<Mirror> how) {
        MirrorsResponse.Builder response = MirrorsResponse.newBuilder().addAllWarnings(warnings);
        for (String volume : volumes) {
            Mirror m = how.apply(mirror(volume));
            mirrors.put(volume, m);
            response.addMirrors(m);
        }
        return response.build();
    }

    private final class Service extends MirrorServiceGrpc.MirrorServiceImplBase {
        @Override
        public void activateMirroring(ActivateMirroringRequest request, StreamObserver<MirroringStatus> observer) {
            agent.answer(request, observer, q -> status = status.toBuilder().setActivated(true).build());
        }

        @Override
        public void deactivateMirroring(DeactivateMirroringRequest request,
                StreamObserver<MirroringStatus> observer) {
            agent.answer(request, observer, q -> status = status.toBuilder().setActivated(false).build());
        }

        @Override
        public void getMirroring(GetMirroringRequest request, StreamObserver<MirroringStatus> observer) {
            agent.answer(request, observer, q -> status);
        }

        @Override
        public void createMirror(CreateMirrorRequest request, StreamObserver<Mirror> observer) {
            agent.answer(request, observer, q -> {
                Mirror old = mirrors.get(q.getPrimary());
                if (old != null) {
                    return old;
                }
                Mirror.Builder m = put(q.getPrimary(), q.getSecondary(), MirrorState.SYNCHRONIZING, 0).toBuilder()
                        .setPeerEndpoint(q.getPeer()).setConsistencyGroup(q.getConsistencyGroup());
                if (q.getWriteMode() != WriteMode.WRITE_MODE_UNSPECIFIED) {
                    m.setWriteMode(q.getWriteMode());
                }
                if (q.getSyncPriority() != CopyPriority.COPY_PRIORITY_UNSPECIFIED) {
                    m.setSyncPriority(q.getSyncPriority());
                }
                if (q.getResyncMethod() != ResyncMethod.RESYNC_METHOD_UNSPECIFIED) {
                    m.setResyncMethod(q.getResyncMethod());
                }
                mirrors.put(q.getPrimary(), m.build());
                return m.build();
            });
        }

        @Override
        public void getMirror(MirrorRef request, StreamObserver<Mirror> observer) {
            agent.answer(request, observer, q -> {
                beforeGet.accept(gets.incrementAndGet());
                return mirror(q.getVolume());
            });
        }

        @Override
        public void listMirrors(ListMirrorsRequest request, StreamObserver<ListMirrorsResponse> observer) {
            agent.answer(request, observer, q -> ListMirrorsResponse.newBuilder().addAllMirrors(mirrors.values())
                    .build());
        }

        @Override
        public void suspendMirrors(MirrorsRequest request, StreamObserver<MirrorsResponse> observer) {
            agent.answer(request, observer, q -> each(q.getVolumesList(), m -> m.toBuilder()
                    .setState(MirrorState.SUSPENDED).build()));
        }

        @Override
        public void resumeMirrors(MirrorsRequest request, StreamObserver<MirrorsResponse> observer) {
            agent.answer(request, observer, q -> each(q.getVolumesList(), m -> m.toBuilder()
                    .setState(MirrorState.SYNCHRONIZING).build()));
        }

        @Override
        public void updateMirrors(UpdateMirrorsRequest request, StreamObserver<MirrorsResponse> observer) {
            agent.answer(request, observer, q -> each(q.getVolumesList(), m -> {
                Mirror.Builder b = m.toBuilder();
                if (q.getWriteMode() != WriteMode.WRITE_MODE_UNSPECIFIED) {
                    b.setWriteMode(q.getWriteMode());
                }
                if (q.hasConsistencyGroup()) {
                    b.setConsistencyGroup(q.getConsistencyGroup());
                }
                if (q.getSyncPriority() != CopyPriority.COPY_PRIORITY_UNSPECIFIED) {
                    b.setSyncPriority(q.getSyncPriority());
                }
                if (q.getResyncMethod() != ResyncMethod.RESYNC_METHOD_UNSPECIFIED) {
                    b.setResyncMethod(q.getResyncMethod());
                }
                return b.build();
            }));
        }

        @Override
        public void removeMirrors(MirrorsRequest request, StreamObserver<MirrorsResponse> observer) {
            agent.answer(request, observer, q -> {
                MirrorsResponse response = each(q.getVolumesList(), m -> m);
                q.getVolumesList().forEach(mirrors::remove);
                return response;
            });
        }

        @Override
        public void testCommunication(MirrorRef request, StreamObserver<CommunicationTest> observer) {
            agent.answer(request, observer, q -> {
                mirror(q.getVolume());
                return communication;
            });
        }

        @Override
        public void listSecondaryCandidates(ListSecondaryCandidatesRequest request,
                StreamObserver<ListSecondaryCandidatesResponse> observer) {
            agent.answer(request, observer, q -> candidates);
        }

        /** The role asked for; the peer takes the other one only when it can be reached. */
        @Override
        public void changeRole(ChangeRoleRequest request, StreamObserver<Mirror> observer) {
            agent.answer(request, observer, q -> {
                Mirror m = mirror(q.getVolume());
                Mirror.Builder b = m.toBuilder().setRole(q.getRole()).setGeneration(m.getGeneration() + 1);
                if (m.getPeerReachable()) {
                    b.setPeerRole(q.getRole() == MirrorRole.PRIMARY ? MirrorRole.SECONDARY : MirrorRole.PRIMARY);
                }
                mirrors.put(m.getVolume(), b.build());
                return b.build();
            });
        }
    }
}
