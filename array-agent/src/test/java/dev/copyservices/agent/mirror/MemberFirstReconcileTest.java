package dev.copyservices.agent.mirror;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.copyservices.agent.pool.catalog.MirrorRecord;
import dev.copyservices.agent.pool.catalog.MirrorRoleRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host write on a new primary before the engine first decides to replicate it (issue 6, O47). The
 * write is tracked, and the initial copy that follows carries it; it must not also count as unsent,
 * which would take the new mirror Unsynchronized moments after its creation. The member here has no
 * engine: a write that counted itself unsent would reach for one and throw, which is what the test
 * looks for.
 */
class MemberFirstReconcileTest {
    private static final int REGION = 64 << 10;

    @TempDir
    Path dir;
    private ChangeMap map;

    @AfterEach
    void closeMap() throws IOException {
        if (map != null) {
            map.close();
        }
    }

    @Test
    void aWriteTrackedWhileTheFirstReconcileDecidesToReplicateDoesNotCountAsUnsent() throws Exception {
        Member member = newPrimary();
        Thread[] reconcile = new Thread[1];

        // the engine decides to replicate while the write is between its look at the stream and its end
        assertDoesNotThrow(() -> member.hostWrite(0, 4096, ByteBuffer.allocate(4096), () -> {
            reconcile[0] = Thread.ofPlatform().start(() -> member.reconciled(true));
            awaitEndedOrBlocked(reconcile[0]);
        }), "the write counted itself unsent although it was tracked before the first reconcile");
        reconcile[0].join();

        assertEquals(1, map.toCopyCount(), "the write's region is due for the initial copy");
    }

    @Test
    void aWriteTrackedBeforeAFirstReconcileThatDoesNotReplicateCountsThen() throws Exception {
        Member member = newPrimary();
        member.hostWrite(0, 4096, ByteBuffer.allocate(4096), () -> { });

        try {
            member.reconciled(false);
            throw new AssertionError("a write that no stream will carry must count as unsent once that is decided");
        } catch (NullPointerException expected) {
            // it reached for the engine to go Unsynchronized
        }
    }

    private Member newPrimary() throws IOException {
        map = ChangeMap.create(dir.resolve("m-1.map"), 16L * REGION, REGION, false);
        MirrorRecord record = MirrorRecord.newBuilder().setId("m-1").setVolumeId("v-1")
                .setRole(MirrorRoleRecord.MR_PRIMARY).setGeneration(1).setCapacityBytes(16L * REGION)
                .setRegionBytes(REGION).build();
        Member member = new Member(null, record, map);
        member.awaitFirstReconcile();
        return member;
    }

    /** Until the thread has finished or waits for a lock; either is where a reconcile can get to. */
    private static void awaitEndedOrBlocked(Thread thread) {
        while (true) {
            Thread.State state = thread.getState();
            if (state == Thread.State.TERMINATED || state == Thread.State.WAITING) {
                return;
            }
            Thread.onSpinWait();
        }
    }
}
