package dev.copyservices.agent.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.nbd.RawNbdClient;
import dev.copyservices.api.agent.v1.CommunicationResult;
import dev.copyservices.api.agent.v1.CommunicationTest;
import dev.copyservices.api.agent.v1.CopyPriority;
import dev.copyservices.api.agent.v1.CreateFlashCopyRequest;
import dev.copyservices.api.agent.v1.CreateMirrorRequest;
import dev.copyservices.api.agent.v1.DeleteVolumeRequest;
import dev.copyservices.api.agent.v1.FlashCopyServiceGrpc;
import dev.copyservices.api.agent.v1.ListMirrorsRequest;
import dev.copyservices.api.agent.v1.Mirror;
import dev.copyservices.api.agent.v1.MirrorRef;
import dev.copyservices.api.agent.v1.MirrorState;
import dev.copyservices.api.agent.v1.MirrorsRequest;
import dev.copyservices.api.agent.v1.MirrorsResponse;
import dev.copyservices.api.agent.v1.ResyncMethod;
import dev.copyservices.api.agent.v1.WriteMode;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Suspend, resume, remove, delete and the communication test on two agents whose replication link runs
 * through a FaultProxy each, so a test can cut it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MirrorSuspendRemoveIT {
    private static final long MIB = 1 << 20;
    private static final long SIZE = 32 * MIB;
    private static final long MIN_REGION = 64 * 1024;

    private MirrorSites sites;
    private Path scratch;
    private final Random random = new Random(11);

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

    // mirror-operations O23, O24
    @Test
    void aSuspendedMirrorTracksWritesWithoutSendingAndResumeCopiesOnlyTheChangedRegions() throws Exception {
        String v = "o23";
        mirror(v, WriteMode.SYNCHRONOUS, ResyncMethod.MANUAL, "");
        long region = Math.max(MIN_REGION, sites.a().durableMirror(v).getRegionBytes());
        suspend(v, false);
        sites.awaitState(sites.a(), v, MirrorState.SUSPENDED, v);
        sites.awaitState(sites.b(), v, MirrorState.SUSPENDED, v + ", the secondary's view");
        long sentBefore = sites.a().mirror(v).getBytesSent();
        int regions = 24;
        long changed = regions * region;
        writeRegions(v, regions, region);
        Mirror suspended = sites.a().mirror(v);
        assertEquals(MirrorState.SUSPENDED, suspended.getState(), suspended.toString());
        assertTrue(suspended.getOutOfSyncBytes() >= changed, "writes not tracked: " + suspended);
        assertTrue(suspended.getBytesSent() - sentBefore < MIN_REGION, "writes sent while suspended: " + suspended);

        sites.resume(sites.a(), v);
        Mirror done = awaitSynchronized(v, v + ", resumed");
        long sent = done.getBytesSent() - sentBefore;
        System.out.println(v + ": " + changed + " bytes changed while suspended, bytes_sent grew by " + sent);
        assertTrue(sent >= changed && sent <= changed + changed / 4 + MIN_REGION, v + ": " + changed
                + " bytes changed, the resume sent " + sent + " (a full copy would be " + SIZE + ")");
        sites.assertSameData(v, v, scratch, v);
        sites.removeEverywhere(v, v, v);
    }

    // mirror-operations O52
    @Test
    void mirrorsSuspendedWhileTheLinkIsDownStaySuspendedWhenItReturnsAndResumeCopiesOnlyTheDelta() throws Exception {
        List<String> members = List.of("o52-a", "o52-b");
        for (String v : members) {
            mirror(v, WriteMode.SYNCHRONOUS, ResyncMethod.AUTOMATIC, "");
        }
        long region = Math.max(MIN_REGION, sites.a().durableMirror(members.get(0)).getRegionBytes());
        sites.cutLink(); // the switch is down
        for (String v : members) {
            MirrorSites.await(sites.a(), v, "peer unreachable", m -> !m.getPeerReachable(), MirrorSites.TIMEOUT, v);
        }
        sites.a().mirrors().suspendMirrors(MirrorsRequest.newBuilder().addAllVolumes(members).build());
        long[] sentBefore = new long[members.size()];
        for (int i = 0; i < members.size(); i++) {
            String v = members.get(i);
            assertEquals(MirrorState.SUSPENDED, sites.a().mirror(v).getState(), v + ": suspended with the link down");
            sentBefore[i] = sites.a().mirror(v).getBytesSent();
            writeRegions(v, 8, region);
        }
        sites.restoreLink(); // the switch is replaced
        for (String v : members) {
            MirrorSites.await(sites.a(), v, "peer reachable", Mirror::getPeerReachable, MirrorSites.TIMEOUT, v);
            assertStays(sites.a(), v, MirrorState.SUSPENDED, Duration.ofSeconds(2), v + ", link back, Automatic");
        }
        sites.a().mirrors().resumeMirrors(MirrorsRequest.newBuilder().addAllVolumes(members).build());
        for (int i = 0; i < members.size(); i++) {
            String v = members.get(i);
            long sent = awaitSynchronized(v, v + ", resumed").getBytesSent() - sentBefore[i];
            System.out.println(v + ": 8 regions changed while the link was down, the resume sent " + sent);
            assertTrue(sent >= 8 * region && sent < SIZE / 2, v + ": the resume sent " + sent + " bytes for 8 regions"
                    + " of " + region + " (a full copy would be " + SIZE + ")");
            sites.assertSameData(v, v, scratch, v);
            sites.removeEverywhere(v, v, v);
        }
    }

    // mirror-operations O53
    @Test
    void suspendingAndFlashCopyingTheSecondaryGivesABackupOfThatMomentAndResumeCopiesOnlyTheDelta() throws Exception {
        String v = "o53";
        mirror(v, WriteMode.SYNCHRONOUS, ResyncMethod.MANUAL, "");
        String id = sites.a().mirror(v).getId();
        suspend(v, false);
        sites.awaitState(sites.b(), v, MirrorState.SUSPENDED, v + ", the secondary's view");
        Path atSuspend = scratch.resolve("o53-at-suspend.img");
        VolumeCopies.export(sites.a().agent(), v, atSuspend); // what the backup must hold
        FlashCopyServiceGrpc.newBlockingStub(sites.b().agent().channel()).withDeadlineAfter(60,
                java.util.concurrent.TimeUnit.SECONDS).createFlashCopy(CreateFlashCopyRequest.newBuilder()
                .setBase(v).setName("o53-backup").build());
        long sentBefore = sites.a().mirror(v).getBytesSent();
        long region = Math.max(MIN_REGION, sites.a().durableMirror(v).getRegionBytes());
        writeRegions(v, 16, region);

        sites.resume(sites.a(), v);
        Mirror done = awaitSynchronized(v, v + ", resumed after the backup");
        assertEquals(id, done.getId(), v + ": the relationship was replaced");
        long sent = done.getBytesSent() - sentBefore;
        assertTrue(sent >= 16 * region && sent < SIZE / 2, v + ": the resume sent " + sent + " bytes for 16 regions"
                + " of " + region + " (a full copy would be " + SIZE + ")");
        sites.assertSameData(v, v, scratch, v);
        // the resync wrote into the FlashCopy's base: the backup still holds the moment of the suspend
        VolumeCopies.assertSameImage(sites.b().agent(), "o53-backup", atSuspend, scratch.resolve("o53-backup.img"),
                v + ": the backup of the secondary");
        sites.removeEverywhere(v, v, v);
    }

    // mirror-operations O25
    @Test
    void aSuspendedMirrorStaysSuspendedThroughALinkLossEvenWithAutomaticResync() throws Exception {
        String v = "o25";
        mirror(v, WriteMode.SYNCHRONOUS, ResyncMethod.AUTOMATIC, "");
        suspend(v, false);
        sites.awaitState(sites.a(), v, MirrorState.SUSPENDED, v);
        sites.cutLink();
        writeRegions(v, 8, MIN_REGION);
        MirrorSites.await(sites.a(), v, "peer unreachable", m -> !m.getPeerReachable(), MirrorSites.TIMEOUT, v);
        assertEquals(MirrorState.SUSPENDED, sites.a().mirror(v).getState(), v + ": the cut changed the state");
        sites.restoreLink();
        MirrorSites.await(sites.a(), v, "peer reachable", Mirror::getPeerReachable, MirrorSites.TIMEOUT, v);
        assertStays(sites.a(), v, MirrorState.SUSPENDED, Duration.ofSeconds(3), v + ", link back, Automatic");
        sites.resume(sites.a(), v);
        awaitSynchronized(v, v + ", resumed");
        sites.assertSameData(v, v, scratch, v);
        sites.removeEverywhere(v, v, v);
    }

    // mirror-operations O27
    @Test
    void aConsistencyGroupIsSuspendedAndResumedAsOneUnlessMemberOnly() throws Exception {
        List<String> group = List.of("o27-0", "o27-1", "o27-2");
        for (String v : group) {
            mirror(v, WriteMode.ASYNCHRONOUS, ResyncMethod.MANUAL, "o27");
        }
        MirrorsResponse answer = suspend(group.get(0), false);
        assertFalse(answer.getWarningsList().isEmpty(), "no word that the whole group was suspended: " + answer);
        for (String v : group) {
            sites.awaitState(sites.a(), v, MirrorState.SUSPENDED, v + ", group suspended through " + group.get(0));
        }
        sites.a().mirrors().resumeMirrors(MirrorsRequest.newBuilder().addVolumes(group.get(1)).setMemberOnly(true)
                .build());
        sites.awaitState(sites.a(), group.get(1), MirrorState.SYNCHRONIZED, group.get(1) + ", member-only resume");
        for (String v : List.of(group.get(0), group.get(2))) {
            assertEquals(MirrorState.SUSPENDED, sites.a().mirror(v).getState(), v + ": resumed by a member-only resume");
        }
        sites.resume(sites.a(), group.get(2));
        for (String v : group) {
            awaitSynchronized(v, v + ", group resumed");
        }
        suspend(group.get(2), true);
        sites.awaitState(sites.a(), group.get(2), MirrorState.SUSPENDED, "member-only suspend");
        for (String v : group.subList(0, 2)) {
            assertEquals(MirrorState.SYNCHRONIZED, sites.a().mirror(v).getState(), v + ": a member-only suspend took it");
        }
        sites.resume(sites.a(), group.get(2));
        awaitSynchronized(group.get(2), "resumed");
        for (String v : group) {
            sites.removeEverywhere(v, v, v);
        }
    }

    // mirror-operations O29, O30
    @Test
    void removingFromEitherSideKeepsTheDataAndTheVolumesCanBePairedAgain() throws Exception {
        List<String> volumes = List.of("o29-0", "o29-1");
        for (String v : volumes) {
            mirror(v, WriteMode.SYNCHRONOUS, ResyncMethod.MANUAL, "");
            writeRegions(v, 4, MIN_REGION);
        }
        // O30: several at once, from the secondary's side
        MirrorsResponse removed = sites.b().mirrors().removeMirrors(MirrorsRequest.newBuilder().addAllVolumes(volumes)
                .build());
        assertEquals(2, removed.getMirrorsCount(), removed.toString());
        for (String v : volumes) {
            assertGone(v);
            sites.assertSameData(v, v, scratch, v + " removed from site-b");
            writeRegions(v, 2, MIN_REGION); // the primary's host I/O goes on, now unmirrored
        }
        String v = volumes.get(0);
        sites.createSynchronized(v, v, settings(WriteMode.SYNCHRONOUS, ResyncMethod.MANUAL, ""), v + " paired again");
        sites.assertSameData(v, v, scratch, v + " paired again");
        sites.a().mirrors().removeMirrors(MirrorsRequest.newBuilder().addVolumes(v).build()); // from the primary
        assertGone(v);
        sites.assertSameData(v, v, scratch, v + " removed from site-a");
    }

    // mirror-operations O31 (and O15: the member left behind is named when creating again)
    @Test
    void aRemoveWithTheLinkCutRemovesOnlyTheReachableSideAndTheOtherCanBeRemovedAlone() throws Exception {
        String v = "o31";
        mirror(v, WriteMode.SYNCHRONOUS, ResyncMethod.MANUAL, "");
        sites.cutLink();
        MirrorsResponse answer = sites.a().mirrors().removeMirrors(MirrorsRequest.newBuilder().addVolumes(v).build());
        assertFalse(answer.getWarningsList().isEmpty(), "no word that the peer could not be reached: " + answer);
        assertTrue(answer.getWarningsList().toString().contains("site-b"), answer.toString());
        assertFalse(listed(sites.a(), v), "site-a still lists the mirror");
        sites.restoreLink();
        // another primary for the secondary left behind (the same pair again would take the stale member over)
        VolumeCopies.createVolume(sites.a().agent(), v + "-other", SIZE);
        StatusRuntimeException stale = createRefusedOnceTheLinkIsBack(v + "-other", v);
        assertTrue(stale.getStatus().getDescription().contains("not a valid candidate"), stale.toString());
        assertTrue(stale.getStatus().getDescription().contains("already the secondary"), stale.toString());
        sites.awaitState(sites.b(), v, MirrorState.UNRESPONSIVE, v + ", the member left on site-b");
        sites.b().mirrors().removeMirrors(MirrorsRequest.newBuilder().addVolumes(v).build());
        assertFalse(listed(sites.b(), v), "site-b still lists the mirror after removing it there");
        sites.createSynchronized(v + "-other", v, settings(WriteMode.SYNCHRONOUS, ResyncMethod.MANUAL, ""), v
                + ", again");
        sites.removeEverywhere(v + "-other", v, v);
    }

    // mirror-operations O32
    @Test
    void deletingTheSecondaryIsRefusedAndDeletingThePrimaryLeavesAStandardSecondary() throws Exception {
        String v = "o32";
        mirror(v, WriteMode.SYNCHRONOUS, ResyncMethod.MANUAL, "");
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> VolumeCopies.volumes(
                sites.b().agent()).deleteVolume(DeleteVolumeRequest.newBuilder().setName(v).build()));
        System.out.println("refused as expected: " + refused);
        assertTrue(listed(sites.b(), v), "the refused delete removed the mirror");
        VolumeCopies.volume(sites.b().agent(), v);
        VolumeCopies.volumes(sites.a().agent()).deleteVolume(DeleteVolumeRequest.newBuilder().setName(v).build());
        long deadline = System.nanoTime() + MirrorSites.TIMEOUT.toNanos();
        while (listed(sites.b(), v)) {
            assertTrue(System.nanoTime() < deadline, "site-b still lists the mirror of the deleted primary");
            Thread.sleep(20); // poll interval only
        }
        try (RawNbdClient client = RawNbdClient.negotiated(sites.b().agent().nbdPort(), v)) {
            NbdWrites.write(client, 1, 0, new byte[4096], v); // a standard volume again: writable
            client.disconnect(); // so the delete below does not race the server's end of the connection
        }
        VolumeCopies.volumes(sites.b().agent()).deleteVolume(DeleteVolumeRequest.newBuilder().setName(v).build());
    }

    // mirror-operations O22, mirror-overview V16
    @Test
    void theCommunicationTestPassesWithTheLinkUpAndFailsWithItCutWhileReadsGoOnLocally() throws Exception {
        String v = "o22";
        mirror(v, WriteMode.SYNCHRONOUS, ResyncMethod.MANUAL, "");
        CommunicationTest up = sites.a().mirrors().testCommunication(MirrorRef.newBuilder().setVolume(v).build());
        assertEquals(CommunicationResult.COMMUNICATION_PASSED, up.getResult(), up.toString());
        assertTrue(up.getAverageRoundTripMillis() > 0 && up.getMaximumAllowedRoundTripMillis() > 0, up.toString());
        byte[] before;
        try (RawNbdClient a = RawNbdClient.negotiated(sites.a().agent().nbdPort(), v)) {
            before = a.read(1, 5 * MIB, 65536);
        }
        sites.cutLink();
        CommunicationTest cut = sites.a().mirrors().testCommunication(MirrorRef.newBuilder().setVolume(v).build());
        assertEquals(CommunicationResult.COMMUNICATION_FAILED, cut.getResult(), cut.toString());
        assertFalse(cut.getDetail().isBlank(), cut.toString());
        // V16: reads are served locally on both members with the link down
        for (MirrorSites.Site site : List.of(sites.a(), sites.b())) {
            try (RawNbdClient client = RawNbdClient.negotiated(site.agent().nbdPort(), v)) {
                assertArrayEquals(before, client.read(2, 5 * MIB, 65536), site + ": read with the link cut");
            }
        }
        sites.restoreLink();
        MirrorSites.await(sites.a(), v, "peer reachable", Mirror::getPeerReachable, MirrorSites.TIMEOUT, v);
        sites.removeEverywhere(v, v, v);
    }

    /** Creating the mirror, asked until the answer is not the cut link's UNAVAILABLE; must be refused. */
    private StatusRuntimeException createRefusedOnceTheLinkIsBack(String primary, String secondary)
            throws InterruptedException {
        long deadline = System.nanoTime() + MirrorSites.TIMEOUT.toNanos();
        while (true) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> sites.createMirror(primary,
                    secondary,
                    settings(WriteMode.SYNCHRONOUS, ResyncMethod.MANUAL, "")));
            if (e.getStatus().getCode() != io.grpc.Status.Code.UNAVAILABLE) {
                return e;
            }
            assertTrue(System.nanoTime() < deadline, "the link did not come back: " + e);
            Thread.sleep(100); // poll interval only
        }
    }

    private void mirror(String v, WriteMode mode, ResyncMethod resync, String group) throws Exception {
        sites.createVolumes(v, SIZE);
        NbdWrites.fillRandom(sites.a().agent(), v, 4 * MIB, random);
        sites.createSynchronized(v, v, settings(mode, resync, group), v);
    }

    private static CreateMirrorRequest.Builder settings(WriteMode mode, ResyncMethod resync, String group) {
        return CreateMirrorRequest.newBuilder().setWriteMode(mode).setResyncMethod(resync).setConsistencyGroup(group)
                .setSyncPriority(CopyPriority.COPY_PRIORITY_HIGHEST);
    }

    private MirrorsResponse suspend(String v, boolean memberOnly) {
        return sites.a().mirrors().suspendMirrors(MirrorsRequest.newBuilder().addVolumes(v).setMemberOnly(memberOnly)
                .build());
    }

    private void writeRegions(String v, int count, long region) throws Exception {
        NbdWrites.randomRegions(sites.a().agent(), v, NbdWrites.distinctRegions(random, SIZE, region, count), region,
                random);
    }

    private Mirror awaitSynchronized(String v, String context) throws InterruptedException {
        sites.awaitState(sites.b(), v, MirrorState.SYNCHRONIZED, context);
        return sites.awaitState(sites.a(), v, MirrorState.SYNCHRONIZED, context);
    }

    private static boolean listed(MirrorSites.Site site, String v) {
        return site.mirrors().listMirrors(ListMirrorsRequest.getDefaultInstance()).getMirrorsList().stream()
                .anyMatch(m -> m.getVolume().equals(v));
    }

    private void assertGone(String v) {
        assertFalse(listed(sites.a(), v), "site-a still lists the mirror of " + v);
        assertFalse(listed(sites.b(), v), "site-b still lists the mirror of " + v);
    }

    private static void assertStays(MirrorSites.Site site, String v, MirrorState state, Duration period,
            String context) throws InterruptedException {
        long end = System.nanoTime() + period.toNanos();
        while (System.nanoTime() < end) {
            Mirror m = site.mirror(v);
            assertEquals(state, m.getState(), context + ": " + m);
            Thread.sleep(50); // looking at it over a period is the point here
        }
    }
}
