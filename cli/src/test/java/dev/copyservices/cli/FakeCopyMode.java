package dev.copyservices.cli;

import com.google.protobuf.Timestamp;
import dev.copyservices.api.agent.v1.CopyOptions;
import dev.copyservices.api.agent.v1.CreateGroupRequest;
import dev.copyservices.api.agent.v1.DeleteGroupResponse;
import dev.copyservices.api.agent.v1.EstablishRequest;
import dev.copyservices.api.agent.v1.FlashCopyGroup;
import dev.copyservices.api.agent.v1.FlashCopyGroupServiceGrpc;
import dev.copyservices.api.agent.v1.FlashCopyRelationshipServiceGrpc;
import dev.copyservices.api.agent.v1.GroupPair;
import dev.copyservices.api.agent.v1.GroupPairRequest;
import dev.copyservices.api.agent.v1.GroupRef;
import dev.copyservices.api.agent.v1.GroupState;
import dev.copyservices.api.agent.v1.ListGroupsRequest;
import dev.copyservices.api.agent.v1.ListGroupsResponse;
import dev.copyservices.api.agent.v1.ListRelationshipsRequest;
import dev.copyservices.api.agent.v1.ListRelationshipsResponse;
import dev.copyservices.api.agent.v1.PairState;
import dev.copyservices.api.agent.v1.Relationship;
import dev.copyservices.api.agent.v1.RelationshipRef;
import dev.copyservices.api.agent.v1.RelationshipState;
import dev.copyservices.api.agent.v1.TerminateGroupRequest;
import dev.copyservices.api.agent.v1.Volume;
import dev.copyservices.api.agent.v1.WithdrawRequest;
import dev.copyservices.api.agent.v1.WithdrawResponse;
import io.grpc.BindableService;
import io.grpc.Status.Code;
import io.grpc.stub.StreamObserver;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Copy-mode services of {@link FakeAgent}: relationships by target and groups by name, with the
 * refusals csctl must pass through (incremental without persistent, withdraw of an incomplete copy).
 * Copies never progress by themselves; a test sets how far one got with {@link #putRelationship}.
 */
final class FakeCopyMode {
    static final int REGION_BYTES = 64 * 1024;
    static final Timestamp FIRST_FLASH = Timestamp.newBuilder().setSeconds(1_700_000_000L).build();
    static final Timestamp NEXT_FLASH = Timestamp.newBuilder().setSeconds(1_800_000_000L).build();

    final Map<String, Relationship> relationships = new LinkedHashMap<>();
    final Map<String, FlashCopyGroup> groups = new LinkedHashMap<>();
    private final FakeAgent agent;

    FakeCopyMode(FakeAgent agent) {
        this.agent = agent;
    }

    /** A relationship of 1 GiB volumes (16384 regions) with {@code copied} regions on the target. */
    Relationship putRelationship(String source, String target, CopyOptions options, long copied) {
        long regions = (1L << 30) / REGION_BYTES;
        Relationship r = Relationship.newBuilder()
                .setId("rel-" + target).setSource(source).setTarget(target).setOptions(options)
                .setState(state(options, copied, regions))
                .setPointInTime(FIRST_FLASH).setEstablished(FIRST_FLASH)
                .setRegionBytes(REGION_BYTES).setRegions(regions).setCopiedRegions(copied)
                .setCopiedPercent(100.0 * copied / regions)
                .setChangesTracked(options.getIncremental())
                .setRegionsToCopyAtFlash(regions)
                .setFlashCount(1)
                .build();
        relationships.put(target, r);
        return r;
    }

    private static RelationshipState state(CopyOptions o, long copied, long regions) {
        if (!o.getBackgroundCopy()) {
            return RelationshipState.RELATIONSHIP_NO_BACKGROUND_COPY;
        }
        return copied >= regions ? RelationshipState.RELATIONSHIP_COPIED : RelationshipState.RELATIONSHIP_COPYING;
    }

    BindableService relationshipService() {
        return new Relationships();
    }

    BindableService groupService() {
        return new Groups();
    }

    /** By target, or by a source with exactly one relationship, as the agent looks them up. */
    Relationship relationship(String name) {
        Relationship byTarget = relationships.get(name);
        if (byTarget != null) {
            return byTarget;
        }
        List<Relationship> bySource = relationships.values().stream().filter(r -> r.getSource().equals(name)).toList();
        if (bySource.size() > 1) {
            throw FakeAgent.error(Code.INVALID_ARGUMENT, "RELATIONSHIP_AMBIGUOUS", "\"" + name + "\" is the source of "
                    + bySource.size() + " relationships", "name the relationship by its target");
        }
        if (bySource.isEmpty()) {
            throw FakeAgent.error(Code.NOT_FOUND, "RELATIONSHIP_NOT_FOUND", "no FlashCopy relationship \"" + name
                    + "\"", "list them with 'csctl flashcopy relationships'");
        }
        return bySource.get(0);
    }

    private Relationship establish(String source, String target, CopyOptions options, String group) {
        agent.existing(source);
        agent.existing(target);
        if (options.getIncremental() && !options.getPersistent()) {
            // the engine's own words (CopyOptions.checked), so the pass-through test sees a real correction
            throw FakeAgent.error(Code.INVALID_ARGUMENT, "INVALID_COPY_OPTIONS", "an incremental relationship must be"
                    + " persistent: change recording lives as long as the relationship, and a non-persistent one ends"
                    + " when its copy completes", "add --persistent, or leave out --incremental");
        }
        Relationship old = relationships.get(target);
        if (old != null && !(old.getSource().equals(source) && old.getOptions().equals(options))) {
            throw FakeAgent.error(Code.FAILED_PRECONDITION, "VOLUME_IN_RELATIONSHIP", "\"" + target + "\" is already"
                    + " the target of a relationship", "withdraw it first");
        }
        Relationship r = old != null ? old : putRelationship(source, target, options, 0);
        return store(r.toBuilder().setGroup(group).build());
    }

    private Relationship store(Relationship r) {
        relationships.put(r.getTarget(), r);
        return r;
    }

    private final class Relationships extends FlashCopyRelationshipServiceGrpc.FlashCopyRelationshipServiceImplBase {
        @Override
        public void establish(EstablishRequest request, StreamObserver<Relationship> observer) {
            agent.answer(request, observer, q -> FakeCopyMode.this.establish(q.getSource(), q.getTarget(),
                    q.getOptions(), ""));
        }

        @Override
        public void reflash(RelationshipRef request, StreamObserver<Relationship> observer) {
            agent.answer(request, observer, q -> {
                Relationship r = relationship(q.getName());
                if (!r.getOptions().getPersistent()) {
                    throw FakeAgent.error(Code.FAILED_PRECONDITION, "RELATIONSHIP_STATE", "the relationship is not"
                            + " persistent", "establish it again with --persistent");
                }
                return store(r.toBuilder().setPointInTime(NEXT_FLASH).setFlashCount(r.getFlashCount() + 1)
                        .setRegionsToCopyAtFlash(r.getSourceChangedRegions() + r.getTargetChangedRegions()).build());
            });
        }

        @Override
        public void reverse(RelationshipRef request, StreamObserver<Relationship> observer) {
            agent.answer(request, observer, q -> {
                Relationship r = relationship(q.getName());
                relationships.remove(r.getTarget());
                return store(r.toBuilder().setSource(r.getTarget()).setTarget(r.getSource())
                        .setPointInTime(NEXT_FLASH).setFlashCount(r.getFlashCount() + 1).build());
            });
        }

        @Override
        public void startBackgroundCopy(RelationshipRef request, StreamObserver<Relationship> observer) {
            agent.answer(request, observer, q -> {
                Relationship r = relationship(q.getName());
                CopyOptions options = r.getOptions().toBuilder().setBackgroundCopy(true).build();
                return store(r.toBuilder().setOptions(options)
                        .setState(state(options, r.getCopiedRegions(), r.getRegions())).build());
            });
        }

        @Override
        public void withdraw(WithdrawRequest request, StreamObserver<WithdrawResponse> observer) {
            agent.answer(request, observer, q -> {
                Relationship r = relationship(q.getName());
                long left = r.getRegions() - r.getCopiedRegions();
                if (left > 0 && !q.getForce()) {
                    throw FakeAgent.error(Code.FAILED_PRECONDITION, "BACKGROUND_COPY_INCOMPLETE", left + " regions of"
                            + " \"" + r.getTarget() + "\" are not copied yet", "wait for the background copy, or"
                            + " withdraw with --force to keep an incomplete copy");
                }
                relationships.remove(r.getTarget());
                return WithdrawResponse.newBuilder().setRelationship(r).setTargetComplete(left == 0).build();
            });
        }

        @Override
        public void getRelationship(RelationshipRef request, StreamObserver<Relationship> observer) {
            agent.answer(request, observer, q -> relationship(q.getName()));
        }

        @Override
        public void listRelationships(ListRelationshipsRequest request,
                StreamObserver<ListRelationshipsResponse> observer) {
            agent.answer(request, observer, q -> ListRelationshipsResponse.newBuilder()
                    .addAllRelationships(relationships.values().stream()
                            .filter(r -> q.getVolume().isEmpty() || r.getSource().equals(q.getVolume())
                                    || r.getTarget().equals(q.getVolume()))
                            .filter(r -> q.getGroup().isEmpty() || r.getGroup().equals(q.getGroup()))
                            .toList())
                    .build());
        }
    }

    /** A group as stored, with each pair's relationship as it is now and the totals worked out. */
    private FlashCopyGroup view(FlashCopyGroup stored) {
        FlashCopyGroup.Builder g = stored.toBuilder().clearPairs();
        boolean consistent = true;
        long regions = 0;
        long copied = 0;
        for (GroupPair p : stored.getPairsList()) {
            Relationship r = relationships.get(p.getTarget());
            GroupPair.Builder pair = p.toBuilder().clearRelationship();
            if (p.getState() == PairState.PAIR_TARGET_AVAILABLE && r != null) {
                pair.setRelationship(r);
                consistent &= p.getConsistent();
                regions += r.getRegions();
                copied += r.getCopiedRegions();
            }
            g.addPairs(pair);
        }
        return g.setConsistent(consistent).setCopiedPercent(regions == 0 ? 0 : 100.0 * copied / regions).build();
    }

    private FlashCopyGroup group(String name) {
        FlashCopyGroup g = groups.get(name);
        if (g == null) {
            throw FakeAgent.error(Code.NOT_FOUND, "GROUP_NOT_FOUND", "FlashCopy group \"" + name + "\" does not exist",
                    "list the groups with 'csctl flashcopy-group list'");
        }
        return g;
    }

    private FlashCopyGroup storeGroup(FlashCopyGroup g) {
        groups.put(g.getName(), g);
        return view(g);
    }

    /** Every pair back to Defined with no relationship kept; used by terminate. */
    private static FlashCopyGroup.Builder undefine(FlashCopyGroup g) {
        FlashCopyGroup.Builder b = g.toBuilder().clearPairs().setState(GroupState.GROUP_DEFINED);
        g.getPairsList().forEach(p -> b.addPairs(GroupPair.newBuilder().setSource(p.getSource())
                .setTarget(p.getTarget()).setState(PairState.PAIR_DEFINED)));
        return b;
    }

    private final class Groups extends FlashCopyGroupServiceGrpc.FlashCopyGroupServiceImplBase {
        @Override
        public void createGroup(CreateGroupRequest request, StreamObserver<FlashCopyGroup> observer) {
            agent.answer(request, observer, q -> {
                if (groups.containsKey(q.getName())) {
                    throw FakeAgent.error(Code.ALREADY_EXISTS, "GROUP_EXISTS", "FlashCopy group \"" + q.getName()
                            + "\" already exists", "choose another name");
                }
                return storeGroup(FlashCopyGroup.newBuilder().setName(q.getName()).setOptions(q.getOptions())
                        .setState(GroupState.GROUP_DEFINED).setCreated(FIRST_FLASH).build());
            });
        }

        @Override
        public void addPair(GroupPairRequest request, StreamObserver<FlashCopyGroup> observer) {
            agent.answer(request, observer, q -> storeGroup(group(q.getGroup()).toBuilder()
                    .addPairs(GroupPair.newBuilder().setSource(q.getSource()).setTarget(q.getTarget())
                            .setState(PairState.PAIR_DEFINED))
                    .setState(GroupState.GROUP_DEFINED).build()));
        }

        @Override
        public void removePair(GroupPairRequest request, StreamObserver<FlashCopyGroup> observer) {
            agent.answer(request, observer, q -> {
                FlashCopyGroup g = group(q.getGroup());
                FlashCopyGroup.Builder b = g.toBuilder().clearPairs();
                g.getPairsList().stream()
                        .filter(p -> !(p.getSource().equals(q.getSource()) && p.getTarget().equals(q.getTarget())))
                        .forEach(b::addPairs);
                return storeGroup(b.build());
            });
        }

        @Override
        public void flashGroup(GroupRef request, StreamObserver<FlashCopyGroup> observer) {
            agent.answer(request, observer, q -> {
                FlashCopyGroup g = group(q.getName());
                // checked for every pair first: a group flash changes nothing when any pair cannot be flashed
                g.getPairsList().forEach(p -> {
                    agent.existing(p.getSource());
                    agent.existing(p.getTarget());
                });
                FlashCopyGroup.Builder b = g.toBuilder().clearPairs().setState(GroupState.GROUP_TARGET_AVAILABLE)
                        .setLastFlash(FIRST_FLASH);
                for (GroupPair p : g.getPairsList()) {
                    FakeCopyMode.this.establish(p.getSource(), p.getTarget(), g.getOptions(), g.getName());
                    b.addPairs(p.toBuilder().setState(PairState.PAIR_TARGET_AVAILABLE).setConsistent(true)
                            .setDiscovered(false).setFlashTime(FIRST_FLASH));
                }
                return storeGroup(b.build());
            });
        }

        @Override
        public void startGroupBackgroundCopy(GroupRef request, StreamObserver<FlashCopyGroup> observer) {
            agent.answer(request, observer, q -> view(group(q.getName())));
        }

        @Override
        public void terminateGroup(TerminateGroupRequest request, StreamObserver<FlashCopyGroup> observer) {
            agent.answer(request, observer, q -> {
                FlashCopyGroup g = group(q.getName());
                for (GroupPair p : g.getPairsList()) {
                    Relationship r = relationships.remove(p.getTarget());
                    Volume target = agent.volumes.get(p.getTarget());
                    // as the agent does: a forced end before the copy completed leaves a note on the target
                    if (r != null && q.getForce() && r.getCopiedRegions() < r.getRegions() && target != null) {
                        agent.volumes.put(target.getName(), target.toBuilder().setIncompleteCopy("a forced withdraw"
                                + " left " + (r.getRegions() - r.getCopiedRegions()) + " regions uncopied").build());
                    }
                }
                return storeGroup(undefine(g).build());
            });
        }

        @Override
        public void discoverGroup(GroupRef request, StreamObserver<FlashCopyGroup> observer) {
            agent.answer(request, observer, q -> {
                FlashCopyGroup g = group(q.getName());
                FlashCopyGroup.Builder b = g.toBuilder().clearPairs();
                boolean all = true;
                for (GroupPair p : g.getPairsList()) {
                    Relationship r = relationships.get(p.getTarget());
                    boolean adopt = p.getState() == PairState.PAIR_DEFINED && r != null
                            && r.getSource().equals(p.getSource());
                    if (adopt) {
                        store(r.toBuilder().setGroup(g.getName()).build());
                        b.addPairs(p.toBuilder().setState(PairState.PAIR_TARGET_AVAILABLE).setDiscovered(true)
                                .setConsistent(false).clearFlashTime());
                    } else {
                        all &= p.getState() == PairState.PAIR_TARGET_AVAILABLE;
                        b.addPairs(p);
                    }
                }
                return storeGroup(b.setState(all ? GroupState.GROUP_TARGET_AVAILABLE : GroupState.GROUP_DEFINED)
                        .build());
            });
        }

        @Override
        public void getGroup(GroupRef request, StreamObserver<FlashCopyGroup> observer) {
            agent.answer(request, observer, q -> view(group(q.getName())));
        }

        @Override
        public void listGroups(ListGroupsRequest request, StreamObserver<ListGroupsResponse> observer) {
            agent.answer(request, observer, q -> ListGroupsResponse.newBuilder()
                    .addAllGroups(groups.values().stream().map(FakeCopyMode.this::view).toList())
                    .build());
        }

        @Override
        public void deleteGroup(GroupRef request, StreamObserver<DeleteGroupResponse> observer) {
            agent.answer(request, observer, q -> {
                FlashCopyGroup g = group(q.getName());
                if (g.getState() != GroupState.GROUP_DEFINED) {
                    throw FakeAgent.error(Code.FAILED_PRECONDITION, "GROUP_STATE", "FlashCopy group \"" + g.getName()
                            + "\" has relationships", "terminate the group first");
                }
                groups.remove(g.getName());
                return DeleteGroupResponse.getDefaultInstance();
            });
        }
    }
}
