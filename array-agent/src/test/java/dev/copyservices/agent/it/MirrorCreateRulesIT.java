package dev.copyservices.agent.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.nbd.RawNbdClient;
import dev.copyservices.api.agent.v1.ActivateMirroringRequest;
import dev.copyservices.api.agent.v1.ChangeRoleRequest;
import dev.copyservices.api.agent.v1.CopyPriority;
import dev.copyservices.api.agent.v1.CreateFlashCopyRequest;
import dev.copyservices.api.agent.v1.CreateMirrorRequest;
import dev.copyservices.api.agent.v1.DeactivateMirroringRequest;
import dev.copyservices.api.agent.v1.FlashCopyServiceGrpc;
import dev.copyservices.api.agent.v1.ListMirrorsRequest;
import dev.copyservices.api.agent.v1.ListSecondaryCandidatesRequest;
import dev.copyservices.api.agent.v1.ListSecondaryCandidatesResponse;
import dev.copyservices.api.agent.v1.Mirror;
import dev.copyservices.api.agent.v1.MirrorRole;
import dev.copyservices.api.agent.v1.MirrorState;
import dev.copyservices.api.agent.v1.ResyncMethod;
import dev.copyservices.api.agent.v1.SecondaryCandidate;
import dev.copyservices.api.agent.v1.WriteMode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rules a mirror's creation checks, on two real agents: mirroring activated on both, a secondary at
 * least as large, standard volumes in one mirror at most, FlashCopy bases and VolumeCopy pairs, the
 * defaults, and bad input. Every refusal is checked to have created nothing on either agent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MirrorCreateRulesIT {
    private static final long MIB = 1 << 20;
    private static final long SIZE = 16 * MIB;

    private MirrorSites sites;
    private final Random random = new Random(7);

    @BeforeAll
    void startSites(@TempDir Path dir) throws Exception {
        sites = MirrorSites.start(dir, false);
        sites.activate();
    }

    @AfterAll
    void stopSites() throws Exception {
        if (sites != null) {
            sites.close();
        }
    }

    // mirror-overview V1, mirror-operations O1
    @Test
    void creatingAMirrorIsRefusedUnlessMirroringIsActivatedOnBothArraysAndTheRefusalNamesTheArray() throws Exception {
        sites.createVolumes("v1", SIZE);
        try {
            for (MirrorSites.Site off : List.of(sites.b(), sites.a())) {
                off.mirrors().deactivateMirroring(DeactivateMirroringRequest.getDefaultInstance());
                StatusRuntimeException e = refused(Status.Code.FAILED_PRECONDITION, () -> create("v1", "v1", sync()));
                // the peer is named; the agent asked speaks of itself as "this array"
                String named = off == sites.a() ? "this array" : "array '" + off.name() + "'";
                assertTrue(e.getStatus().getDescription().contains(named), off + " deactivated: " + e);
                assertTrue(e.getStatus().getDescription().contains("not activated"), e.toString());
                assertNoMirror("v1", "v1");
                off.mirrors().activateMirroring(ActivateMirroringRequest.getDefaultInstance());
            }
        } finally {
            sites.activate();
        }
        create("v1", "v1", sync());
        sites.removeEverywhere("v1", "v1", "v1");
    }

    // mirror-operations O6
    @Test
    void promotingOrDemotingOnAnArrayWithoutActivatedMirroringIsRefusedAndSaysSo() throws Exception {
        sites.createVolumes("o6", SIZE);
        MirrorSites.Site off = sites.b();
        off.mirrors().deactivateMirroring(DeactivateMirroringRequest.getDefaultInstance());
        try {
            for (MirrorRole role : List.of(MirrorRole.PRIMARY, MirrorRole.SECONDARY)) {
                StatusRuntimeException e = refused(Status.Code.FAILED_PRECONDITION, () -> off.mirrors().changeRole(
                        ChangeRoleRequest.newBuilder().setVolume("o6").setRole(role).build()));
                assertTrue(e.getStatus().getDescription().contains("not activated"), role + ": " + e);
                assertTrue(e.getStatus().getDescription().contains(role == MirrorRole.PRIMARY ? "promote" : "demote"),
                        role + ": " + e);
                assertFalse(off.mirrors().getMirroring(dev.copyservices.api.agent.v1.GetMirroringRequest
                        .getDefaultInstance()).getActivated(), role + ": the refusal activated mirroring");
                assertNoMirror("o6", "o6");
            }
        } finally {
            sites.activate();
        }
    }

    // mirror-operations O3
    @Test
    void deactivatingMirroringIsRefusedOnBothArraysWhileAMirrorExists() throws Exception {
        sites.createVolumes("o3", SIZE);
        create("o3", "o3", sync());
        for (MirrorSites.Site site : List.of(sites.a(), sites.b())) {
            refused(Status.Code.FAILED_PRECONDITION, () -> site.mirrors().deactivateMirroring(
                    DeactivateMirroringRequest.getDefaultInstance()));
            assertTrue(site.mirrors().getMirroring(dev.copyservices.api.agent.v1.GetMirroringRequest
                    .getDefaultInstance()).getActivated(), site + ": deactivated although a mirror exists");
        }
        sites.removeEverywhere("o3", "o3", "o3");
    }

    // mirror-overview V2, mirror-operations O9
    @Test
    void aSecondarySmallerThanThePrimaryIsRefusedAndAnEqualOrLargerOneAccepted() throws Exception {
        VolumeCopies.createVolume(sites.a().agent(), "v2", SIZE);
        VolumeCopies.createVolume(sites.b().agent(), "v2-small", SIZE - MIB);
        VolumeCopies.createVolume(sites.b().agent(), "v2-equal", SIZE);
        VolumeCopies.createVolume(sites.b().agent(), "v2-large", 2 * SIZE);
        VolumeCopies.createVolume(sites.a().agent(), "v2b", SIZE);
        StatusRuntimeException e = refused(Status.Code.FAILED_PRECONDITION, () -> create("v2", "v2-small", sync()));
        assertTrue(e.getStatus().getDescription().contains("at least as large"), e.toString());
        assertNoMirror("v2", "v2-small");
        sites.createSynchronized("v2", "v2-equal", sync(), "equal");
        sites.createSynchronized("v2b", "v2-large", sync(), "larger");
        sites.removeEverywhere("v2", "v2-equal", "v2");
        sites.removeEverywhere("v2b", "v2-large", "v2b");
    }

    // mirror-overview V3, V4, mirror-operations O15
    @Test
    void aVolumeAlreadyInAMirrorInEitherRoleIsNotAValidCandidateForAnother() throws Exception {
        sites.createVolumes("v4", SIZE);
        VolumeCopies.createVolume(sites.a().agent(), "v4-other", SIZE);
        VolumeCopies.createVolume(sites.b().agent(), "v4-other", SIZE);
        create("v4", "v4", sync());
        // v4 on B is a secondary: not a secondary again
        StatusRuntimeException asSecondary = refused(Status.Code.FAILED_PRECONDITION,
                () -> create("v4-other", "v4", sync()));
        assertTrue(asSecondary.getStatus().getDescription().contains("not a valid candidate"), asSecondary.toString());
        // v4 on A is a primary: neither a primary again nor a secondary of a mirror from B
        StatusRuntimeException asPrimary = refused(Status.Code.FAILED_PRECONDITION, () -> create("v4", "v4-other",
                sync()));
        assertTrue(asPrimary.getStatus().getDescription().contains("not a valid candidate"), asPrimary.toString());
        StatusRuntimeException reverse = refused(Status.Code.FAILED_PRECONDITION, () -> sites.b().mirrors()
                .createMirror(sync().setPrimary("v4-other").setPeer(sites.a().endpoint()).setSecondary("v4").build()));
        assertTrue(reverse.getStatus().getDescription().contains("not a valid candidate"), reverse.toString());
        assertNoMirror("v4-other", "v4-other");
        sites.removeEverywhere("v4", "v4", "v4");
    }

    // mirror-overview V3 (not a standard volume)
    @Test
    void aFlashCopyIsNotAStandardVolumeAndCannotBeASecondary() throws Exception {
        sites.createVolumes("v3", SIZE);
        flashCopy(sites.b(), "v3", "v3-fc");
        StatusRuntimeException e = refused(Status.Code.FAILED_PRECONDITION, () -> create("v3", "v3-fc", sync()));
        assertTrue(e.getStatus().getDescription().contains("standard"), e.toString());
        assertNoMirror("v3", "v3-fc");
    }

    // mirror-overview V40, mirror-operations O18
    @Test
    void aFlashCopyBaseIsRefusedAsSecondaryAndAcceptedAsPrimary() throws Exception {
        sites.createVolumes("v40", SIZE);
        flashCopy(sites.b(), "v40", "v40-fcb");
        StatusRuntimeException e = refused(Status.Code.FAILED_PRECONDITION, () -> create("v40", "v40", sync()));
        assertTrue(e.getStatus().getDescription().contains("FlashCopy base"), e.toString());
        assertNoMirror("v40", "v40");
        VolumeCopies.createVolume(sites.b().agent(), "v40-copy", SIZE);
        flashCopy(sites.a(), "v40", "v40-fca");
        sites.createSynchronized("v40", "v40-copy", sync(), "FlashCopy base as primary");
        sites.removeEverywhere("v40", "v40-copy", "v40");
    }

    /**
     * The candidates for a primary are the peer's volumes a create would accept, each listed with its
     * size; volumes too small, already mirrored or a FlashCopy base are left out, a primary larger than
     * any free volume gets an empty list, and a peer that cannot take a new mirror is a refusal that
     * names it. Listing changes nothing.
     */
    // mirror-operations O10, O11
    @Test
    void secondaryCandidatesAreThePeersVolumesACreateWouldAcceptAndNoneWhenNoneQualify() throws Exception {
        long size = 24 * MIB;
        VolumeCopies.createVolume(sites.a().agent(), "o10", size);
        VolumeCopies.createVolume(sites.b().agent(), "o10-small", size - MIB);
        VolumeCopies.createVolume(sites.b().agent(), "o10-equal", size);
        VolumeCopies.createVolume(sites.b().agent(), "o10-large", 2 * size);
        VolumeCopies.createVolume(sites.b().agent(), "o10-base", 2 * size);
        flashCopy(sites.b(), "o10-base", "o10-base-fc");
        sites.createVolumes("o10-mirrored", 2 * size);
        create("o10-mirrored", "o10-mirrored", sync());

        ListSecondaryCandidatesResponse found = candidates("o10");
        System.out.println("candidates for o10: " + found);
        assertEquals(sites.b().name(), found.getPeerArray());
        List<String> names = found.getCandidatesList().stream().map(SecondaryCandidate::getVolume).toList();
        assertTrue(names.containsAll(List.of("o10-equal", "o10-large")), "eligible volumes missing: " + names);
        for (String never : List.of("o10-small", "o10-base", "o10-base-fc", "o10-mirrored")) {
            assertFalse(names.contains(never), never + " is not a valid secondary but was listed: " + names);
        }
        for (SecondaryCandidate c : found.getCandidatesList()) {
            assertTrue(c.getSizeBytes() >= size, "smaller than the primary: " + c);
        }
        // every listed candidate is one the create accepts
        sites.createSynchronized("o10", "o10-equal", sync(), "a listed candidate");
        VolumeCopies.createVolume(sites.a().agent(), "o10-next", size);
        assertFalse(candidates("o10-next").getCandidatesList().stream()
                .anyMatch(c -> c.getVolume().equals("o10-equal")), "a volume now in a mirror is still listed");
        sites.removeEverywhere("o10", "o10-equal", "o10");
        sites.removeEverywhere("o10-mirrored", "o10-mirrored", "o10-mirrored");
        VolumeCopies.createVolume(sites.a().agent(), "o10-huge", 4096 * MIB);
        assertEquals(List.of(), candidates("o10-huge").getCandidatesList(), "no volume on site-b has 4 GiB");

        // O11: an array that cannot take a new mirror is refused, by name, and nothing changed
        sites.b().mirrors().deactivateMirroring(DeactivateMirroringRequest.getDefaultInstance());
        try {
            StatusRuntimeException e = refused(Status.Code.FAILED_PRECONDITION, () -> candidates("o10"));
            assertTrue(e.getStatus().getDescription().contains("array '" + sites.b().name() + "'")
                    && e.getStatus().getDescription().contains("not activated"), e.toString());
        } finally {
            sites.activate();
        }
        assertNoMirror("o10", "o10-equal");
    }

    private ListSecondaryCandidatesResponse candidates(String primary) {
        return sites.a().mirrors().listSecondaryCandidates(ListSecondaryCandidatesRequest.newBuilder()
                .setPrimary(primary).setPeer(sites.b().reachableAt()).build());
    }

    // mirror-overview V42
    @Test
    void aVolumeCopyWithTheSecondaryIsRefusedWhileThePrimaryMayBeItsSource() throws Exception {
        sites.createVolumes("v42", SIZE);
        VolumeCopies.createVolume(sites.a().agent(), "v42-target", SIZE);
        VolumeCopies.createVolume(sites.b().agent(), "v42-other", SIZE);
        NbdWrites.fillRandom(sites.a().agent(), "v42", SIZE, random);
        sites.createSynchronized("v42", "v42", sync(), "v42");
        refused(null, () -> VolumeCopies.create(sites.b().agent(), "v42", "v42-other", CopyPriority.COPY_PRIORITY_HIGH));
        refused(null, () -> VolumeCopies.create(sites.b().agent(), "v42-other", "v42", CopyPriority.COPY_PRIORITY_HIGH));
        assertTrue(VolumeCopies.copies(sites.b().agent()).listCopies(dev.copyservices.api.agent.v1.ListCopiesRequest
                .getDefaultInstance()).getCopiesList().isEmpty(), "a refused VolumeCopy left a pair behind");
        VolumeCopies.create(sites.a().agent(), "v42", "v42-target", CopyPriority.COPY_PRIORITY_HIGHEST);
        VolumeCopies.awaitCompleted(sites.a().agent(), "v42-target", "primary as VolumeCopy source");
        assertEquals(MirrorState.SYNCHRONIZED, sites.a().mirror("v42").getState(), "the copy disturbed the mirror");
        sites.removeEverywhere("v42", "v42", "v42");
    }

    // mirror-overview V29, mirror-operations O16 (and the defaults Medium / Manual of docs/mirror.md)
    @Test
    void aMirrorCreatedWithoutAModeIsSynchronousWithMediumPriorityAndManualResync() throws Exception {
        sites.createVolumes("v29", SIZE);
        create("v29", "v29", CreateMirrorRequest.newBuilder());
        for (MirrorSites.Site site : List.of(sites.a(), sites.b())) {
            Mirror m = site.mirror("v29");
            assertEquals(WriteMode.SYNCHRONOUS, m.getWriteMode(), site + ": " + m);
            assertEquals(CopyPriority.COPY_PRIORITY_MEDIUM, m.getSyncPriority(), site + ": " + m);
            assertEquals(ResyncMethod.MANUAL, m.getResyncMethod(), site + ": " + m);
        }
        sites.removeEverywhere("v29", "v29", "v29");
    }

    // the operator's adoption and progress rely on these two (docs/mirror.md)
    @Test
    void labelsGivenAtCreateAreKeptByBothMembersAcrossARestartAndProgressIsAnnouncedByTenths() throws Exception {
        long size = 64 * MIB;
        sites.createVolumes("lbl", size);
        NbdWrites.fillRandom(sites.a().agent(), "lbl", size, random);
        long afterA = AgentEvents.lastSequence(sites.a().agent());
        long afterB = AgentEvents.lastSequence(sites.b().agent());
        java.util.Map<String, String> labels = java.util.Map.of("copyservices.dev/namespace", "shop",
                "copyservices.dev/name", "orders-db", "app", "orders");
        sites.createSynchronized("lbl", "lbl", sync().setSyncPriority(CopyPriority.COPY_PRIORITY_LOWEST)
                .putAllLabels(labels), "labels");
        assertEquals(labels, sites.a().mirror("lbl").getLabelsMap(), "the primary keeps the labels");
        assertEquals(labels, sites.b().mirror("lbl").getLabelsMap(), "the secondary got them at create");
        for (MirrorSites.Site site : List.of(sites.a(), sites.b())) {
            long after = site == sites.a() ? afterA : afterB;
            java.util.List<String> progress = new java.util.ArrayList<>();
            java.util.Iterator<dev.copyservices.api.agent.v1.Event> events = dev.copyservices.api.agent.v1.EventServiceGrpc
                    .newBlockingStub(site.agent().channel()).withDeadlineAfter(30, TimeUnit.SECONDS)
                    .watchEvents(dev.copyservices.api.agent.v1.WatchEventsRequest.newBuilder().setAfterSequence(after).build());
            events.forEachRemaining(e -> {
                if (e.getReason().equals("MIRROR_PROGRESS") && e.getObjectName().equals("lbl")) {
                    progress.add(e.getMessage());
                }
            });
            assertFalse(progress.isEmpty(), site + ": no MIRROR_PROGRESS during a 64 MiB synchronization at Lowest priority");
            assertTrue(progress.stream().allMatch(m -> m.matches(".*'lbl' is [1-9]0% synchronized")), site + ": " + progress);
            assertEquals(progress.stream().distinct().count(), progress.size(), site + ": a tenth announced twice: " + progress);
        }
        sites.b().restart();
        MirrorSites.await(sites.b(), "lbl", "labelled after a restart", m -> m.getLabelsMap().equals(labels),
                MirrorSites.TIMEOUT, "labels after kill -9");
        sites.removeEverywhere("lbl", "lbl", "lbl");
    }

    @Test
    void tooManyOrInvalidLabelsAreRefusedAndCreateNothing() throws Exception {
        sites.createVolumes("badlbl", SIZE);
        CreateMirrorRequest.Builder many = sync();
        for (int i = 0; i < 33; i++) {
            many.putLabels("k" + i, "v");
        }
        StatusRuntimeException tooMany = refused(Status.Code.INVALID_ARGUMENT, () -> create("badlbl", "badlbl", many));
        assertTrue(tooMany.getStatus().getDescription().contains("at most 32"), tooMany.toString());
        StatusRuntimeException spaced = refused(Status.Code.INVALID_ARGUMENT, () -> create("badlbl", "badlbl",
                sync().putLabels("a key", "v")));
        assertTrue(spaced.getStatus().getDescription().contains("'a key'"), spaced.toString());
        assertNoMirror("badlbl", "badlbl");
    }

    // bad input: invalid peer address, unknown volumes, a synchronous mirror in a consistency group
    @Test
    void badInputIsAClearErrorThatCreatesNothing() throws Exception {
        sites.createVolumes("bad", SIZE);
        for (String peer : List.of("", "no-port", "127.0.0.1:notaport", "127.0.0.1:99999 x")) {
            refused(Status.Code.INVALID_ARGUMENT, () -> sites.a().mirrors().createMirror(sync().setPrimary("bad")
                    .setPeer(peer).setSecondary("bad").build()));
        }
        StatusRuntimeException noPrimary = refused(Status.Code.NOT_FOUND, () -> create("no-such", "bad", sync()));
        assertTrue(noPrimary.getStatus().getDescription().contains("no-such"), noPrimary.toString());
        StatusRuntimeException noSecondary = refused(null, () -> create("bad", "no-such-copy", sync()));
        assertTrue(noSecondary.getStatus().getDescription().contains("no-such-copy"), noSecondary.toString());
        StatusRuntimeException group = refused(Status.Code.INVALID_ARGUMENT, () -> create("bad", "bad", sync()
                .setConsistencyGroup("g")));
        assertTrue(group.getStatus().getDescription().toLowerCase().contains("group"), group.toString());
        assertNoMirror("bad", "bad");
        assertNoMirror("no-such", "no-such-copy");
    }

    // mirror-overview V15
    @Test
    void hostWritesToTheSecondaryAreRefusedWithEpermWhileReadsSucceed() throws Exception {
        sites.createVolumes("v15", SIZE);
        NbdWrites.fillRandom(sites.a().agent(), "v15", SIZE, random);
        sites.createSynchronized("v15", "v15", sync(), "v15");
        byte[] expected;
        try (RawNbdClient primary = RawNbdClient.negotiated(sites.a().agent().nbdPort(), "v15")) {
            expected = primary.read(1, 3 * MIB, 65536);
        }
        try (RawNbdClient secondary = RawNbdClient.negotiated(sites.b().agent().nbdPort(), "v15")) {
            assertArrayEquals(expected, secondary.read(1, 3 * MIB, 65536), "the secondary reads other bytes");
            secondary.write(0, 2, 3 * MIB, new byte[4096]);
            RawNbdClient.Reply reply = secondary.readReply(0);
            assertEquals(1, reply.error(), "a host write to the secondary must fail with EPERM (1)");
            assertArrayEquals(expected, secondary.read(3, 3 * MIB, 65536), "the refused write changed the secondary");
        }
        sites.removeEverywhere("v15", "v15", "v15");
    }

    // mirror-overview V11, mirror-operations O17
    @Test
    void inSynchronousModeAWriteIsOnTheSecondaryAsSoonAsItIsAcknowledged() throws Exception {
        sites.createVolumes("v11", SIZE);
        sites.createSynchronized("v11", "v11", sync(), "v11");
        try (RawNbdClient primary = RawNbdClient.negotiated(sites.a().agent().nbdPort(), "v11");
                RawNbdClient secondary = RawNbdClient.negotiated(sites.b().agent().nbdPort(), "v11")) {
            for (int i = 0; i < 20; i++) {
                byte[] data = new byte[65536];
                random.nextBytes(data);
                long offset = (long) random.nextInt((int) (SIZE / 65536)) * 65536;
                NbdWrites.write(primary, 10 + i, offset, data, "v11");
                assertArrayEquals(data, secondary.read(100 + i, offset, data.length), "write " + i + " at " + offset
                        + " acknowledged but not on the secondary");
            }
        }
        sites.removeEverywhere("v11", "v11", "v11");
    }

    private static CreateMirrorRequest.Builder sync() {
        return CreateMirrorRequest.newBuilder().setWriteMode(WriteMode.SYNCHRONOUS)
                .setSyncPriority(CopyPriority.COPY_PRIORITY_HIGHEST);
    }

    private Mirror create(String primary, String secondary, CreateMirrorRequest.Builder settings) {
        Mirror m = sites.createMirror(primary, secondary, settings);
        assertEquals(MirrorRole.PRIMARY, m.getRole());
        return m;
    }

    private void flashCopy(MirrorSites.Site site, String base, String name) {
        FlashCopyServiceGrpc.newBlockingStub(site.agent().channel()).withDeadlineAfter(60, TimeUnit.SECONDS)
                .createFlashCopy(CreateFlashCopyRequest.newBuilder().setBase(base).setName(name).build());
    }

    /** Asserts the call is refused (with {@code code} unless null) and with a description. */
    private static StatusRuntimeException refused(Status.Code code, Executable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
        if (code != null) {
            assertEquals(code, e.getStatus().getCode(), e.toString());
        }
        String description = e.getStatus().getDescription();
        assertFalse(description == null || description.isBlank(), "no message in " + e);
        System.out.println("refused as expected: " + e);
        return e;
    }

    private void assertNoMirror(String aVolume, String bVolume) {
        assertFalse(sites.a().mirrors().listMirrors(ListMirrorsRequest.getDefaultInstance()).getMirrorsList().stream()
                .anyMatch(m -> m.getVolume().equals(aVolume)), "site-a lists a mirror of " + aVolume);
        assertFalse(sites.b().mirrors().listMirrors(ListMirrorsRequest.getDefaultInstance()).getMirrorsList().stream()
                .anyMatch(m -> m.getVolume().equals(bVolume)), "site-b lists a mirror of " + bVolume);
    }
}
