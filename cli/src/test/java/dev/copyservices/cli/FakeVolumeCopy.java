package dev.copyservices.cli;

import com.google.protobuf.Timestamp;
import dev.copyservices.api.agent.v1.CopyPriority;
import dev.copyservices.api.agent.v1.CopyRef;
import dev.copyservices.api.agent.v1.CopyState;
import dev.copyservices.api.agent.v1.CreateCopyRequest;
import dev.copyservices.api.agent.v1.ListCopiesRequest;
import dev.copyservices.api.agent.v1.ListCopiesResponse;
import dev.copyservices.api.agent.v1.RecopyRequest;
import dev.copyservices.api.agent.v1.RemoveCopiesRequest;
import dev.copyservices.api.agent.v1.RemoveCopiesResponse;
import dev.copyservices.api.agent.v1.UpdateCopiesRequest;
import dev.copyservices.api.agent.v1.UpdateCopiesResponse;
import dev.copyservices.api.agent.v1.VolumeCopy;
import dev.copyservices.api.agent.v1.VolumeCopyServiceGrpc;
import io.grpc.BindableService;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The VolumeCopy service of {@link FakeAgent}: pairs by target, with the state rules of the contract's
 * comments (which state stop, recopy, remove and a read-only change accept), so that csctl's handling of
 * the agent's refusals can be checked. Copies never progress by themselves; a test sets how far one got
 * with {@link #put}.
 */
final class FakeVolumeCopy {
    static final long GIB = 1L << 30;
    static final Timestamp CREATED = Timestamp.newBuilder().setSeconds(1_700_000_000L).build();
    static final Timestamp STARTED = Timestamp.newBuilder().setSeconds(1_700_000_060L).build();
    static final Timestamp COMPLETED = Timestamp.newBuilder().setSeconds(1_700_003_600L).build();
    static final Timestamp RECOPIED = Timestamp.newBuilder().setSeconds(1_800_000_000L).build();

    private static final Set<CopyState> STOPPABLE = Set.of(CopyState.COPY_PENDING, CopyState.COPY_IN_PROGRESS,
            CopyState.COPY_FAILED);
    private static final Set<CopyState> RECOPYABLE = Set.of(CopyState.COPY_COMPLETED, CopyState.COPY_STOPPED,
            CopyState.COPY_FAILED);
    private static final Set<CopyState> FINISHED = Set.of(CopyState.COPY_COMPLETED, CopyState.COPY_STOPPED);

    final Map<String, VolumeCopy> pairs = new LinkedHashMap<>();
    /** What CreateCopy and Recopy say once, on the pair they answer with. */
    final List<String> warnings = new ArrayList<>();
    /** How many pairs copy at once (Limits.max_copies_in_progress); a new pair beyond them waits as Pending. */
    int slots = 2;
    private final FakeAgent agent;

    FakeVolumeCopy(FakeAgent agent) {
        this.agent = agent;
    }

    /**
     * A pair of 1 GiB volumes in {@code state}, {@code percent} copied, priority Medium, the target read-only,
     * with the timestamps and fields the contract sets in that state.
     */
    VolumeCopy put(String source, String target, CopyState state, double percent) {
        long copied = (long) (GIB * percent / 100);
        VolumeCopy.Builder c = VolumeCopy.newBuilder()
                .setId("vc-" + target).setSource(source).setTarget(target)
                .setSourceId("id-" + source).setTargetId("id-" + target)
                .setState(state).setPriority(CopyPriority.COPY_PRIORITY_MEDIUM).setTargetReadOnly(true)
                .setCreated(CREATED).setBytesTotal(GIB).setBytesCopied(copied).setCopiedPercent(percent);
        switch (state) {
            case COPY_PENDING -> c.setBytesCopied(0).setCopiedPercent(0).setQueuePosition(
                    (int) pairs.values().stream().filter(p -> p.getState() == CopyState.COPY_PENDING).count() + 1);
            case COPY_IN_PROGRESS -> c.setStarted(STARTED);
            case COPY_COMPLETED -> c.setStarted(STARTED).setCompleted(COMPLETED);
            case COPY_FAILED -> c.setStarted(STARTED).setFailure("read of \"" + source + "\" failed at byte "
                    + copied + ": EIO");
            default -> c.setStarted(STARTED);
        }
        VolumeCopy built = c.build();
        pairs.put(target, built);
        return built;
    }

    BindableService service() {
        return new Service();
    }

    private VolumeCopy pair(String target) {
        VolumeCopy c = pairs.get(target);
        if (c == null) {
            throw FakeAgent.error(Code.NOT_FOUND, "COPY_NOT_FOUND", "\"" + target + "\" is not the target of a"
                    + " VolumeCopy pair", "list the pairs with 'csctl volumecopy list'");
        }
        return c;
    }

    private static StatusRuntimeException wrongState(VolumeCopy c, String what, String correction) {
        return FakeAgent.error(Code.FAILED_PRECONDITION, "COPY_STATE", "the VolumeCopy onto \"" + c.getTarget()
                + "\" is " + VolumeCopyOutput.state(c.getState()) + ": " + what, correction);
    }

    private VolumeCopy store(VolumeCopy c) {
        pairs.put(c.getTarget(), c);
        return c;
    }

    private CopyState startState() {
        long running = pairs.values().stream().filter(p -> p.getState() == CopyState.COPY_IN_PROGRESS).count();
        return running < slots ? CopyState.COPY_IN_PROGRESS : CopyState.COPY_PENDING;
    }

    private final class Service extends VolumeCopyServiceGrpc.VolumeCopyServiceImplBase {
        @Override
        public void createCopy(CreateCopyRequest request, StreamObserver<VolumeCopy> observer) {
            agent.answer(request, observer, q -> {
                agent.existing(q.getSource());
                agent.existing(q.getTarget());
                VolumeCopy old = pairs.get(q.getTarget());
                if (old != null) {
                    if (old.getSource().equals(q.getSource())) {
                        return old;
                    }
                    throw FakeAgent.error(Code.FAILED_PRECONDITION, "VOLUME_IN_COPY", "\"" + q.getTarget()
                            + "\" is already the target of a VolumeCopy of \"" + old.getSource() + "\"",
                            "remove that pair first ('csctl volumecopy remove " + q.getTarget() + "')");
                }
                VolumeCopy c = put(q.getSource(), q.getTarget(), startState(), 0);
                CopyPriority priority = q.getPriority() == CopyPriority.COPY_PRIORITY_UNSPECIFIED
                        ? CopyPriority.COPY_PRIORITY_MEDIUM : q.getPriority();
                store(c.toBuilder().setPriority(priority).build());
                return pairs.get(c.getTarget()).toBuilder().addAllWarnings(warnings).build();
            });
        }

        @Override
        public void getCopy(CopyRef request, StreamObserver<VolumeCopy> observer) {
            agent.answer(request, observer, q -> pair(q.getTarget()));
        }

        @Override
        public void listCopies(ListCopiesRequest request, StreamObserver<ListCopiesResponse> observer) {
            agent.answer(request, observer, q -> ListCopiesResponse.newBuilder()
                    .addAllCopies(pairs.values().stream()
                            .filter(c -> q.getVolume().isEmpty() || c.getSource().equals(q.getVolume())
                                    || c.getTarget().equals(q.getVolume()))
                            .toList())
                    .build());
        }

        @Override
        public void stopCopy(CopyRef request, StreamObserver<VolumeCopy> observer) {
            agent.answer(request, observer, q -> {
                VolumeCopy c = pair(q.getTarget());
                if (!STOPPABLE.contains(c.getState())) {
                    throw wrongState(c, "only a Pending, InProgress or Failed copy can be stopped",
                            "nothing to stop; remove the pair with 'csctl volumecopy remove " + c.getTarget() + "'");
                }
                return store(c.toBuilder().setState(CopyState.COPY_STOPPED).clearEstimatedTimeLeft()
                        .clearQueuePosition().build());
            });
        }

        @Override
        public void recopy(RecopyRequest request, StreamObserver<VolumeCopy> observer) {
            agent.answer(request, observer, q -> {
                VolumeCopy c = pair(q.getTarget());
                if (!RECOPYABLE.contains(c.getState())) {
                    throw wrongState(c, "only a Completed, Stopped or Failed copy can be copied again",
                            "stop it first ('csctl volumecopy stop " + c.getTarget() + "')");
                }
                VolumeCopy.Builder b = c.toBuilder().setState(startState()).setStarted(RECOPIED).clearCompleted()
                        .setBytesCopied(0).setCopiedPercent(0).setFailure("").setTargetReadOnly(true);
                if (q.getPriority() != CopyPriority.COPY_PRIORITY_UNSPECIFIED) {
                    b.setPriority(q.getPriority());
                }
                return store(b.build()).toBuilder().addAllWarnings(warnings).build();
            });
        }

        @Override
        public void removeCopies(RemoveCopiesRequest request, StreamObserver<RemoveCopiesResponse> observer) {
            agent.answer(request, observer, q -> {
                // all or none: every pair is checked before any goes
                List<VolumeCopy> removed = new ArrayList<>();
                for (String target : q.getTargetsList()) {
                    VolumeCopy c = pair(target);
                    if (c.getState() == CopyState.COPY_PENDING || c.getState() == CopyState.COPY_IN_PROGRESS) {
                        throw wrongState(c, "a copy that waits or runs cannot be removed",
                                "stop it first ('csctl volumecopy stop " + c.getTarget() + "')");
                    }
                    removed.add(c);
                }
                removed.forEach(c -> pairs.remove(c.getTarget()));
                return RemoveCopiesResponse.newBuilder().addAllRemoved(removed).build();
            });
        }

        @Override
        public void updateCopies(UpdateCopiesRequest request, StreamObserver<UpdateCopiesResponse> observer) {
            agent.answer(request, observer, q -> {
                List<VolumeCopy> updated = new ArrayList<>();
                for (String target : q.getTargetsList()) {
                    VolumeCopy c = pair(target);
                    if (q.hasTargetReadOnly() && !FINISHED.contains(c.getState())) {
                        throw wrongState(c, "the target's read-only setting changes only once the copy is"
                                + " Completed or Stopped", "wait for the copy to complete, or stop it");
                    }
                    VolumeCopy.Builder b = c.toBuilder();
                    if (q.getPriority() != CopyPriority.COPY_PRIORITY_UNSPECIFIED) {
                        b.setPriority(q.getPriority());
                    }
                    if (q.hasTargetReadOnly()) {
                        b.setTargetReadOnly(q.getTargetReadOnly());
                    }
                    updated.add(b.build());
                }
                updated.forEach(FakeVolumeCopy.this::store);
                return UpdateCopiesResponse.newBuilder().addAllCopies(updated).build();
            });
        }
    }
}
