package dev.copyservices.agent.mirror;

import com.google.protobuf.ByteString;
import dev.copyservices.api.agent.v1.ReplicationAck;
import dev.copyservices.api.agent.v1.ReplicationRecord;
import dev.copyservices.api.agent.v1.ReplicationServiceGrpc;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One ordered stream of records from this agent (as primary) to a peer: host writes, resync copies and
 * flush markers of every mirror to that peer, in the order they were sent. The peer applies them in
 * that order, so a prefix of the stream is what a peer holds when the stream breaks; that is how a
 * consistency group keeps its write order. Bytes sent and not acknowledged are bounded: a sender
 * waits for room, which slows hosts down instead of growing memory.
 */
final class ReplicationStream {
    /** Bytes sent and not acknowledged, beyond which senders wait. */
    static final long MAX_UNACKED_BYTES = 64L << 20;

    /** A record sent and not yet acknowledged, or its outcome. */
    static final class Sent {
        final long sequence;
        final Member member;
        final long firstRegion;
        final long lastRegion;
        final long bytes;
        final long sentNanos = System.nanoTime();
        /** True once applied; false when it failed or the stream broke. */
        final CompletableFuture<Boolean> outcome = new CompletableFuture<>();

        Sent(long sequence, Member member, long firstRegion, long lastRegion, long bytes) {
            this.sequence = sequence;
            this.member = member;
            this.firstRegion = firstRegion;
            this.lastRegion = lastRegion;
            this.bytes = bytes;
        }
    }

    private final Object lock = new Object();
    private final ArrayDeque<Sent> unacked = new ArrayDeque<>();
    private final Consumer<String> onBroken;
    private ClientCallStreamObserver<ReplicationRecord> requests;
    private long unackedBytes;
    private long nextSequence = 1;
    private boolean broken;

    private ReplicationStream(Consumer<String> onBroken) {
        this.onBroken = onBroken;
    }

    static ReplicationStream open(ReplicationServiceGrpc.ReplicationServiceStub stub, Consumer<String> onBroken) {
        ReplicationStream stream = new ReplicationStream(onBroken);
        stub.replicate(stream.new Responses());
        return stream;
    }

    boolean broken() {
        synchronized (lock) {
            return broken;
        }
    }

    /**
     * Sends a record; returns null when the stream is broken (the caller keeps the regions due for
     * copy). Waits while too many bytes are unacknowledged. {@code data} is copied.
     */
    Sent send(Member member, ReplicationRecord.Kind kind, long offset, long length, ByteBuffer data, long firstRegion,
            long lastRegion) {
        long bytes = data == null ? 64 : data.remaining() + 64L;
        ReplicationRecord.Builder record = ReplicationRecord.newBuilder().setMirrorId(member.id()).setKind(kind)
                .setOffset(offset).setLength(length);
        if (data != null) {
            record.setData(ByteString.copyFrom(data.duplicate()));
        }
        synchronized (lock) {
            while (!broken && unackedBytes > 0 && unackedBytes + bytes > MAX_UNACKED_BYTES) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
            if (broken) {
                return null;
            }
            Sent sent = new Sent(nextSequence++, member, firstRegion, lastRegion, bytes);
            unacked.add(sent);
            unackedBytes += bytes;
            try {
                requests.onNext(record.setSequence(sent.sequence).build());
            } catch (RuntimeException e) {
                // a cancelled call refuses: the responses side reports the break
                unacked.removeLast();
                unackedBytes -= bytes;
                return null;
            }
            member.sent(sent);
            return sent;
        }
    }

    /** Waits for a record's outcome; a record unacknowledged for {@code timeoutNanos} breaks the stream. */
    boolean await(Sent sent, long timeoutNanos) {
        return await(sent, timeoutNanos, true);
    }

    /**
     * Waits for a record's outcome. A host write that waits too long breaks the stream (its mirror goes
     * Unsynchronized and the write completes); a marker behind a long asynchronous backlog just stops
     * waiting ({@code breakOnTimeout} false) and returns false.
     */
    boolean await(Sent sent, long timeoutNanos, boolean breakOnTimeout) {
        try {
            return sent.outcome.get(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            if (!breakOnTimeout) {
                return false;
            }
            cancel("the peer did not acknowledge a write within " + TimeUnit.NANOSECONDS.toSeconds(timeoutNanos) + " s");
            return sent.outcome.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            return false;
        }
    }

    /** Ends the stream; every unacknowledged record fails. */
    void cancel(String why) {
        ClientCallStreamObserver<ReplicationRecord> call;
        synchronized (lock) {
            call = requests;
        }
        if (call != null) {
            call.cancel(why, null);
        }
        fail(why);
    }

    private void fail(String why) {
        List<Sent> failed;
        synchronized (lock) {
            if (broken) {
                return;
            }
            broken = true;
            failed = new ArrayList<>(unacked);
            unacked.clear();
            unackedBytes = 0;
            lock.notifyAll();
        }
        for (Sent sent : failed) {
            sent.member.failed(sent, "link lost: " + why);
            sent.outcome.complete(false);
        }
        onBroken.accept(why);
    }

    private void acknowledged(ReplicationAck ack) {
        List<Sent> done = new ArrayList<>();
        synchronized (lock) {
            while (!unacked.isEmpty() && unacked.peekFirst().sequence <= ack.getSequence()) {
                Sent sent = unacked.pollFirst();
                unackedBytes -= sent.bytes;
                done.add(sent);
            }
            lock.notifyAll();
        }
        for (Sent sent : done) {
            boolean applied = sent.sequence != ack.getSequence() || ack.getError().isEmpty();
            if (applied) {
                sent.member.applied(sent);
            } else {
                sent.member.failed(sent, ack.getError());
            }
            sent.outcome.complete(applied);
        }
    }

    private final class Responses implements ClientResponseObserver<ReplicationRecord, ReplicationAck> {
        @Override
        public void beforeStart(ClientCallStreamObserver<ReplicationRecord> call) {
            synchronized (lock) {
                requests = call;
            }
        }

        @Override
        public void onNext(ReplicationAck ack) {
            acknowledged(ack);
        }

        @Override
        public void onError(Throwable t) {
            fail(t.getMessage() == null ? t.toString() : t.getMessage());
        }

        @Override
        public void onCompleted() {
            fail("the peer ended the stream");
        }
    }
}
