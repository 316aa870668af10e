package dev.copyservices.operator.agent;

import dev.copyservices.api.agent.v1.Array;
import dev.copyservices.api.agent.v1.CreateFlashCopyRequest;
import dev.copyservices.api.agent.v1.Event;
import dev.copyservices.api.agent.v1.FlashCopy;
import dev.copyservices.api.agent.v1.FlashCopyState;
import dev.copyservices.api.agent.v1.Repository;
import dev.copyservices.api.agent.v1.CopyPriority;
import dev.copyservices.api.agent.v1.CopyState;
import dev.copyservices.api.agent.v1.CreateCopyRequest;
import dev.copyservices.api.agent.v1.EstablishRequest;
import dev.copyservices.api.agent.v1.Relationship;
import dev.copyservices.api.agent.v1.RelationshipState;
import dev.copyservices.api.agent.v1.WithdrawResponse;
import dev.copyservices.api.agent.v1.UpdateCopiesRequest;
import dev.copyservices.api.agent.v1.UpdateFlashCopyRequest;
import dev.copyservices.api.agent.v1.VolumeCopy;
import com.google.protobuf.Timestamp;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** An agent in memory for unit tests of one reconciler: it records the calls it gets. */
public class FakeAgentClient implements AgentClient {
    public volatile Array array = Array.getDefaultInstance();
    /** When set, every call fails with it. */
    public volatile AgentException failure;
    public final Map<String, FlashCopy> flashCopies = new ConcurrentHashMap<>();
    public final List<String> calls = new CopyOnWriteArrayList<>();
    public final List<CreateFlashCopyRequest> creates = new CopyOnWriteArrayList<>();
    public final Map<String, VolumeCopy> copies = new ConcurrentHashMap<>();
    public final Map<String, Relationship> relationships = new ConcurrentHashMap<>();
    /** Withdraw without force is refused while this is set (regions not yet copied). */
    public volatile boolean uncopiedRegions;
    private long clock = 1_000;

    private void check(String call) throws AgentException {
        calls.add(call);
        if (failure != null) {
            throw failure;
        }
    }

    private static AgentException notFound(String name) {
        return new AgentException("FlashcopyNotFound", "no FlashCopy " + name, "", null, true);
    }

    private FlashCopy existing(String name) throws AgentException {
        FlashCopy flashCopy = flashCopies.get(name);
        if (flashCopy == null) {
            throw notFound(name);
        }
        return flashCopy;
    }

    private Timestamp tick() {
        return Timestamp.newBuilder().setSeconds(++clock).build();
    }

    @Override
    public Array getArray(String endpoint) throws AgentException {
        check("getArray");
        return array;
    }

    @Override
    public FlashCopy getFlashCopy(String endpoint, String name) throws AgentException {
        check("get " + name);
        return existing(name);
    }

    @Override
    public FlashCopy createFlashCopy(String endpoint, CreateFlashCopyRequest request) throws AgentException {
        check("create " + request.getName());
        creates.add(request);
        FlashCopy flashCopy = FlashCopy.newBuilder().setName(request.getName()).setBase(request.getBase())
                .setState(FlashCopyState.OPTIMAL).setPointInTime(tick())
                .setRepository(Repository.newBuilder().setName(request.getRepositoryName())
                        .setWarningThresholdPercent(request.hasWarningThresholdPercent() ? request.getWarningThresholdPercent() : 50)
                        .setFullPolicy(request.getFullPolicy()))
                .build();
        flashCopies.put(request.getName(), flashCopy);
        return flashCopy;
    }

    @Override
    public FlashCopy disableFlashCopy(String endpoint, String name) throws AgentException {
        check("disable " + name);
        FlashCopy flashCopy = existing(name).toBuilder().setState(FlashCopyState.DISABLED).build();
        flashCopies.put(name, flashCopy);
        return flashCopy;
    }

    @Override
    public FlashCopy recreateFlashCopy(String endpoint, String name) throws AgentException {
        check("recreate " + name);
        FlashCopy flashCopy = existing(name).toBuilder().setState(FlashCopyState.OPTIMAL).setPointInTime(tick()).build();
        flashCopies.put(name, flashCopy);
        return flashCopy;
    }

    @Override
    public FlashCopy updateFlashCopy(String endpoint, UpdateFlashCopyRequest request) throws AgentException {
        check("update " + request.getName());
        FlashCopy current = existing(request.getName());
        Repository.Builder repository = current.getRepository().toBuilder();
        if (request.hasWarningThresholdPercent()) {
            repository.setWarningThresholdPercent(request.getWarningThresholdPercent());
        }
        if (request.getFullPolicyValue() != 0) {
            repository.setFullPolicy(request.getFullPolicy());
        }
        FlashCopy flashCopy = current.toBuilder().setRepository(repository).build();
        flashCopies.put(request.getName(), flashCopy);
        return flashCopy;
    }

    @Override
    public void deleteFlashCopy(String endpoint, String name) throws AgentException {
        check("delete " + name);
        if (flashCopies.remove(name) == null) {
            throw notFound(name);
        }
    }

    private Relationship relationship(String target) throws AgentException {
        Relationship relationship = relationships.get(target);
        if (relationship == null) {
            throw new AgentException("RelationshipNotFound", "no relationship has '" + target + "' as its target", "", null, true);
        }
        return relationship;
    }

    @Override
    public Relationship getRelationship(String endpoint, String target) throws AgentException {
        check("getRelationship " + target);
        return relationship(target);
    }

    @Override
    public Relationship establish(String endpoint, EstablishRequest request) throws AgentException {
        check("establish " + request.getSource() + " " + request.getTarget());
        Relationship relationship = Relationship.newBuilder().setSource(request.getSource()).setTarget(request.getTarget())
                .setOptions(request.getOptions()).setState(request.getOptions().getBackgroundCopy()
                        ? RelationshipState.RELATIONSHIP_COPYING : RelationshipState.RELATIONSHIP_NO_BACKGROUND_COPY)
                .setPointInTime(tick()).build();
        relationships.put(request.getTarget(), relationship);
        return relationship;
    }

    @Override
    public Relationship reflash(String endpoint, String target) throws AgentException {
        check("reflash " + target);
        Relationship relationship = relationship(target).toBuilder().setPointInTime(tick()).build();
        relationships.put(target, relationship);
        return relationship;
    }

    @Override
    public WithdrawResponse withdraw(String endpoint, String target, boolean force) throws AgentException {
        check("withdraw " + target + (force ? " --force" : ""));
        relationship(target);
        if (uncopiedRegions && !force) {
            throw new AgentException("RegionsNotCopied", "3 regions are not yet on " + target, "wait, or withdraw with force");
        }
        relationships.remove(target);
        return WithdrawResponse.newBuilder().setTargetComplete(!uncopiedRegions).build();
    }

    private VolumeCopy copy(String target) throws AgentException {
        VolumeCopy copy = copies.get(target);
        if (copy == null) {
            throw new AgentException("VolumecopyNotFound", "no VolumeCopy pair has '" + target + "' as its target", "", null, true);
        }
        return copy;
    }

    private VolumeCopy put(VolumeCopy copy) {
        copies.put(copy.getTarget(), copy);
        return copy;
    }

    @Override
    public VolumeCopy getCopy(String endpoint, String target) throws AgentException {
        check("getCopy " + target);
        return copy(target);
    }

    @Override
    public VolumeCopy createCopy(String endpoint, CreateCopyRequest request) throws AgentException {
        check("createCopy " + request.getSource() + " " + request.getTarget());
        return put(VolumeCopy.newBuilder().setSource(request.getSource()).setTarget(request.getTarget())
                .setPriority(request.getPriority()).setState(CopyState.COPY_IN_PROGRESS).setTargetReadOnly(true).build());
    }

    @Override
    public VolumeCopy stopCopy(String endpoint, String target) throws AgentException {
        check("stopCopy " + target);
        return put(copy(target).toBuilder().setState(CopyState.COPY_STOPPED).build());
    }

    @Override
    public VolumeCopy recopy(String endpoint, String target, CopyPriority priority) throws AgentException {
        check("recopy " + target);
        return put(copy(target).toBuilder().setState(CopyState.COPY_IN_PROGRESS).setCopiedPercent(0).setTargetReadOnly(true).build());
    }

    @Override
    public VolumeCopy updateCopy(String endpoint, UpdateCopiesRequest request) throws AgentException {
        check("updateCopy " + request.getTargets(0));
        VolumeCopy.Builder copy = copy(request.getTargets(0)).toBuilder();
        if (request.getPriorityValue() != 0) {
            copy.setPriority(request.getPriority());
        }
        if (request.hasTargetReadOnly()) {
            copy.setTargetReadOnly(request.getTargetReadOnly());
        }
        return put(copy.build());
    }

    @Override
    public void removeCopy(String endpoint, String target) throws AgentException {
        check("removeCopy " + target);
        VolumeCopy copy = copy(target);
        if (copy.getState() == CopyState.COPY_IN_PROGRESS || copy.getState() == CopyState.COPY_PENDING) {
            throw new AgentException("VolumecopyState", "the pair is " + copy.getState(), "stop it first");
        }
        copies.remove(target);
    }

    @Override
    public AutoCloseable watchEvents(String endpoint, long afterSequence, Consumer<Event> onEvent, Consumer<AgentException> onEnd) {
        return () -> { };
    }
}
