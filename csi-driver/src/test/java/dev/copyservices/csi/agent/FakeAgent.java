package dev.copyservices.csi.agent;

import dev.copyservices.api.agent.v1.Array;
import dev.copyservices.api.agent.v1.Capacity;
import dev.copyservices.api.agent.v1.CopyState;
import dev.copyservices.api.agent.v1.CreateFlashCopyRequest;
import dev.copyservices.api.agent.v1.CreateVolumeRequest;
import dev.copyservices.api.agent.v1.FlashCopy;
import dev.copyservices.api.agent.v1.FlashCopyGroup;
import dev.copyservices.api.agent.v1.GroupPair;
import dev.copyservices.api.agent.v1.GroupState;
import dev.copyservices.api.agent.v1.PairState;
import dev.copyservices.api.agent.v1.FlashCopyState;
import dev.copyservices.api.agent.v1.Relationship;
import dev.copyservices.api.agent.v1.Repository;
import dev.copyservices.api.agent.v1.Volume;
import dev.copyservices.api.agent.v1.VolumeCopy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * An agent in memory for the controller's unit tests: volumes, FlashCopies, clone relationships and
 * restore copies, with the agent's NOT_FOUND and size rules, and a latch to hold a create mid-call.
 */
public class FakeAgent implements Agent {
    private final String arrayName;
    final Map<String, Volume> volumes = new ConcurrentHashMap<>();
    final Map<String, FlashCopy> flashCopies = new ConcurrentHashMap<>();
    final Map<String, Relationship> relationships = new ConcurrentHashMap<>();
    final Map<String, VolumeCopy> copies = new ConcurrentHashMap<>();
    public final List<String> calls = java.util.Collections.synchronizedList(new ArrayList<>());
    public volatile CountDownLatch createEntered;
    public volatile CountDownLatch createRelease;
    public volatile long poolFreeBytes = 1L << 40;
    public volatile boolean refuseCopies;
    /** Restores complete at once, for tests about what happens after them. */
    public volatile boolean completeCopyOnCreate;

    public FakeAgent(String arrayName) {
        this.arrayName = arrayName;
    }

    private static AgentException notFound(String what) {
        return new AgentException("NOT_FOUND", "NOT_FOUND", what + " does not exist", "", null);
    }

    @Override
    public String endpoint() {
        return "fake:" + arrayName;
    }

    @Override
    public Array array() throws AgentException {
        return Array.newBuilder().setName(arrayName).setNbdEndpoint("127.0.0.1:1")
                .setCapacity(Capacity.newBuilder().setPoolFreeBytes(poolFreeBytes)).build();
    }

    @Override
    public Volume createVolume(CreateVolumeRequest request) throws AgentException {
        calls.add("createVolume " + request.getName());
        if (createEntered != null) {
            createEntered.countDown();
            try {
                createRelease.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Volume existing = volumes.get(request.getName());
        if (existing != null) {
            if (existing.getSizeBytes() != request.getSizeBytes()) {
                throw new AgentException("ALREADY_EXISTS", "VOLUME_EXISTS", "exists with another size", "", null);
            }
            return existing;
        }
        Volume volume = Volume.newBuilder().setName(request.getName()).setSizeBytes(request.getSizeBytes())
                .putAllAttributes(request.getAttributesMap()).build();
        volumes.put(request.getName(), volume);
        return volume;
    }

    /** Volumes with an NBD client that goes away after this many more lookups (-1: never). */
    public final Map<String, Integer> connectedFor = new ConcurrentHashMap<>();

    @Override
    public Optional<Volume> findVolume(String name) {
        Integer left = connectedFor.computeIfPresent(name, (n, l) -> l > 0 ? l - 1 : l);
        boolean connected = left != null && left != 0;
        return Optional.ofNullable(volumes.get(name)).map(v -> v.toBuilder().setNbdConnections(connected ? 1 : 0).build());
    }

    @Override
    public List<Volume> listVolumes(Map<String, String> attributeSelector) {
        return new ArrayList<>(new TreeMap<>(volumes).values());
    }

    @Override
    public Volume resizeVolume(String name, long sizeBytes) throws AgentException {
        Volume volume = Optional.ofNullable(volumes.get(name)).orElseThrow(() -> notFound(name));
        Volume grown = volume.toBuilder().setSizeBytes(sizeBytes).build();
        volumes.put(name, grown);
        return grown;
    }

    @Override
    public void deleteVolume(String name) throws AgentException {
        calls.add("deleteVolume " + name);
        if (findVolume(name).map(v -> v.getNbdConnections() > 0).orElse(false)) {
            throw new AgentException("FAILED_PRECONDITION", "VOLUME_IN_USE", "open NBD connections to " + name, "", null);
        }
        if (volumes.remove(name) == null) {
            throw notFound(name);
        }
    }

    @Override
    public Volume attachVolume(String name, String host, List<String> addresses) throws AgentException {
        calls.add("attachVolume " + name + " " + host + " " + addresses);
        Volume volume = Optional.ofNullable(volumes.get(name)).orElseThrow(() -> notFound(name));
        Volume attached = volume.toBuilder().clearAttachments().addAllAttachments(volume.getAttachmentsList().stream()
                .filter(a -> !a.getHost().equals(host)).toList()).addAttachments(dev.copyservices.api.agent.v1.Attachment
                .newBuilder().setHost(host).addAllAddresses(addresses)).build();
        volumes.put(name, attached);
        return attached;
    }

    @Override
    public Volume detachVolume(String name, String host) throws AgentException {
        calls.add("detachVolume " + name + " " + host);
        Volume volume = Optional.ofNullable(volumes.get(name)).orElseThrow(() -> notFound(name));
        Volume detached = volume.toBuilder().clearAttachments().addAllAttachments(volume.getAttachmentsList().stream()
                .filter(a -> !a.getHost().equals(host)).toList()).build();
        volumes.put(name, detached);
        return detached;
    }

    @Override
    public FlashCopy createFlashCopy(CreateFlashCopyRequest request) throws AgentException {
        calls.add("createFlashCopy " + request.getName() + " of " + request.getBase() + " repository "
                + request.getRepositoryPercent() + "%");
        Volume base = Optional.ofNullable(volumes.get(request.getBase())).orElseThrow(() -> notFound(request.getBase()));
        FlashCopy flashCopy = FlashCopy.newBuilder().setName(request.getName()).setBase(base.getName())
                .setSizeBytes(base.getSizeBytes()).setState(FlashCopyState.OPTIMAL)
                .setRepository(Repository.newBuilder().setName(request.getRepositoryName())).build();
        flashCopies.put(request.getName(), flashCopy);
        return flashCopy;
    }

    @Override
    public Optional<FlashCopy> findFlashCopy(String name) {
        return Optional.ofNullable(flashCopies.get(name));
    }

    @Override
    public List<FlashCopy> listFlashCopies(String base) {
        return new TreeMap<>(flashCopies).values().stream().filter(f -> base.isEmpty() || f.getBase().equals(base))
                .toList();
    }

    @Override
    public void deleteFlashCopy(String name) throws AgentException {
        calls.add("deleteFlashCopy " + name);
        if (flashCopies.remove(name) == null) {
            throw notFound(name);
        }
    }

    @Override
    public Relationship establishClone(String source, String target) {
        calls.add("establishClone " + source + " -> " + target);
        Relationship r = Relationship.newBuilder().setSource(source).setTarget(target).build();
        relationships.put(target, r);
        return r;
    }

    @Override
    public List<Relationship> relationshipsOf(String volume) {
        return relationships.values().stream().filter(r -> r.getSource().equals(volume) || r.getTarget().equals(volume))
                .toList();
    }

    @Override
    public void withdrawForced(String target) throws AgentException {
        calls.add("withdrawForced " + target);
        if (relationships.remove(target) == null) {
            throw notFound("relationship onto " + target);
        }
    }

    /** Restores stay InProgress until the test completes them. */
    @Override
    public VolumeCopy createCopy(String source, String target) throws AgentException {
        calls.add("createCopy " + source + " -> " + target);
        if (refuseCopies) {
            throw new AgentException("FAILED_PRECONDITION", "TARGET_TOO_SMALL", "the target is too small", "", null);
        }
        VolumeCopy copy = VolumeCopy.newBuilder().setSource(source).setTarget(target)
                .setState(completeCopyOnCreate ? CopyState.COPY_COMPLETED : CopyState.COPY_IN_PROGRESS).build();
        copies.put(target, copy);
        return copy;
    }

    public void completeCopy(String target) {
        copies.computeIfPresent(target, (t, c) -> c.toBuilder().setState(CopyState.COPY_COMPLETED).build());
    }

    @Override
    public Optional<VolumeCopy> findCopy(String target) {
        return Optional.ofNullable(copies.get(target));
    }

    @Override
    public List<VolumeCopy> copiesOf(String volume) {
        return copies.values().stream().filter(c -> c.getSource().equals(volume) || c.getTarget().equals(volume)).toList();
    }

    @Override
    public void stopCopy(String target) {
        calls.add("stopCopy " + target);
        copies.computeIfPresent(target, (t, c) -> c.toBuilder().setState(CopyState.COPY_STOPPED).build());
    }

    @Override
    public void removeCopy(String target) throws AgentException {
        calls.add("removeCopy " + target);
        if (copies.remove(target) == null) {
            throw notFound("copy onto " + target);
        }
    }

    final Map<String, FlashCopyGroup> groups = new ConcurrentHashMap<>();

    @Override
    public void createGroup(String name) {
        calls.add("createGroup " + name);
        groups.put(name, FlashCopyGroup.newBuilder().setName(name).setState(GroupState.GROUP_DEFINED).build());
    }

    @Override
    public void addPair(String group, String source, String target) {
        calls.add("addPair " + group + " " + source + " -> " + target);
        groups.computeIfPresent(group, (n, g) -> g.toBuilder().addPairs(GroupPair.newBuilder().setSource(source)
                .setTarget(target).setState(PairState.PAIR_DEFINED)).build());
    }

    @Override
    public FlashCopyGroup flashGroup(String name) throws AgentException {
        calls.add("flashGroup " + name);
        FlashCopyGroup group = Optional.ofNullable(groups.get(name)).orElseThrow(() -> notFound(name));
        FlashCopyGroup.Builder flashed = group.toBuilder().setState(GroupState.GROUP_TARGET_AVAILABLE).clearPairs();
        for (GroupPair pair : group.getPairsList()) {
            Relationship r = Relationship.newBuilder().setSource(pair.getSource()).setTarget(pair.getTarget())
                    .setGroup(name).build();
            relationships.put(pair.getTarget(), r);
            flashed.addPairs(pair.toBuilder().setState(PairState.PAIR_TARGET_AVAILABLE).setRelationship(r));
        }
        groups.put(name, flashed.build());
        return flashed.build();
    }

    @Override
    public Optional<FlashCopyGroup> findGroup(String name) {
        return Optional.ofNullable(groups.get(name));
    }

    @Override
    public void terminateGroupForced(String name) {
        calls.add("terminateGroupForced " + name);
        groups.computeIfPresent(name, (n, g) -> {
            g.getPairsList().forEach(p -> relationships.remove(p.getTarget()));
            return g.toBuilder().setState(GroupState.GROUP_DEFINED).build();
        });
    }

    @Override
    public void deleteGroup(String name) throws AgentException {
        calls.add("deleteGroup " + name);
        if (groups.remove(name) == null) {
            throw notFound(name);
        }
    }

    public Map<String, Volume> volumes() {
        return volumes;
    }

    public Map<String, Relationship> relationships() {
        return relationships;
    }
}
