package dev.copyservices.operator.agent;

import dev.copyservices.api.agent.v1.CreateMirrorRequest;
import dev.copyservices.api.agent.v1.Mirror;
import dev.copyservices.api.agent.v1.MirrorRole;
import dev.copyservices.api.agent.v1.MirrorState;
import dev.copyservices.api.agent.v1.MirrorsResponse;
import dev.copyservices.api.agent.v1.UpdateMirrorsRequest;
import dev.copyservices.api.agent.v1.WriteMode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** One agent's mirror members in memory, by local volume, for unit tests of one reconciler. */
public class FakeMirrorClient implements MirrorClient {
    public final Map<String, Mirror> mirrors = new ConcurrentHashMap<>();
    public final List<String> calls = new CopyOnWriteArrayList<>();
    public final List<CreateMirrorRequest> creates = new CopyOnWriteArrayList<>();
    /** When set, every call fails with it. */
    public volatile AgentException failure;

    private void check(String call) throws AgentException {
        calls.add(call);
        if (failure != null) {
            throw failure;
        }
    }

    private Mirror existing(String volume) throws AgentException {
        Mirror mirror = mirrors.get(volume);
        if (mirror == null) {
            throw new AgentException("MirrorNotFound", "volume " + volume + " is in no mirror", "", null, true);
        }
        return mirror;
    }

    private MirrorsResponse one(Mirror mirror) {
        mirrors.put(mirror.getVolume(), mirror);
        return MirrorsResponse.newBuilder().addMirrors(mirror).build();
    }

    @Override
    public Mirror getMirror(String endpoint, String volume) throws AgentException {
        check("getMirror " + volume);
        return existing(volume);
    }

    @Override
    public List<Mirror> listMirrors(String endpoint) throws AgentException {
        check("listMirrors");
        return List.copyOf(mirrors.values());
    }

    @Override
    public Mirror createMirror(String endpoint, CreateMirrorRequest request) throws AgentException {
        check("createMirror " + request.getPrimary() + " " + request.getPeer() + " " + request.getSecondary());
        creates.add(request);
        Mirror mirror = Mirror.newBuilder().setId("m-" + request.getPrimary()).setVolume(request.getPrimary())
                .setRole(MirrorRole.PRIMARY).setState(MirrorState.SYNCHRONIZING).setPeerArray("site-b-node-1")
                .setPeerEndpoint(request.getPeer()).setPeerVolume(request.getSecondary()).setPeerRole(MirrorRole.SECONDARY)
                .setPeerReachable(true).setWriteMode(request.getWriteMode())
                .setConsistencyGroup(request.getConsistencyGroup()).setSyncPriority(request.getSyncPriority())
                .setResyncMethod(request.getResyncMethod()).putAllLabels(request.getLabelsMap()).setGeneration(1).build();
        mirrors.put(mirror.getVolume(), mirror);
        return mirror;
    }

    @Override
    public MirrorsResponse suspendMirror(String endpoint, String volume) throws AgentException {
        check("suspend " + volume);
        return one(existing(volume).toBuilder().setState(MirrorState.SUSPENDED).build());
    }

    @Override
    public MirrorsResponse resumeMirror(String endpoint, String volume) throws AgentException {
        check("resume " + volume);
        return one(existing(volume).toBuilder().setState(MirrorState.SYNCHRONIZING).build());
    }

    @Override
    public Mirror updateMirror(String endpoint, UpdateMirrorsRequest request) throws AgentException {
        String volume = request.getVolumes(0);
        check("update " + volume);
        Mirror.Builder mirror = existing(volume).toBuilder();
        if (request.getWriteMode() != WriteMode.WRITE_MODE_UNSPECIFIED) {
            mirror.setWriteMode(request.getWriteMode());
        }
        if (request.hasConsistencyGroup()) {
            mirror.setConsistencyGroup(request.getConsistencyGroup());
        }
        if (request.getSyncPriority() != dev.copyservices.api.agent.v1.CopyPriority.COPY_PRIORITY_UNSPECIFIED) {
            mirror.setSyncPriority(request.getSyncPriority());
        }
        if (request.getResyncMethod() != dev.copyservices.api.agent.v1.ResyncMethod.RESYNC_METHOD_UNSPECIFIED) {
            mirror.setResyncMethod(request.getResyncMethod());
        }
        return one(mirror.build()).getMirrors(0);
    }

    @Override
    public MirrorsResponse removeMirror(String endpoint, String volume) throws AgentException {
        check("remove " + volume);
        existing(volume);
        mirrors.remove(volume);
        return MirrorsResponse.getDefaultInstance();
    }

    @Override
    public Mirror changeRole(String endpoint, String volume, MirrorRole role, boolean force) throws AgentException {
        check("changeRole " + volume + " " + role + (force ? " force" : ""));
        Mirror mirror = existing(volume);
        return one(mirror.toBuilder().setRole(role).setPeerRole(role == MirrorRole.PRIMARY ? MirrorRole.SECONDARY
                : MirrorRole.PRIMARY).setGeneration(mirror.getGeneration() + 1).build()).getMirrors(0);
    }
}
