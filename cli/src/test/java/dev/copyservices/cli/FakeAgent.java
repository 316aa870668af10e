package dev.copyservices.cli;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import dev.copyservices.api.agent.v1.Array;
import dev.copyservices.api.agent.v1.ArrayServiceGrpc;
import dev.copyservices.api.agent.v1.CreateFlashCopyRequest;
import dev.copyservices.api.agent.v1.CreateVolumeRequest;
import dev.copyservices.api.agent.v1.DeleteFlashCopyRequest;
import dev.copyservices.api.agent.v1.DeleteFlashCopyResponse;
import dev.copyservices.api.agent.v1.DeleteVolumeRequest;
import dev.copyservices.api.agent.v1.DeleteVolumeResponse;
import dev.copyservices.api.agent.v1.ErrorDetail;
import dev.copyservices.api.agent.v1.FlashCopy;
import dev.copyservices.api.agent.v1.FlashCopyRef;
import dev.copyservices.api.agent.v1.FlashCopyServiceGrpc;
import dev.copyservices.api.agent.v1.FlashCopyState;
import dev.copyservices.api.agent.v1.FullPolicy;
import dev.copyservices.api.agent.v1.Event;
import dev.copyservices.api.agent.v1.EventServiceGrpc;
import dev.copyservices.api.agent.v1.GetArrayRequest;
import dev.copyservices.api.agent.v1.GetVolumeRequest;
import dev.copyservices.api.agent.v1.GrowRepositoryRequest;
import dev.copyservices.api.agent.v1.ListFlashCopiesRequest;
import dev.copyservices.api.agent.v1.ListFlashCopiesResponse;
import dev.copyservices.api.agent.v1.ListVolumesRequest;
import dev.copyservices.api.agent.v1.ListVolumesResponse;
import dev.copyservices.api.agent.v1.Repository;
import dev.copyservices.api.agent.v1.ResizeVolumeRequest;
import dev.copyservices.api.agent.v1.UpdateFlashCopyRequest;
import dev.copyservices.api.agent.v1.UpdateVolumeRequest;
import dev.copyservices.api.agent.v1.Volume;
import dev.copyservices.api.agent.v1.VolumeServiceGrpc;
import dev.copyservices.api.agent.v1.WatchEventsRequest;
import io.grpc.Server;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A stand-in agent in the test JVM: an in-process gRPC server with maps of volumes, FlashCopies, (in
 * FakeCopyMode) Copy-mode relationships and groups, (in FakeVolumeCopy) VolumeCopy pairs and (in FakeMirror)
 * remote mirrors, which records the requests it got. Enough behaviour to check what csctl sends and how it
 * prints what comes back; the real rules are the agent's and are exercised by CsctlIT.
 */
final class FakeAgent implements AutoCloseable {

    record Result(int exit, String out, String err) {
    }

    /** A csctl invocation running on a thread of its own, e.g. one that follows a stream. */
    record Running(CompletableFuture<Integer> exit, StringWriter out, StringWriter err) {
    }

    final String serverName = InProcessServerBuilder.generateName();
    final Map<String, Volume> volumes = new LinkedHashMap<>();
    final Map<String, FlashCopy> flashCopies = new LinkedHashMap<>();
    final List<Message> requests = new ArrayList<>();
    /** csctl's environment; plaintext (the in-process fake has no TLS) unless a test takes it out. */
    final Map<String, String> env = new HashMap<>(Map.of(Csctl.INSECURE_DEV_ENV, "1"));
    Array array = Array.getDefaultInstance();
    /** When set, every RPC fails with this instead of running. */
    StatusRuntimeException failure;
    /** When true, RPCs never answer (to test deadlines). */
    boolean silent;
    /** The address csctl asked to connect to, last time. */
    AgentAddress connectedTo;
    /** What WatchEvents sends: the ones after the request's sequence. */
    final List<Event> events = new ArrayList<>();
    /** When set, WatchEvents ends with this after sending the events (e.g. the agent going away). */
    StatusRuntimeException eventsEnd;
    /** A following WatchEvents without eventsEnd stays open; its stream lands here for a test to feed. */
    final CompletableFuture<StreamObserver<Event>> follower = new CompletableFuture<>();
    /** What csctl reads on stdin, e.g. the answer to a confirmation; empty is a closed stdin. */
    String input = "";
    /** Whether csctl is told its stdout is a terminal. */
    boolean terminal;
    /** Copy-mode relationships and groups. */
    final FakeCopyMode copyMode = new FakeCopyMode(this);
    /** VolumeCopy pairs. */
    final FakeVolumeCopy volumeCopy = new FakeVolumeCopy(this);
    /** Remote mirrors. */
    final FakeMirror mirror = new FakeMirror(this);

    private final Server server;

    FakeAgent() {
        try {
            server = InProcessServerBuilder.forName(serverName).directExecutor()
                    .addService(new Arrays())
                    .addService(new Volumes())
                    .addService(new FlashCopies())
                    .addService(new Events())
                    .addService(copyMode.relationshipService())
                    .addService(copyMode.groupService())
                    .addService(volumeCopy.service())
                    .addService(mirror.service())
                    .build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs csctl against this fake. */
    Result run(String... args) {
        return runAgainst(serverName, args);
    }

    /** Runs csctl against an in-process server name, which may not exist (an unreachable agent). */
    Result runAgainst(String name, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args, stdin(), new PrintWriter(out), new PrintWriter(err), env, (address, credentials) -> {
            connectedTo = address;
            return InProcessChannelBuilder.forName(name).directExecutor().build();
        }, terminal);
        return new Result(exit, out.toString(), err.toString());
    }

    /** Runs csctl against this fake on another thread; for commands that do not end by themselves. */
    Running start(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        Thread.ofPlatform().name("csctl").daemon().start(() -> {
            try {
                exit.complete(Main.run(args, stdin(), new PrintWriter(out), new PrintWriter(err), env,
                        (address, credentials) -> InProcessChannelBuilder.forName(serverName).directExecutor()
                                .build(), terminal));
            } catch (Throwable t) {
                exit.completeExceptionally(t);
            }
        });
        return new Running(exit, out, err);
    }

    private BufferedReader stdin() {
        return new BufferedReader(new StringReader(input));
    }

    @SuppressWarnings("unchecked")
    <T extends Message> T last(Class<T> type) {
        for (int i = requests.size() - 1; i >= 0; i--) {
            if (type.isInstance(requests.get(i))) {
                return (T) requests.get(i);
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " was sent; requests: " + requests);
    }

    Volume put(String name, long size) {
        Volume v = Volume.newBuilder().setName(name).setId("id-" + name).setSizeBytes(size)
                .setCreated(Timestamp.newBuilder().setSeconds(1_700_000_000L)).build();
        volumes.put(name, v);
        return v;
    }

    /** An Optimal FlashCopy of a 1 GiB base: 200 MiB repository, 25 MiB used, threshold 50%, 30 hours to go. */
    FlashCopy putFlashCopy(String name, String base, String repositoryName) {
        FlashCopy f = FlashCopy.newBuilder().setName(name).setId("id-" + name).setBase(base)
                .setState(FlashCopyState.OPTIMAL)
                .setPointInTime(Timestamp.newBuilder().setSeconds(1_700_000_000L))
                .setCreated(Timestamp.newBuilder().setSeconds(1_699_000_000L))
                .setSizeBytes(1L << 30)
                .setRepository(Repository.newBuilder().setName(repositoryName).setCapacityBytes(200L << 20)
                        .setUsedBytes(25L << 20).setAvailableBytes(175L << 20).setUsedPercent(12.5)
                        .setWarningThresholdPercent(50).setFullPolicy(FullPolicy.FAIL_FLASH_COPY)
                        .setChunkBytes(65536).setOverheadEstimateBytes(196_608 + 536_870)
                        .setLifeEstimate(com.google.protobuf.Duration.newBuilder().setSeconds(30 * 3600)))
                .build();
        flashCopies.put(name, f);
        return f;
    }

    static StatusRuntimeException error(io.grpc.Status.Code code, String reason, String message, String correction) {
        return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
                .setCode(code.value())
                .setMessage(message)
                .addDetails(Any.pack(ErrorDetail.newBuilder()
                        .setReason(reason).setMessage(message).setCorrection(correction).build()))
                .build());
    }

    /** Records the request, then answers with the handler's result or error (or not at all when silent). */
    <Q extends Message, R> void answer(Q request, StreamObserver<R> observer, Function<Q, R> handler) {
        requests.add(request);
        if (silent) {
            return;
        }
        try {
            if (failure != null) {
                throw failure;
            }
            observer.onNext(handler.apply(request));
            observer.onCompleted();
        } catch (StatusRuntimeException e) {
            observer.onError(e);
        }
    }

    Volume existing(String name) {
        Volume v = volumes.get(name);
        if (v == null) {
            throw error(io.grpc.Status.Code.NOT_FOUND, "VOLUME_NOT_FOUND", "volume \"" + name + "\" does not exist",
                    "list the volumes with 'csctl volume list'");
        }
        return v;
    }

    private final class Arrays extends ArrayServiceGrpc.ArrayServiceImplBase {
        @Override
        public void getArray(GetArrayRequest request, StreamObserver<Array> observer) {
            answer(request, observer, r -> array);
        }
    }

    private final class Volumes extends VolumeServiceGrpc.VolumeServiceImplBase {
        @Override
        public void createVolume(CreateVolumeRequest request, StreamObserver<Volume> observer) {
            answer(request, observer, r -> {
                Volume old = volumes.get(r.getName());
                if (old != null && old.getSizeBytes() != r.getSizeBytes()) {
                    throw error(io.grpc.Status.Code.ALREADY_EXISTS, "VOLUME_EXISTS", "volume \"" + r.getName()
                            + "\" already exists with another size", "choose another name");
                }
                Volume v = put(r.getName(), r.getSizeBytes()).toBuilder()
                        .setReadOnly(r.getReadOnly()).putAllAttributes(r.getAttributesMap()).build();
                volumes.put(v.getName(), v);
                return v;
            });
        }

        @Override
        public void getVolume(GetVolumeRequest request, StreamObserver<Volume> observer) {
            answer(request, observer, r -> existing(r.getName()));
        }

        @Override
        public void listVolumes(ListVolumesRequest request, StreamObserver<ListVolumesResponse> observer) {
            answer(request, observer, r -> ListVolumesResponse.newBuilder()
                    .addAllVolumes(volumes.values().stream()
                            .filter(v -> v.getAttributesMap().entrySet().containsAll(r.getAttributeSelectorMap().entrySet()))
                            .toList())
                    .build());
        }

        @Override
        public void resizeVolume(ResizeVolumeRequest request, StreamObserver<Volume> observer) {
            answer(request, observer, r -> {
                Volume v = existing(r.getName()).toBuilder().setSizeBytes(r.getSizeBytes()).build();
                volumes.put(v.getName(), v);
                return v;
            });
        }

        @Override
        public void updateVolume(UpdateVolumeRequest request, StreamObserver<Volume> observer) {
            answer(request, observer, r -> {
                Volume.Builder v = existing(r.getName()).toBuilder().putAllAttributes(r.getSetAttributesMap());
                r.getRemoveAttributesList().forEach(v::removeAttributes);
                if (r.hasReadOnly()) {
                    v.setReadOnly(r.getReadOnly());
                }
                volumes.put(r.getName(), v.build());
                return v.build();
            });
        }

        @Override
        public void attachVolume(dev.copyservices.api.agent.v1.AttachVolumeRequest request,
                StreamObserver<Volume> observer) {
            answer(request, observer, r -> {
                Volume.Builder v = existing(r.getName()).toBuilder();
                List<dev.copyservices.api.agent.v1.Attachment> others = v.getAttachmentsList().stream()
                        .filter(a -> !a.getHost().equals(r.getHost())).toList();
                v.clearAttachments().addAllAttachments(others).addAttachments(dev.copyservices.api.agent.v1.Attachment
                        .newBuilder().setHost(r.getHost()).addAllAddresses(r.getAddressesList()));
                volumes.put(r.getName(), v.build());
                return v.build();
            });
        }

        @Override
        public void detachVolume(dev.copyservices.api.agent.v1.DetachVolumeRequest request,
                StreamObserver<Volume> observer) {
            answer(request, observer, r -> {
                Volume.Builder v = existing(r.getName()).toBuilder();
                List<dev.copyservices.api.agent.v1.Attachment> others = v.getAttachmentsList().stream()
                        .filter(a -> !a.getHost().equals(r.getHost())).toList();
                v.clearAttachments().addAllAttachments(others);
                volumes.put(r.getName(), v.build());
                return v.build();
            });
        }

        @Override
        public void deleteVolume(DeleteVolumeRequest request, StreamObserver<DeleteVolumeResponse> observer) {
            answer(request, observer, r -> {
                existing(r.getName());
                volumes.remove(r.getName());
                return DeleteVolumeResponse.getDefaultInstance();
            });
        }
    }

    /** Create, repository defaults and delete refusals roughly as the agent's engine does them. */
    private final class FlashCopies extends FlashCopyServiceGrpc.FlashCopyServiceImplBase {
        @Override
        public void createFlashCopy(CreateFlashCopyRequest request, StreamObserver<FlashCopy> observer) {
            answer(request, observer, r -> {
                existing(r.getBase());
                String name = r.getName().isEmpty() ? r.getBase() + "-1" : r.getName();
                String repository = r.getRepositoryName().isEmpty() ? r.getBase() + "-R1" : r.getRepositoryName();
                Repository.Builder repo = putFlashCopy(name, r.getBase(), repository).getRepository().toBuilder();
                if (r.hasRepositoryCapacityBytes()) {
                    repo.setCapacityBytes(r.getRepositoryCapacityBytes());
                }
                if (r.hasWarningThresholdPercent()) {
                    repo.setWarningThresholdPercent(r.getWarningThresholdPercent());
                }
                if (r.getFullPolicy() != FullPolicy.FULL_POLICY_UNSPECIFIED) {
                    repo.setFullPolicy(r.getFullPolicy());
                }
                return store(flashCopies.get(name).toBuilder().setRepository(repo).build());
            });
        }

        @Override
        public void getFlashCopy(FlashCopyRef request, StreamObserver<FlashCopy> observer) {
            answer(request, observer, r -> flashCopy(r.getName()));
        }

        @Override
        public void listFlashCopies(ListFlashCopiesRequest request, StreamObserver<ListFlashCopiesResponse> observer) {
            answer(request, observer, r -> ListFlashCopiesResponse.newBuilder()
                    .addAllFlashCopies(flashCopies.values().stream()
                            .filter(f -> r.getBase().isEmpty() || f.getBase().equals(r.getBase()))
                            .toList())
                    .build());
        }

        @Override
        public void disableFlashCopy(FlashCopyRef request, StreamObserver<FlashCopy> observer) {
            answer(request, observer, r -> store(flashCopy(r.getName()).toBuilder().setState(FlashCopyState.DISABLED)
                    .build()));
        }

        @Override
        public void recreateFlashCopy(FlashCopyRef request, StreamObserver<FlashCopy> observer) {
            answer(request, observer, r -> {
                FlashCopy.Builder f = flashCopy(r.getName()).toBuilder().setState(FlashCopyState.OPTIMAL).setFailure("")
                        .setPointInTime(Timestamp.newBuilder().setSeconds(1_800_000_000L));
                f.getRepositoryBuilder().setUsedBytes(0).setUsedPercent(0).clearLifeEstimate()
                        .setAvailableBytes(f.getRepository().getCapacityBytes());
                return store(f.build());
            });
        }

        @Override
        public void deleteFlashCopy(DeleteFlashCopyRequest request, StreamObserver<DeleteFlashCopyResponse> observer) {
            answer(request, observer, r -> {
                FlashCopy f = flashCopy(r.getName());
                if (f.getNbdConnections() > 0 && !r.getForce()) {
                    throw error(io.grpc.Status.Code.FAILED_PRECONDITION, "VOLUME_IN_USE", "FlashCopy \"" + f.getName()
                            + "\" has " + f.getNbdConnections() + " NBD connections",
                            "disconnect the clients, or delete with --force to close their connections");
                }
                flashCopies.remove(f.getName());
                return DeleteFlashCopyResponse.getDefaultInstance();
            });
        }

        @Override
        public void growRepository(GrowRepositoryRequest request, StreamObserver<FlashCopy> observer) {
            answer(request, observer, r -> {
                FlashCopy.Builder f = flashCopy(r.getName()).toBuilder();
                Repository.Builder repo = f.getRepositoryBuilder();
                repo.setCapacityBytes(repo.getCapacityBytes() + r.getByBytes())
                        .setAvailableBytes(repo.getAvailableBytes() + r.getByBytes());
                return store(f.build());
            });
        }

        @Override
        public void updateFlashCopy(UpdateFlashCopyRequest request, StreamObserver<FlashCopy> observer) {
            answer(request, observer, r -> {
                FlashCopy.Builder f = flashCopy(r.getName()).toBuilder();
                if (r.hasWarningThresholdPercent()) {
                    f.getRepositoryBuilder().setWarningThresholdPercent(r.getWarningThresholdPercent());
                }
                if (r.getFullPolicy() != FullPolicy.FULL_POLICY_UNSPECIFIED) {
                    f.getRepositoryBuilder().setFullPolicy(r.getFullPolicy());
                }
                return store(f.build());
            });
        }

        /** By the FlashCopy's name or its repository's, as the agent looks them up. */
        private FlashCopy flashCopy(String name) {
            return flashCopies.values().stream()
                    .filter(f -> f.getName().equals(name) || f.getRepository().getName().equals(name))
                    .findFirst()
                    .orElseThrow(() -> error(io.grpc.Status.Code.NOT_FOUND, "FLASHCOPY_NOT_FOUND", "FlashCopy \""
                            + name + "\" does not exist", "list the FlashCopies with 'csctl flashcopy list'"));
        }

        private FlashCopy store(FlashCopy f) {
            flashCopies.put(f.getName(), f);
            return f;
        }
    }

    private final class Events extends EventServiceGrpc.EventServiceImplBase {
        @Override
        public void watchEvents(WatchEventsRequest request, StreamObserver<Event> observer) {
            requests.add(request);
            if (failure != null) {
                observer.onError(failure);
                return;
            }
            events.stream()
                    .filter(e -> Long.compareUnsigned(e.getSequence(), request.getAfterSequence()) > 0)
                    .forEach(observer::onNext);
            if (eventsEnd != null) {
                observer.onError(eventsEnd);
            } else if (!request.getFollow()) {
                observer.onCompleted();
            } else {
                follower.complete(observer);
            }
        }
    }

    @Override
    public void close() {
        server.shutdownNow();
    }
}
