package dev.copyservices.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.nbd.RawNbdClient;
import dev.copyservices.api.agent.v1.CreateFlashCopyRequest;
import dev.copyservices.api.agent.v1.CreateMirrorRequest;
import dev.copyservices.api.agent.v1.DeleteFlashCopyRequest;
import dev.copyservices.api.agent.v1.FlashCopyRef;
import dev.copyservices.api.agent.v1.FlashCopyServiceGrpc;
import dev.copyservices.api.agent.v1.FlashCopyState;
import dev.copyservices.api.agent.v1.MirrorState;
import dev.copyservices.api.agent.v1.WriteMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mirror created while hosts write the primary: every write, including one that was already on its
 * way to the volume when the mirror appeared, must end up on the secondary. The primary is a FlashCopy
 * base and each write is the first to its chunk since the FlashCopy, so every write pays a
 * copy-on-write and stays in flight long enough for the initial copy to overtake it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MirrorCreateUnderLoadIT {
    private static final long MIB = 1 << 20;
    private static final long SIZE = 32 * MIB;
    private static final int WRITERS = 4;
    private static final int WRITE_BYTES = 64 * 1024;
    private static final int ROUNDS = 4;

    private MirrorSites sites;
    private Path scratch;

    @BeforeAll
    void startSites(@TempDir Path dir) throws Exception {
        scratch = dir;
        // a loaded machine can hold a copy-on-write write past the default 5 s; this test is about data, not timeouts
        sites = MirrorSites.start(dir, false, "--mirror-write-timeout", "60s");
        sites.activate();
    }

    @AfterAll
    void stopSites() throws Exception {
        if (sites != null) {
            sites.close();
        }
    }

    @Test
    void hostWritesInFlightWhileAMirrorIsCreatedAllReachTheSecondary() throws Exception {
        String v = "busy";
        sites.createVolumes(v, SIZE);
        NbdWrites.fillRandom(sites.a().agent(), v, SIZE, new Random(5));
        var flashCopies = FlashCopyServiceGrpc.newBlockingStub(sites.a().agent().channel());
        for (int round = 0; round < ROUNDS; round++) {
            WriteMode mode = round % 2 == 0 ? WriteMode.SYNCHRONOUS : WriteMode.ASYNCHRONOUS;
            String context = "round " + round + " (" + mode + ")";
            String flashCopy = "busy-fc" + round;
            flashCopies.withDeadlineAfter(60, TimeUnit.SECONDS).createFlashCopy(CreateFlashCopyRequest.newBuilder()
                    .setBase(v).setName(flashCopy).setRepositoryCapacityBytes(2 * SIZE).build());
            AtomicBoolean writing = new AtomicBoolean(true);
            List<CompletableFuture<Integer>> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                writers.add(writer(v, w, round, writing));
            }
            try {
                // Automatic: should a write still time out, the mirror resumes by itself and resyncs what it missed
                sites.createSynchronized(v, v, CreateMirrorRequest.newBuilder().setWriteMode(mode)
                        .setResyncMethod(dev.copyservices.api.agent.v1.ResyncMethod.AUTOMATIC), context);
            } finally {
                writing.set(false);
            }
            int writes = 0;
            for (CompletableFuture<Integer> writer : writers) {
                writes += writer.get(60, TimeUnit.SECONDS);
            }
            System.out.println(context + ": " + writes + " host writes during the synchronization");
            assertTrue(writes > 0, context + ": no host write happened during the synchronization");
            // asynchronous: Synchronized says no region is due; the records on their way still have to land
            MirrorSites.await(sites.a(), v, "synchronized with nothing in flight", m -> m.getState()
                    == MirrorState.SYNCHRONIZED && m.getLagSeconds() == 0, MirrorSites.TIMEOUT, context);
            sites.awaitState(sites.b(), v, MirrorState.SYNCHRONIZED, context + ", writes stopped");
            assertEquals(FlashCopyState.OPTIMAL, flashCopies.getFlashCopy(FlashCopyRef.newBuilder()
                    .setName(flashCopy).build()).getState(), context);
            sites.assertSameData(v, v, scratch, context);
            sites.removeEverywhere(v, v, context);
            flashCopies.deleteFlashCopy(DeleteFlashCopyRequest.newBuilder().setName(flashCopy).build());
        }
    }

    /**
     * Writes 64 KiB blocks of random data one after another through writer {@code w}'s quarter of the
     * volume, each to a chunk not written since the round's FlashCopy, until {@code writing} ends.
     */
    private CompletableFuture<Integer> writer(String v, int w, int round, AtomicBoolean writing) {
        return CompletableFuture.supplyAsync(() -> {
            long quarter = SIZE / WRITERS;
            int n = 0;
            try (RawNbdClient client = RawNbdClient.negotiated(sites.a().agent().nbdPort(), v)) {
                Random random = new Random(31L * round + w);
                byte[] data = new byte[WRITE_BYTES];
                while (writing.get()) {
                    random.nextBytes(data);
                    long offset = w * quarter + (long) n * WRITE_BYTES % quarter;
                    NbdWrites.write(client, n + 1, offset, data, v);
                    n++;
                }
            } catch (Exception e) {
                throw new CompletionException(e);
            }
            return n;
        }, runnable -> Thread.ofPlatform().daemon().start(runnable));
    }
}
