package dev.copyservices.agent.grpc;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.copyservices.api.agent.v1.ReplicationBatch;
import io.grpc.Detachable;
import io.grpc.HasByteBuffer;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the replication stream's batches without copying their data: the records' bytes stay in the
 * transport's buffers, which this marshaller holds until {@link #release} (the batch is applied). The
 * default marshaller copies every byte twice (into an array, then into each record's ByteString), and
 * on the secondary that was a third of the work of applying a stream. Falls back to the default where
 * the transport does not lend its buffers.
 */
final class AliasingBatchMarshaller implements MethodDescriptor.PrototypeMarshaller<ReplicationBatch> {
    private final MethodDescriptor.Marshaller<ReplicationBatch> copying =
            ProtoUtils.marshaller(ReplicationBatch.getDefaultInstance());
    private final Map<ReplicationBatch, InputStream> lent = Collections.synchronizedMap(new IdentityHashMap<>());
    private final java.util.concurrent.atomic.AtomicLong aliased = new java.util.concurrent.atomic.AtomicLong();

    @Override
    public ReplicationBatch getMessagePrototype() {
        return ReplicationBatch.getDefaultInstance();
    }

    @Override
    public Class<ReplicationBatch> getMessageClass() {
        return ReplicationBatch.class;
    }

    @Override
    public InputStream stream(ReplicationBatch value) {
        return copying.stream(value);
    }

    @Override
    public ReplicationBatch parse(InputStream stream) {
        if (!(stream instanceof Detachable detachable) || !(stream instanceof HasByteBuffer lender)
                || !lender.byteBufferSupported()) {
            return copying.parse(stream);
        }
        InputStream held = detachable.detach();
        try {
            // marked, the stream keeps every buffer it skips past until closed
            held.mark(Integer.MAX_VALUE);
            List<ByteBuffer> buffers = new ArrayList<>();
            HasByteBuffer heldLender = (HasByteBuffer) held;
            while (held.available() > 0) {
                ByteBuffer buffer = heldLender.getByteBuffer();
                if (buffer == null) {
                    break;
                }
                buffers.add(buffer);
                long skipped = held.skip(buffer.remaining());
                if (skipped != buffer.remaining()) {
                    throw new IOException("the transport's buffer could not be skipped");
                }
            }
            if (held.available() > 0) {
                held.reset();
                ReplicationBatch batch = copying.parse(held);
                held.close();
                return batch;
            }
            CodedInputStream input = buffers.size() == 1 ? CodedInputStream.newInstance(buffers.get(0))
                    : CodedInputStream.newInstance(buffers);
            input.enableAliasing(true);
            input.setSizeLimit(Integer.MAX_VALUE);
            ReplicationBatch batch = ReplicationBatch.parseFrom(input);
            lent.put(batch, held);
            aliased.incrementAndGet();
            return batch;
        } catch (InvalidProtocolBufferException e) {
            close(held);
            throw Status.INTERNAL.withDescription("invalid replication batch: " + e.getMessage()).withCause(e)
                    .asRuntimeException();
        } catch (IOException | RuntimeException e) {
            close(held);
            throw Status.INTERNAL.withDescription("reading a replication batch failed: " + e).withCause(e)
                    .asRuntimeException();
        }
    }

    /** Gives the transport's buffers back; {@code batch} and its records' data must not be read after. */
    void release(ReplicationBatch batch) {
        InputStream held = lent.remove(batch);
        if (held != null) {
            close(held);
        }
    }

    /** Batches parsed without copying so far. */
    long aliasedCount() {
        return aliased.get();
    }

    /** Batches parsed and not yet released (each holds transport buffers). */
    int lentCount() {
        return lent.size();
    }

    private static void close(InputStream stream) {
        try {
            stream.close();
        } catch (IOException e) {
            // closing releases buffers; it has nothing to report
        }
    }
}
