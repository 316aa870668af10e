package dev.copyservices.agent.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.copyservices.api.agent.v1.ReplicationAck;
import dev.copyservices.api.agent.v1.ReplicationBatch;
import dev.copyservices.api.agent.v1.ReplicationRecord;
import dev.copyservices.api.agent.v1.ReplicationServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The replication listener's batch marshaller over a real Netty transport: what the service reads is
 * byte for byte what was sent (small records, a 4 MiB record that spans many transport buffers, many
 * records in one batch), and every batch gives its buffers back once the service is done with it.
 */
class AliasingBatchMarshallerTest {
    private final AliasingBatchMarshaller marshaller = new AliasingBatchMarshaller();
    private final List<byte[]> received = new ArrayList<>();
    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        ReplicationServiceGrpc.ReplicationServiceImplBase service = new ReplicationServiceGrpc.ReplicationServiceImplBase() {
            @Override
            public StreamObserver<ReplicationBatch> replicate(StreamObserver<ReplicationAck> acks) {
                return new StreamObserver<>() {
                    @Override
                    public void onNext(ReplicationBatch batch) {
                        long last = 0;
                        for (ReplicationRecord record : batch.getRecordsList()) {
                            synchronized (received) {
                                received.add(record.getData().toByteArray());
                            }
                            last = record.getSequence();
                        }
                        marshaller.release(batch);
                        acks.onNext(ReplicationAck.newBuilder().setSequence(last).build());
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        acks.onCompleted();
                    }
                };
            }
        };
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).maxInboundMessageSize(16 << 20)
                .addService(ReplicationServer.withBatchMarshaller(service.bindService(), marshaller)).build().start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext()
                .maxInboundMessageSize(16 << 20).build();
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void everyRecordArrivesByteForByteAndEveryBatchReleasesItsBuffers() throws Exception {
        Random random = new Random(7);
        List<ReplicationBatch> batches = List.of(
                batch(random, 1, 4096),
                batch(random, 1, 4 << 20), // one record across many transport buffers
                batch(random, 200, 4096),
                batch(random, 3, 0)); // flush-like records without data
        List<byte[]> sent = new ArrayList<>();
        for (ReplicationBatch b : batches) {
            b.getRecordsList().forEach(r -> sent.add(r.getData().toByteArray()));
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        List<Long> acks = new ArrayList<>();
        StreamObserver<ReplicationBatch> requests = ReplicationServiceGrpc.newStub(channel).replicate(
                new StreamObserver<>() {
                    @Override
                    public void onNext(ReplicationAck ack) {
                        acks.add(ack.getSequence());
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        done.complete(null);
                    }
                });
        batches.forEach(requests::onNext);
        requests.onCompleted();
        done.get(30, TimeUnit.SECONDS);

        assertEquals(sent.size(), received.size(), "records received");
        for (int i = 0; i < sent.size(); i++) {
            assertArrayEquals(sent.get(i), received.get(i), "record " + i);
        }
        assertEquals(batches.stream().map(b -> b.getRecords(b.getRecordsCount() - 1).getSequence()).toList(), acks);
        // a batch whose transport buffers cannot lend a ByteBuffer is copied instead; most can
        assertTrue(marshaller.aliasedCount() > 0, "no batch was parsed without copying its data");
        assertEquals(0, marshaller.lentCount(), "batches still holding transport buffers");
    }

    private long sequence;

    private ReplicationBatch batch(Random random, int records, int bytes) {
        ReplicationBatch.Builder batch = ReplicationBatch.newBuilder();
        for (int i = 0; i < records; i++) {
            byte[] data = new byte[bytes];
            random.nextBytes(data);
            batch.addRecords(ReplicationRecord.newBuilder().setSequence(++sequence).setMirrorId("m")
                    .setKind(bytes == 0 ? ReplicationRecord.Kind.FLUSH : ReplicationRecord.Kind.WRITE)
                    .setOffset(i * (long) bytes).setLength(bytes).setData(ByteString.copyFrom(data)));
        }
        return batch.build();
    }
}
