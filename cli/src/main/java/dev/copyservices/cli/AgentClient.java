package dev.copyservices.cli;

import dev.copyservices.api.agent.v1.ArrayServiceGrpc;
import dev.copyservices.api.agent.v1.FlashCopyGroupServiceGrpc;
import dev.copyservices.api.agent.v1.FlashCopyRelationshipServiceGrpc;
import dev.copyservices.api.agent.v1.FlashCopyServiceGrpc;
import dev.copyservices.api.agent.v1.EventServiceGrpc;
import dev.copyservices.api.agent.v1.MirrorServiceGrpc;
import dev.copyservices.api.agent.v1.VolumeCopyServiceGrpc;
import dev.copyservices.api.agent.v1.VolumeServiceGrpc;
import dev.copyservices.api.tls.ReloadingTls;
import io.grpc.ChannelCredentials;
import io.grpc.ConnectivityState;
import io.grpc.InsecureChannelCredentials;
import java.io.IOException;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One connection to an agent for the life of one csctl invocation. Every stub it hands out carries a
 * deadline of the configured timeout, so no command can hang on a silent agent.
 */
final class AgentClient implements AutoCloseable {

    /** Opens the channel to an agent; the in-process fake of the unit tests plugs in here. */
    @FunctionalInterface
    interface Connector {
        ManagedChannel open(AgentAddress address, ChannelCredentials credentials);
    }

    /** HTTP/2 over TCP, with mutual TLS or (--insecure-dev) plaintext. */
    static final Connector NETTY = (address, credentials) -> NettyChannelBuilder.forAddress(address.host(),
            address.port(), credentials).build();

    private final AgentAddress address;
    private final Duration timeout;
    private final ManagedChannel channel;

    private final ReloadingTls tls;

    /** {@code tls}: csctl's identity toward the agent, or null for --insecure-dev (plaintext). */
    AgentClient(AgentAddress address, Duration timeout, Connector connector, ReloadingTls tls) throws IOException {
        this.address = address;
        this.timeout = timeout;
        this.tls = tls;
        this.channel = connector.open(address, tls == null ? InsecureChannelCredentials.create()
                : tls.agentChannelCredentials());
    }

    AgentAddress address() {
        return address;
    }

    Duration timeout() {
        return timeout;
    }

    ArrayServiceGrpc.ArrayServiceBlockingStub arrays() {
        return ArrayServiceGrpc.newBlockingStub(channel).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    VolumeServiceGrpc.VolumeServiceBlockingStub volumes() {
        return VolumeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    FlashCopyServiceGrpc.FlashCopyServiceBlockingStub flashCopies() {
        return FlashCopyServiceGrpc.newBlockingStub(channel).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    FlashCopyRelationshipServiceGrpc.FlashCopyRelationshipServiceBlockingStub relationships() {
        return FlashCopyRelationshipServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    FlashCopyGroupServiceGrpc.FlashCopyGroupServiceBlockingStub groups() {
        return FlashCopyGroupServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    VolumeCopyServiceGrpc.VolumeCopyServiceBlockingStub volumeCopies() {
        return VolumeCopyServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    MirrorServiceGrpc.MirrorServiceBlockingStub mirrors() {
        return MirrorServiceGrpc.newBlockingStub(channel).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * The event stream. A stream that follows has no deadline, since it is meant to run until the user
     * stops it; without follow it ends after the retained events, within the timeout like any call.
     */
    EventServiceGrpc.EventServiceBlockingStub events(boolean follow) {
        EventServiceGrpc.EventServiceBlockingStub stub = EventServiceGrpc.newBlockingStub(channel);
        return follow ? stub : stub.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Whether a connection to the agent is up. After a deadline expired this tells "the agent is slow"
     * (connected) from "nothing answers at that address" (never connected).
     */
    boolean connected() {
        return channel.getState(false) == ConnectivityState.READY;
    }

    @Override
    public void close() {
        if (tls != null) {
            tls.close();
        }
        channel.shutdownNow();
        try {
            channel.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
