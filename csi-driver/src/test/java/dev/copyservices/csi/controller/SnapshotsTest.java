package dev.copyservices.csi.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.api.agent.v1.CreateVolumeRequest;
import dev.copyservices.csi.agent.Agents;
import dev.copyservices.csi.agent.FakeAgent;
import dev.copyservices.csi.agent.Names;
import dev.copyservices.csi.common.CsiError;
import dev.copyservices.csi.common.OperationLocks;
import dev.copyservices.csi.v1.Snapshot;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SnapshotsTest {
    private final FakeAgent agent = new FakeAgent("array-a");
    private final Agents agents = new Agents(List.of(agent));
    private final OperationLocks locks = new OperationLocks();
    private final Snapshots snapshots = new Snapshots(agents, new VolumeOperations(agents, locks), locks);

    @BeforeEach
    void volumes() throws Exception {
        for (String name : List.of("vol-1", "vol-2")) {
            agent.createVolume(CreateVolumeRequest.newBuilder().setName(name).setSizeBytes(1 << 20).build());
        }
    }

    @Test
    void aSnapshotIsAFlashCopyWithARepositoryAsLargeAsTheVolume() {
        Snapshot snapshot = snapshots.create("array-a/vol-1", "snap-request", Map.of());
        String name = Names.snapshotName("snap-request");
        assertEquals("array-a/" + name, snapshot.getSnapshotId());
        assertEquals("array-a/vol-1", snapshot.getSourceVolumeId());
        assertTrue(snapshot.getReadyToUse());
        assertEquals(List.of("createVolume vol-1", "createVolume vol-2", "createFlashCopy " + name
                + " of vol-1 repository 100%"), agent.calls);
    }

    @Test
    void createSnapshotWithSameNameAndSourceReturnsTheSameSnapshot() {
        Snapshot first = snapshots.create("array-a/vol-1", "again", Map.of());
        assertEquals(first, snapshots.create("array-a/vol-1", "again", Map.of()));
        assertEquals(1, agent.listFlashCopies("").size());
    }

    @Test
    void createSnapshotWithSameNameAndAnotherSourceIsAlreadyExists() {
        snapshots.create("array-a/vol-1", "taken", Map.of());
        CsiError e = assertThrows(CsiError.class, () -> snapshots.create("array-a/vol-2", "taken", Map.of()));
        assertEquals(CsiError.Code.ALREADY_EXISTS, e.code());
    }

    @Test
    void aRepositoryPercentParameterOutOfRangeIsInvalidArgument() {
        CsiError e = assertThrows(CsiError.class, () -> snapshots.create("array-a/vol-1", "bad",
                Map.of("repositoryPercent", "0")));
        assertEquals(CsiError.Code.INVALID_ARGUMENT, e.code());
        assertTrue(agent.listFlashCopies("").isEmpty());
        snapshots.create("array-a/vol-1", "small", Map.of("repositoryPercent", "20"));
        assertTrue(agent.calls.getLast().endsWith("repository 20%"));
    }

    @Test
    void listingFiltersBySourceVolumeAndBySnapshotId() {
        Snapshot one = snapshots.create("array-a/vol-1", "one", Map.of());
        Snapshot two = snapshots.create("array-a/vol-2", "two", Map.of());
        assertEquals(List.of(two), snapshots.list("", "array-a/vol-2"));
        assertEquals(List.of(one), snapshots.list(one.getSnapshotId(), ""));
        assertEquals(List.of(), snapshots.list(one.getSnapshotId(), "array-a/vol-2"));
        assertEquals(List.of(), snapshots.list("array-a/snap-missing", ""));
        assertEquals(2, snapshots.list("", "").size());
    }

    @Test
    void deletingASnapshotThatIsNotThereSucceeds() {
        snapshots.delete("array-a/snap-missing");
        snapshots.delete("no-slash");
        CsiError e = assertThrows(CsiError.class, () -> snapshots.delete(""));
        assertEquals(CsiError.Code.INVALID_ARGUMENT, e.code());
    }

    @Test
    void deletingASnapshotWhileARestoreReadsItIsFailedPrecondition() throws Exception {
        Snapshot snapshot = snapshots.create("array-a/vol-1", "being-restored", Map.of());
        agent.createCopy(Names.snapshotName("being-restored"), "vol-2");
        CsiError e = assertThrows(CsiError.class, () -> snapshots.delete(snapshot.getSnapshotId()));
        assertEquals(CsiError.Code.FAILED_PRECONDITION, e.code());
        assertEquals(1, agent.listFlashCopies("").size());
    }
}
