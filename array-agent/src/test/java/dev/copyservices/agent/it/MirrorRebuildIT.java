package dev.copyservices.agent.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.nbd.RawNbdClient;
import dev.copyservices.api.agent.v1.ActivateMirroringRequest;
import dev.copyservices.api.agent.v1.CopyPriority;
import dev.copyservices.api.agent.v1.CreateMirrorRequest;
import dev.copyservices.api.agent.v1.ErrorDetail;
import dev.copyservices.api.agent.v1.ListMirrorsRequest;
import dev.copyservices.api.agent.v1.Mirror;
import dev.copyservices.api.agent.v1.MirrorRole;
import dev.copyservices.api.agent.v1.MirrorState;
import dev.copyservices.api.agent.v1.MirrorsRequest;
import dev.copyservices.api.agent.v1.MirrorsResponse;
import dev.copyservices.api.agent.v1.WriteMode;
import io.grpc.Status;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failback after a rebuild (mirror-operations O50, seed L11623-L11710): the primary array is lost for
 * good, the secondary is promoted with force and takes the writes; a new array under the old name and
 * certificate, with a new pool (so a new array id), is refused as a partner until the secondary site
 * removes its mirror with the lost array; then it gets a mirror from the active site, fully
 * synchronizes, and a planned role reversal makes it primary again, with every byte of the active
 * site's volume, the writes made there while the old array was gone included.
 */
class MirrorRebuildIT {
    private static final long MIB = 1 << 20;
    private static final long SIZE = 16 * MIB;
    private static final int REGION = 64 * 1024;

    private final long seed = Long.getLong("crash.seed", System.nanoTime());
    private final Random random = new Random(seed);

    // mirror-operations O50
    @Test
    void aRebuiltPrimarySiteGetsAFullCopyFromTheActiveSiteAndBecomesPrimaryAgainByAPlannedReversal(
            @TempDir Path dir) throws Exception {
        System.out.println("MirrorRebuildIT crash.seed=" + seed);
        String v = "app";
        MirrorSites original = MirrorSites.start(dir.resolve("original"), false);
        MirrorSites rebuilt = null;
        try {
            original.activate();
            original.createVolumes(v, SIZE);
            NbdWrites.fillRandom(original.a().agent(), v, SIZE, random);
            original.createSynchronized(v, v, CreateMirrorRequest.newBuilder().setWriteMode(WriteMode.SYNCHRONOUS)
                    .setSyncPriority(CopyPriority.COPY_PRIORITY_HIGHEST), v);

            // Site A is destroyed: its agent dies and its pool is never used again.
            original.a().agent().kill9();
            MirrorSites.Site b = original.b();
            original.promoteForced(b, v, "site-b takes over");
            Map<Long, byte[]> writtenAtB = writeRegions(b, v, 8);

            // The rebuilt array: the same name and certificate, a new pool and so a new array id.
            MirrorSites.Site newA = original.startSite(dir.resolve("rebuilt"), "site-a", false);
            assertTrue(newA.mirrors().activateMirroring(ActivateMirroringRequest.getDefaultInstance()).getActivated());
            VolumeCopies.createVolume(newA.agent(), v, SIZE); // identical to the lost volume (R3)
            rebuilt = original.withA(newA);

            // Another volume of site-b's, not in a mirror, to the rebuilt array: the lost one is still the partner.
            String probe = "probe";
            VolumeCopies.createVolume(b.agent(), probe, SIZE);
            VolumeCopies.createVolume(newA.agent(), probe, SIZE);
            ErrorDetail stale = VolumeCopies.fails(Status.Code.FAILED_PRECONDITION, "WRONG_PARTNER",
                    () -> b.mirrors().createMirror(failback(probe, newA)));
            System.out.println("refused while the mirror with the lost array exists: " + stale);
            assertTrue(stale.getMessage().contains("another array"), stale.toString());
            assertTrue(stale.getCorrection().contains("rebuilt") && stale.getCorrection().contains("remove"),
                    "the correction should say to remove the mirrors with the old array first: " + stale);

            MirrorsResponse removed = b.mirrors().removeMirrors(MirrorsRequest.newBuilder().addVolumes(v).build());
            assertFalse(removed.getWarningsList().isEmpty(), "no word that the lost array was not told: " + removed);
            assertTrue(b.mirrors().listMirrors(ListMirrorsRequest.getDefaultInstance()).getMirrorsList().isEmpty());

            Mirror created = b.mirrors().createMirror(failback(v, newA));
            assertEquals(MirrorRole.PRIMARY, created.getRole(), created.toString());
            rebuilt.awaitState(newA, v, MirrorState.SYNCHRONIZED, "the rebuilt secondary");
            Mirror synced = rebuilt.awaitState(b, v, MirrorState.SYNCHRONIZED, "the full copy to the rebuilt array");
            assertTrue(synced.getBytesSent() >= SIZE, "the rebuilt array needs a full copy: sent "
                    + synced.getBytesSent() + " of " + SIZE);
            rebuilt.assertSameData(v, v, dir, "after the full synchronization");
            assertRegions(newA, v, writtenAtB, "the writes made at site-b while site-a was gone");

            // Planned reversal, link up: the rebuilt site is primary again and site-b follows.
            rebuilt.changeRole(newA, v, MirrorRole.PRIMARY, false, "failback");
            MirrorSites.await(b, v, "secondary and Synchronized", m -> m.getRole() == MirrorRole.SECONDARY
                    && m.getState() == MirrorState.SYNCHRONIZED, MirrorSites.TIMEOUT, "site-b after the failback");
            Mirror primaryAgain = rebuilt.awaitState(newA, v, MirrorState.SYNCHRONIZED, "site-a after the failback");
            assertEquals(MirrorRole.PRIMARY, primaryAgain.getRole(), primaryAgain.toString());
            Map<Long, byte[]> writtenAtA = writeRegions(newA, v, 4); // synchronous: acknowledged means at B
            assertRegions(b.agent(), v, writtenAtA, "site-a's writes after the failback, read at site-b");
            rebuilt.assertSameData(v, v, dir, "after the failback");
            rebuilt.removeEverywhere(v, v, v);
        } finally {
            if (rebuilt != null) {
                rebuilt.close();
            }
            original.close(); // the lost site-a (already dead) and site-b again: closing twice is harmless
        }
    }

    private static CreateMirrorRequest failback(String v, MirrorSites.Site to) {
        return CreateMirrorRequest.newBuilder().setPrimary(v).setPeer(to.reachableAt()).setSecondary(v)
                .setWriteMode(WriteMode.SYNCHRONOUS).setSyncPriority(CopyPriority.COPY_PRIORITY_HIGHEST).build();
    }

    /** {@code count} distinct regions of fresh random data, written through the site's NBD export. */
    private Map<Long, byte[]> writeRegions(MirrorSites.Site site, String v, int count) throws Exception {
        Map<Long, byte[]> regions = new LinkedHashMap<>();
        try (RawNbdClient client = RawNbdClient.negotiated(site.agent().nbdPort(), v)) {
            long cookie = 1;
            for (long offset : NbdWrites.distinctRegions(random, SIZE, REGION, count)) {
                byte[] data = new byte[REGION];
                random.nextBytes(data);
                NbdWrites.write(client, cookie++, offset, data, v);
                regions.put(offset, data);
            }
            client.disconnect();
        }
        return regions;
    }

    private static void assertRegions(MirrorSites.Site site, String v, Map<Long, byte[]> expected, String context)
            throws Exception {
        assertRegions(site.agent(), v, expected, context);
    }

    private static void assertRegions(AgentProcess agent, String v, Map<Long, byte[]> expected, String context)
            throws Exception {
        try (RawNbdClient client = RawNbdClient.negotiated(agent.nbdPort(), v)) {
            long cookie = 100;
            for (Map.Entry<Long, byte[]> e : expected.entrySet()) {
                assertArrayEquals(e.getValue(), client.read(cookie++, e.getKey(), e.getValue().length), context
                        + ": wrong data at " + e.getKey());
            }
        }
    }
}
