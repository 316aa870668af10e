package dev.copyservices.agent.mirror;

import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;
import dev.copyservices.api.agent.v1.ErrorDetail;
import dev.copyservices.api.agent.v1.ReplicationServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import dev.copyservices.api.tls.ReloadingTls;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.StatusProto;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The connection to one peer agent's replication listener (mutual TLS): control calls with deadlines,
 * and the ordered record stream while this agent holds primaries mirrored there. Reachability is what
 * the last call said; the engine's heartbeat keeps it fresh.
 */
final class PeerLink implements AutoCloseable {
    /** Deadline of control calls: long enough for a loaded peer, short enough to notice a dead one. */
    static final long CALL_SECONDS = 5;

    private final String endpoint;
    private final ManagedChannel channel;
    private volatile boolean reachable;
    private volatile String unreachableWhy = "not contacted yet";
    /** One ordered stream per ordering domain: a consistency group, or a mirror of its own. */
    private final java.util.Map<String, ReplicationStream> streams = new java.util.HashMap<>();

    PeerLink(String endpoint, ReloadingTls tls) throws IOException {
        this.endpoint = endpoint;
        this.channel = NettyChannelBuilder.forTarget(endpoint, tls.agentChannelCredentials())
                .maxInboundMessageSize(16 << 20).flowControlWindow(16 << 20).build();
    }

    io.grpc.Channel channel() {
        return channel;
    }

    /** True while the channel holds a live connection (a slow answer then is a busy peer, not a lost one). */
    boolean connected() {
        return channel.getState(false) == io.grpc.ConnectivityState.READY;
    }

    String endpoint() {
        return endpoint;
    }

    /** Ends a reconnect back-off, so that the next call tries a connection at once. */
    void reconnectNow() {
        channel.resetConnectBackoff();
    }

    boolean reachable() {
        return reachable;
    }

    String unreachableWhy() {
        return unreachableWhy;
    }

    /** A stub for one control call. */
    ReplicationServiceGrpc.ReplicationServiceBlockingStub call() {
        // wait-for-ready: a link that just came back may still be in reconnect back-off, and a call
        // should try the fresh connection within its deadline rather than fail with the stale error
        return ReplicationServiceGrpc.newBlockingStub(channel).withWaitForReady()
                .withDeadlineAfter(CALL_SECONDS, TimeUnit.SECONDS);
    }

    /** A stub for a call that may take long (a planned role change drains every changed region first). */
    ReplicationServiceGrpc.ReplicationServiceBlockingStub longCall(long seconds) {
        return ReplicationServiceGrpc.newBlockingStub(channel).withWaitForReady()
                .withDeadlineAfter(seconds, TimeUnit.SECONDS);
    }

    void succeeded() {
        reachable = true;
    }

    /** The last heartbeat exchange's round trip, in nanoseconds; -1 before the first. */
    private volatile long roundTripNanos = -1;

    void roundTrip(long nanos) {
        roundTripNanos = nanos;
    }

    long roundTripNanos() {
        return roundTripNanos;
    }

    /** A call failed: the peer counts as unreachable and a waiting reconnect is tried at once next time. */
    void failed(StatusRuntimeException e) {
        reachable = false;
        unreachableWhy = describe(e);
        channel.resetConnectBackoff();
    }

    /**
     * The open stream of an ordering domain, or a new one; null when the peer is unreachable. Separate
     * domains do not wait for each other: a synchronous mirror's writes never queue behind another
     * mirror's asynchronous backlog, while a consistency group keeps one order.
     */
    synchronized ReplicationStream stream(String key, Consumer<String> onBroken) {
        ReplicationStream stream = streams.get(key);
        if (stream != null && !stream.broken()) {
            return stream;
        }
        if (!reachable) {
            return null;
        }
        // outside any caller's gRPC context: the stream outlives the control call that may have opened it
        io.grpc.Context previous = io.grpc.Context.ROOT.attach();
        try {
            stream = ReplicationStream.open(ReplicationServiceGrpc.newStub(channel), onBroken);
        } finally {
            io.grpc.Context.ROOT.detach(previous);
        }
        streams.put(key, stream);
        return stream;
    }

    /** Breaks every stream to the peer: their unacknowledged records fail and are copied later. */
    void breakStream(String why) {
        java.util.List<ReplicationStream> all;
        synchronized (this) {
            all = new java.util.ArrayList<>(streams.values());
            streams.clear();
        }
        all.forEach(s -> s.cancel(why));
    }

    /**
     * An engine error for a failed call: the peer's own refusal (its reason and hint, said to be the
     * peer's), or PEER_UNREACHABLE when the call did not get through.
     */
    EngineException error(StatusRuntimeException e, String peerName, String what) {
        com.google.rpc.Status status = StatusProto.fromThrowable(e);
        if (status != null) {
            for (com.google.protobuf.Any detail : status.getDetailsList()) {
                if (detail.is(ErrorDetail.class)) {
                    try {
                        ErrorDetail d = detail.unpack(ErrorDetail.class);
                        Reason reason = reasonOf(d.getReason());
                        return new EngineException(reason, "peer array '" + peerName + "' refused to " + what + ": "
                                + d.getMessage(), d.getCorrection());
                    } catch (com.google.protobuf.InvalidProtocolBufferException ignored) {
                        break;
                    }
                }
            }
        }
        failed(e);
        return new EngineException(Reason.PEER_UNREACHABLE, "cannot " + what + ": the peer agent at " + endpoint
                + " cannot be reached (" + describe(e) + ")", "check that the peer agent runs with --replication-listen"
                        + " on that address, that the network and firewall let it through, and that both agents'"
                        + " certificates come from the same --tls-ca");
    }

    private static Reason reasonOf(String name) {
        try {
            return Reason.valueOf(name);
        } catch (IllegalArgumentException e) {
            return Reason.PEER_REFUSED;
        }
    }

    static String describe(StatusRuntimeException e) {
        String description = e.getStatus().getDescription();
        Throwable cause = e.getCause();
        String text = e.getStatus().getCode() + (description != null ? ": " + description : "");
        if (cause != null && cause.getMessage() != null && (description == null
                || !description.contains(cause.getMessage()))) {
            text += " (" + cause.getMessage() + ")";
        }
        return text;
    }

    @Override
    public void close() {
        breakStream("the agent is stopping");
        channel.shutdownNow();
        try {
            channel.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
