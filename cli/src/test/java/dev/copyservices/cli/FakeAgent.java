package dev.copyservices.cli;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import dev.copyservices.api.agent.v1.Array;
import dev.copyservices.api.agent.v1.ArrayServiceGrpc;
import dev.copyservices.api.agent.v1.CreateVolumeRequest;
import dev.copyservices.api.agent.v1.DeleteVolumeRequest;
import dev.copyservices.api.agent.v1.DeleteVolumeResponse;
import dev.copyservices.api.agent.v1.ErrorDetail;
import dev.copyservices.api.agent.v1.Event;
import dev.copyservices.api.agent.v1.EventServiceGrpc;
import dev.copyservices.api.agent.v1.GetArrayRequest;
import dev.copyservices.api.agent.v1.GetVolumeRequest;
import dev.copyservices.api.agent.v1.ListVolumesRequest;
import dev.copyservices.api.agent.v1.ListVolumesResponse;
import dev.copyservices.api.agent.v1.ResizeVolumeRequest;
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
import java.io.IOException;
import java.io.PrintWriter;
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
 * A stand-in agent in the test JVM: an in-process gRPC server with a map of volumes, which records the
 * requests it got. Enough behaviour to check what csctl sends and how it prints what comes back; the
 * real rules are the agent's and are exercised by CsctlIT.
 */
final class FakeAgent implements AutoCloseable {

    record Result(int exit, String out, String err) {
    }

    /** A csctl invocation running on a thread of its own, e.g. one that follows a stream. */
    record Running(CompletableFuture<Integer> exit, StringWriter out, StringWriter err) {
    }

    final String serverName = InProcessServerBuilder.generateName();
    final Map<String, Volume> volumes = new LinkedHashMap<>();
    final List<Message> requests = new ArrayList<>();
    final Map<String, String> env = new HashMap<>();
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

    private final Server server;

    FakeAgent() {
        try {
            server = InProcessServerBuilder.forName(serverName).directExecutor()
                    .addService(new Arrays())
                    .addService(new Volumes())
                    .addService(new Events())
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
        int exit = Main.run(args, new PrintWriter(out), new PrintWriter(err), env, address -> {
            connectedTo = address;
            return InProcessChannelBuilder.forName(name).directExecutor().build();
        });
        return new Result(exit, out.toString(), err.toString());
    }

    /** Runs csctl against this fake on another thread; for commands that do not end by themselves. */
    Running start(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        Thread.ofPlatform().name("csctl").daemon().start(() -> {
            try {
                exit.complete(Main.run(args, new PrintWriter(out), new PrintWriter(err), env,
                        address -> InProcessChannelBuilder.forName(serverName).directExecutor().build()));
            } catch (Throwable t) {
                exit.completeExceptionally(t);
            }
        });
        return new Running(exit, out, err);
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

    static StatusRuntimeException error(io.grpc.Status.Code code, String reason, String message, String correction) {
        return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
                .setCode(code.value())
                .setMessage(message)
                .addDetails(Any.pack(ErrorDetail.newBuilder()
                        .setReason(reason).setMessage(message).setCorrection(correction).build()))
                .build());
    }

    private <Q extends Message, R> void answer(Q request, StreamObserver<R> observer, Function<Q, R> handler) {
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

    private Volume existing(String name) {
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
        public void deleteVolume(DeleteVolumeRequest request, StreamObserver<DeleteVolumeResponse> observer) {
            answer(request, observer, r -> {
                existing(r.getName());
                volumes.remove(r.getName());
                return DeleteVolumeResponse.getDefaultInstance();
            });
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
