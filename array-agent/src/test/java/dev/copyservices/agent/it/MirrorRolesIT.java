package dev.copyservices.agent.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.nbd.RawNbdClient;
import dev.copyservices.api.agent.v1.ChangeRoleRequest;
import dev.copyservices.api.agent.v1.CopyPriority;
import dev.copyservices.api.agent.v1.CopyState;
import dev.copyservices.api.agent.v1.CreateFlashCopyRequest;
import dev.copyservices.api.agent.v1.CreateMirrorRequest;
import dev.copyservices.api.agent.v1.FlashCopyRef;
import dev.copyservices.api.agent.v1.FlashCopyServiceGrpc;
import dev.copyservices.api.agent.v1.FlashCopyState;
import dev.copyservices.api.agent.v1.Mirror;
import dev.copyservices.api.agent.v1.MirrorRole;
import dev.copyservices.api.agent.v1.MirrorState;
import dev.copyservices.api.agent.v1.ResyncMethod;
import dev.copyservices.api.agent.v1.VolumeCopy;
import dev.copyservices.api.agent.v1.WriteMode;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Role changes on two agents whose replication link runs through a FaultProxy each: planned reversals,
 * forced ones with the link cut and the dual roles they leave, their resolution, and what a demotion
 * does to the FlashCopies and VolumeCopies of the demoted volume.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MirrorRolesIT {
    private static final long MIB = 1 << 20;
    private static final long SIZE = 32 * MIB;
    private static final long REGION = 64 * 1024;
    private static final int EPERM = 1;

    private MirrorSites sites;
    private Path scratch;
    private final Random random = new Random(13);

    @BeforeAll
    void startSites(@TempDir Path dir) throws Exception {
        scratch = dir;
        sites = MirrorSites.start(dir, true);
        sites.activate();
    }

    @AfterEach
    void healTheLink() throws Exception {
        if (sites != null) {
            sites.restoreLink();
        }
    }

    @AfterAll
    void stopSites() throws Exception {
        if (sites != null) {
            sites.close();
        }
    }

    // mirror-operations O33, O34 (mirror-overview V31, V44: the secondary's export takes host writes as-is once promoted)
    @Test
    void plannedDemotionAndPromotionSwapRolesAndHostWriteAccess() throws Exception {
        String v = "o33";
        mirror(v);
        sites.changeRole(sites.a(), v, MirrorRole.SECONDARY, false, "O33 demote");
        assertEquals(MirrorRole.PRIMARY, sites.b().mirror(v).getRole(), "the peer was not promoted");
        assertWrite(sites.a(), v, EPERM, "demoted site-a");
        assertWrite(sites.b(), v, 0, "promoted site-b");
        awaitSynchronized(v, "after the demotion");
        sites.assertSameData(v, v, scratch, "O33");

        sites.changeRole(sites.a(), v, MirrorRole.PRIMARY, false, "O34 promote");
        assertEquals(MirrorRole.SECONDARY, sites.b().mirror(v).getRole(), "the old primary was not demoted");
        assertWrite(sites.b(), v, EPERM, "demoted site-b");
        assertWrite(sites.a(), v, 0, "promoted site-a");
        awaitSynchronized(v, "after the promotion");
        sites.assertSameData(v, v, scratch, "O34");
        sites.removeEverywhere(v, v, v);
    }

    // mirror-operations O35, O37, O48, O49 (mirror-overview V32)
    @Test
    void aForcedPromotionGivesDualPrimaryAndDemotingOneSideKeepsTheOthersWritesCopyingOnlyChanges()
            throws Exception {
        String v = "o35";
        mirror(v);
        long eventsA = AgentEvents.lastSequence(sites.a().agent());
        long eventsB = AgentEvents.lastSequence(sites.b().agent());
        sites.cutLink();
        MirrorSites.await(sites.b(), v, "peer unreachable", m -> !m.getPeerReachable(), MirrorSites.TIMEOUT, v);
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> sites.b().mirrors()
                .changeRole(ChangeRoleRequest.newBuilder().setVolume(v).setRole(MirrorRole.PRIMARY).build()));
        System.out.println("refused as expected: " + refused);
        assertEquals(MirrorRole.SECONDARY, sites.b().mirror(v).getRole(), "promoted without force");
        sites.promoteForced(sites.b(), v, "O35");
        List<Long> onA = NbdWrites.distinctRegions(random, SIZE / 2, REGION, 8);
        List<Long> onB = NbdWrites.distinctRegions(random, SIZE / 2, REGION, 8).stream().map(o -> o + SIZE / 2)
                .toList();
        NbdWrites.randomRegions(sites.a().agent(), v, onA, REGION, random);
        NbdWrites.randomRegions(sites.b().agent(), v, onB, REGION, random);
        sites.restoreLink();
        sites.awaitState(sites.a(), v, MirrorState.DUAL_PRIMARY, "O35 link back");
        sites.awaitState(sites.b(), v, MirrorState.DUAL_PRIMARY, "O35 link back");
        AgentEvents.await(sites.a().agent(), eventsA, "MIRROR_DUAL_ROLE_CONFLICT", Set.of(v), "O35 site-a");
        AgentEvents.await(sites.b().agent(), eventsB, "MIRROR_DUAL_ROLE_CONFLICT", Set.of(v), "O35 site-b");

        // O37 / O49: keep site-b's writes, demote site-a
        Path kept = scratch.resolve("kept.img");
        VolumeCopies.export(sites.b().agent(), v, kept);
        long sentBefore = sites.b().mirror(v).getBytesSent();
        sites.changeRole(sites.a(), v, MirrorRole.SECONDARY, false, "O37 demote site-a");
        Mirror done = sites.awaitState(sites.b(), v, MirrorState.SYNCHRONIZED, "O37 resolved");
        sites.awaitState(sites.a(), v, MirrorState.SYNCHRONIZED, "O37 resolved");
        long region = Math.max(REGION, sites.b().durableMirror(v).getRegionBytes());
        long changed = (onA.size() + onB.size()) * region;
        long sent = done.getBytesSent() - sentBefore;
        System.out.println(v + ": union of changed regions " + changed + " bytes, the resync sent " + sent);
        // site-b's regions hold random bytes and must travel; site-a's may go back to zeroes, sent as such
        assertTrue(sent >= onB.size() * REGION && sent <= changed + changed / 4 + REGION, v + ": sent " + sent
                + " for " + changed + " changed bytes (the volume has " + SIZE + ")");
        VolumeCopies.assertSameImage(sites.b().agent(), v, kept, scratch.resolve("b-now.img"), "O49 kept side");
        VolumeCopies.assertSameImage(sites.a().agent(), v, kept, scratch.resolve("a-now.img"), "O49 yielding side");
        sites.removeEverywhere(v, v, v);
    }

    // mirror-operations O36, O38
    @Test
    void aForcedDemotionGivesDualSecondaryResolvedByPromotingOneSide() throws Exception {
        String v = "o36";
        mirror(v);
        sites.cutLink();
        MirrorSites.await(sites.a(), v, "peer unreachable", m -> !m.getPeerReachable(), MirrorSites.TIMEOUT, v);
        sites.changeRole(sites.a(), v, MirrorRole.SECONDARY, true, "O36 forced demotion");
        sites.restoreLink();
        sites.awaitState(sites.a(), v, MirrorState.DUAL_SECONDARY, "O36 link back");
        sites.awaitState(sites.b(), v, MirrorState.DUAL_SECONDARY, "O36 link back");
        sites.changeRole(sites.a(), v, MirrorRole.PRIMARY, false, "O38 promote site-a");
        awaitSynchronized(v, "O38 resolved");
        assertEquals(MirrorRole.SECONDARY, sites.b().mirror(v).getRole());
        sites.assertSameData(v, v, scratch, "O38");
        sites.removeEverywhere(v, v, v);
    }

    // mirror-operations O39
    @Test
    void demotingAPrimaryFailsItsFlashCopiesAndPromotingItBringsThemBackOptimal() throws Exception {
        String v = "o39";
        mirror(v);
        var flashCopies = FlashCopyServiceGrpc.newBlockingStub(sites.a().agent().channel()).withDeadlineAfter(60,
                TimeUnit.SECONDS);
        flashCopies.createFlashCopy(CreateFlashCopyRequest.newBuilder().setBase(v).setName("o39-fc").build());
        Path image = scratch.resolve("o39-fc.img");
        VolumeCopies.export(sites.a().agent(), "o39-fc", image);
        FlashCopyRef ref = FlashCopyRef.newBuilder().setName("o39-fc").build();
        sites.changeRole(sites.a(), v, MirrorRole.SECONDARY, false, "O39 demote");
        assertEquals(FlashCopyState.FAILED, flashCopies.getFlashCopy(ref).getState(), "FlashCopy of a secondary");
        NbdWrites.randomRegions(sites.b().agent(), v, List.of(0L, 4 * MIB), REGION, random); // reaches site-a
        awaitSynchronized(v, "O39 reversed");
        sites.changeRole(sites.a(), v, MirrorRole.PRIMARY, false, "O39 promote");
        assertEquals(FlashCopyState.OPTIMAL, flashCopies.getFlashCopy(ref).getState(), "FlashCopy once promoted");
        VolumeCopies.assertSameImage(sites.a().agent(), "o39-fc", image, scratch.resolve("o39-now.img"),
                "O39 image kept");
        sites.removeEverywhere(v, v, v);
    }

    // mirror-overview V34
    @Test
    void demotingAVolumeCopySourceFailsItsCopyInProgress() throws Exception {
        String v = "v34";
        long size = 256 * MIB;
        sites.createVolumes(v, size);
        NbdWrites.fillRandom(sites.a().agent(), v, 64 * MIB, random);
        sites.createSynchronized(v, v, settings(), v);
        VolumeCopies.createVolume(sites.a().agent(), "v34-target", size);
        VolumeCopies.create(sites.a().agent(), v, "v34-target", CopyPriority.COPY_PRIORITY_LOWEST);
        sites.changeRole(sites.a(), v, MirrorRole.SECONDARY, false, "V34 demote");
        VolumeCopy pair = VolumeCopies.get(sites.a().agent(), "v34-target");
        assertEquals(CopyState.COPY_FAILED, pair.getState(), "the copy from the demoted volume: " + pair);
        sites.changeRole(sites.a(), v, MirrorRole.PRIMARY, false, "V34 promote back");
        VolumeCopies.copies(sites.a().agent()).removeCopies(dev.copyservices.api.agent.v1.RemoveCopiesRequest
                .newBuilder().addTargets("v34-target").build());
        sites.removeEverywhere(v, v, v);
    }

    // mirror-overview V33
    @Test
    void aVolumeCopyFromTheOriginalPrimaryCompletesThroughADualPrimary() throws Exception {
        String v = "v33";
        long size = 256 * MIB;
        sites.createVolumes(v, size);
        NbdWrites.fillRandom(sites.a().agent(), v, 64 * MIB, random);
        sites.createSynchronized(v, v, settings(), v);
        sites.cutLink();
        MirrorSites.await(sites.b(), v, "peer unreachable", m -> !m.getPeerReachable(), MirrorSites.TIMEOUT, v);
        sites.promoteForced(sites.b(), v, "V33");
        Path source = scratch.resolve("v33-source.img");
        VolumeCopies.export(sites.a().agent(), v, source); // no host writes to it from here on
        VolumeCopies.createVolume(sites.a().agent(), "v33-target", size);
        VolumeCopies.create(sites.a().agent(), v, "v33-target", CopyPriority.COPY_PRIORITY_LOWEST);

        sites.restoreLink();
        sites.awaitState(sites.a(), v, MirrorState.DUAL_PRIMARY, "V33 link back");
        System.out.println("V33: the copy was " + VolumeCopies.get(sites.a().agent(), "v33-target").getState()
                + " when site-a saw the Dual Primary");
        VolumeCopies.awaitCompleted(sites.a().agent(), "v33-target", "V33 copy during the Dual Primary");
        VolumeCopies.assertSameImage(sites.a().agent(), "v33-target", source, scratch.resolve("v33-target.img"),
                "V33 the copy of the original primary");

        VolumeCopies.copies(sites.a().agent()).removeCopies(dev.copyservices.api.agent.v1.RemoveCopiesRequest
                .newBuilder().addTargets("v33-target").build());
        sites.changeRole(sites.a(), v, MirrorRole.SECONDARY, false, "V33 resolve, keep site-b");
        awaitSynchronized(v, "V33 resolved");
        sites.removeEverywhere(v, v, v);
    }

    /**
     * The seed documents a firmware defect (the FlashCopy of a base failing when its mirror is created with
     * host I/O running); we do not reproduce it: with I/O quiesced and with writes during the initial
     * synchronization alike, the base's FlashCopy stays Optimal and exactly its point in time.
     */
    // mirror-operations O47
    @Test
    void mirroringAFlashCopyBaseLeavesItsFlashCopyOptimalAndAtItsPointInTimeWithAndWithoutHostWrites()
            throws Exception {
        String v = "o47";
        sites.createVolumes(v, SIZE);
        NbdWrites.fillRandom(sites.a().agent(), v, 8 * MIB, random);
        var flashCopies = FlashCopyServiceGrpc.newBlockingStub(sites.a().agent().channel())
                .withDeadlineAfter(60, TimeUnit.SECONDS);
        flashCopies.createFlashCopy(CreateFlashCopyRequest.newBuilder().setBase(v).setName("o47-fc").build());
        Path pointInTime = scratch.resolve("o47-fc.img");
        VolumeCopies.export(sites.a().agent(), "o47-fc", pointInTime);
        FlashCopyRef ref = FlashCopyRef.newBuilder().setName("o47-fc").build();

        sites.createSynchronized(v, v, settings(), "O47 quiesced");
        assertEquals(FlashCopyState.OPTIMAL, flashCopies.getFlashCopy(ref).getState(), "O47 quiesced");
        VolumeCopies.assertSameImage(sites.a().agent(), "o47-fc", pointInTime, scratch.resolve("o47-now.img"),
                "O47 quiesced");
        sites.removeEverywhere(v, v, v);

        // again, with host writes from before the create until the initial synchronization is done
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.CompletableFuture<Integer> writes = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> {
                    int n = 0;
                    try (RawNbdClient client = RawNbdClient.negotiated(sites.a().agent().nbdPort(), v)) {
                        Random r = new Random(47);
                        byte[] data = new byte[4096];
                        while (writing.get()) {
                            r.nextBytes(data);
                            // within the first 2 MiB: the copy-on-write stays well inside the 8 MiB repository
                            NbdWrites.write(client, n + 1, (long) r.nextInt(512) * 4096, data, v);
                            n++;
                        }
                    } catch (Exception e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                    return n;
                });
        try {
            sites.createSynchronized(v, v, settings(), "O47 with host writes");
        } finally {
            writing.set(false);
        }
        System.out.println("O47: " + writes.get(60, TimeUnit.SECONDS) + " host writes during the synchronization");
        assertEquals(FlashCopyState.OPTIMAL, flashCopies.getFlashCopy(ref).getState(), "O47 with host writes");
        VolumeCopies.assertSameImage(sites.a().agent(), "o47-fc", pointInTime, scratch.resolve("o47-now.img"),
                "O47 with host writes");
        awaitSynchronized(v, "O47 writes stopped");
        sites.assertSameData(v, v, scratch, "O47 with host writes");
        sites.removeEverywhere(v, v, v);
        flashCopies.deleteFlashCopy(dev.copyservices.api.agent.v1.DeleteFlashCopyRequest.newBuilder()
                .setName("o47-fc").build());
    }

    // mirror-overview V41 (practice failover, docs/mirror.md)
    @Test
    void aFlashCopyOfTheSecondaryKeepsItsPointInTimeWhileMirroringGoesOn() throws Exception {
        String v = "v41";
        mirror(v);
        FlashCopyServiceGrpc.newBlockingStub(sites.b().agent().channel()).withDeadlineAfter(60, TimeUnit.SECONDS)
                .createFlashCopy(CreateFlashCopyRequest.newBuilder().setBase(v).setName("v41-drill").build());
        Path drill = scratch.resolve("v41-drill.img");
        VolumeCopies.export(sites.b().agent(), "v41-drill", drill);
        NbdWrites.randomRegions(sites.a().agent(), v, List.of(0L, MIB, 2 * MIB), REGION, random);
        assertEquals(MirrorState.SYNCHRONIZED, sites.a().mirror(v).getState(), "the FlashCopy disturbed the mirror");
        sites.assertSameData(v, v, scratch, "V41 mirroring goes on");
        VolumeCopies.assertSameImage(sites.b().agent(), "v41-drill", drill, scratch.resolve("drill-now.img"),
                "V41 point in time");
        try (RawNbdClient client = RawNbdClient.negotiated(sites.b().agent().nbdPort(), "v41-drill")) {
            NbdWrites.write(client, 1, 0, new byte[4096], "v41-drill"); // the drill's copy is writable
        }
        sites.removeEverywhere(v, v, v);
    }

    private void mirror(String v) throws Exception {
        sites.createVolumes(v, SIZE);
        NbdWrites.fillRandom(sites.a().agent(), v, 4 * MIB, random);
        sites.createSynchronized(v, v, settings(), v);
    }

    private static CreateMirrorRequest.Builder settings() {
        return CreateMirrorRequest.newBuilder().setWriteMode(WriteMode.SYNCHRONOUS)
                .setResyncMethod(ResyncMethod.MANUAL).setSyncPriority(CopyPriority.COPY_PRIORITY_HIGHEST);
    }

    /** One 4 KiB host write to {@code v} on {@code site}; asserts its NBD error (0: accepted). */
    private void assertWrite(MirrorSites.Site site, String v, int error, String context) throws Exception {
        byte[] data = new byte[4096];
        random.nextBytes(data);
        try (RawNbdClient client = RawNbdClient.negotiated(site.agent().nbdPort(), v)) {
            byte[] before = client.read(1, 8 * MIB, data.length);
            client.write(0, 2, 8 * MIB, data);
            assertEquals(error, client.readReply(0).error(), context + ": NBD error of a host write");
            byte[] after = client.read(3, 8 * MIB, data.length);
            assertArrayEquals(error == 0 ? data : before, after, context + ": what a read shows after the write");
        }
        assertFalse(error == 0 && sites.a().mirror(v).getState() == MirrorState.UNSYNCHRONIZED, context);
    }

    private void awaitSynchronized(String v, String context) throws InterruptedException {
        sites.awaitState(sites.a(), v, MirrorState.SYNCHRONIZED, context);
        sites.awaitState(sites.b(), v, MirrorState.SYNCHRONIZED, context);
    }
}
