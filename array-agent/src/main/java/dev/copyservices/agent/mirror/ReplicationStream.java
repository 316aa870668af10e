package dev.copyservices.agent.mirror;

import com.google.protobuf.ByteString;
import dev.copyservices.api.agent.v1.ReplicationAck;
import dev.copyservices.api.agent.v1.ReplicationBatch;
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
 *
 * <p>Records travel in batches. A record goes on the wire at once while the transport is ready; while
 * it is not (the link or the peer is busy), records queue up and go together as one batch once it is
 * ready again, so the peer handles one message and sends one acknowledgement per batch instead of per
 * record. One thread at a time hands batches to the transport, in sequence order.
 */
final class ReplicationStream {
    /** Bytes sent and not acknowledged, beyond which senders wait. */
    static final long MAX_UNACKED_BYTES = 64L << 20;
    /** A batch stops growing at this size (a larger record travels alone); well under the peer's 16 MiB limit. */
    static final long MAX_BATCH_BYTES = 1L << 20;
    /** What a record costs beyond its data, for the accounting above. */
    private static final long RECORD_OVERHEAD = 64;

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
    /** Records accepted and not yet handed to the transport, in sequence order. */
    private final ArrayDeque<ReplicationRecord> queued = new ArrayDeque<>();
    private final Consumer<String> onBroken;
    private ClientCallStreamObserver<ReplicationBatch> requests;
    private long unackedBytes;
    private long nextSequence = 1;
    private boolean broken;
    /** True while one thread hands batches to the transport. */
    private boolean draining;

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
        return sendOwned(member, kind, offset, length, data == null ? null : ByteString.copyFrom(data.duplicate()),
                firstRegion, lastRegion);
    }

    /**
     * As above with data the stream may keep until the record is acknowledged (a caller that will not
     * change it wraps its buffer instead of copying it).
     */
    Sent sendOwned(Member member, ReplicationRecord.Kind kind, long offset, long length, ByteString data,
            long firstRegion, long lastRegion) {
        long bytes = data == null ? RECORD_OVERHEAD : data.size() + RECORD_OVERHEAD;
        ReplicationRecord.Builder record = ReplicationRecord.newBuilder().setMirrorId(member.id()).setKind(kind)
                .setOffset(offset).setLength(length);
        if (data != null) {
            record.setData(data);
        }
        Sent sent;
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
            sent = new Sent(nextSequence++, member, firstRegion, lastRegion, bytes);
            unacked.add(sent);
            unackedBytes += bytes;
            queued.add(record.setSequence(sent.sequence).build());
            member.sent(sent);
        }
        drain();
        return sent;
    }

    /**
     * Hands the queued records to the transport, batch after batch, while it is ready; returns at once
     * when another thread does so (it takes this caller's records too) or when nothing is queued. A
     * transport that is not ready calls back once it is, and the queue drains from there.
     */
    private void drain() {
        while (true) {
            ReplicationBatch batch;
            ClientCallStreamObserver<ReplicationBatch> call;
            synchronized (lock) {
                call = requests;
                if (draining || broken || queued.isEmpty() || call == null || !call.isReady()) {
                    return;
                }
                draining = true;
                ReplicationBatch.Builder next = ReplicationBatch.newBuilder();
                long size = 0;
                while (!queued.isEmpty() && (size == 0 || size + queued.peekFirst().getData().size()
                        + RECORD_OVERHEAD <= MAX_BATCH_BYTES)) {
                    ReplicationRecord record = queued.pollFirst();
                    size += record.getData().size() + RECORD_OVERHEAD;
                    next.addRecords(record);
                }
                batch = next.build();
            }
            boolean refused = false;
            try {
                call.onNext(batch);
            } catch (RuntimeException e) {
                refused = true; // a cancelled call refuses: the responses side reports the break
            } finally {
                synchronized (lock) {
                    draining = false;
                }
            }
            if (refused) {
                fail("the replication stream refused a batch");
                return;
            }
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
        ClientCallStreamObserver<ReplicationBatch> call;
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
            queued.clear();
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

    private final class Responses implements ClientResponseObserver<ReplicationBatch, ReplicationAck> {
        @Override
        public void beforeStart(ClientCallStreamObserver<ReplicationBatch> call) {
            synchronized (lock) {
                requests = call;
            }
            call.setOnReadyHandler(ReplicationStream.this::drain);
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
