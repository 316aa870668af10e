package dev.copyservices.agent.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.nbd.RawNbdClient;
import dev.copyservices.api.agent.v1.CopyPriority;
import dev.copyservices.api.agent.v1.CreateMirrorRequest;
import dev.copyservices.api.agent.v1.ErrorDetail;
import dev.copyservices.api.agent.v1.GetMirroringRequest;
import dev.copyservices.api.agent.v1.ListMirrorsRequest;
import dev.copyservices.api.agent.v1.Mirror;
import dev.copyservices.api.agent.v1.MirrorRole;
import dev.copyservices.api.agent.v1.MirrorState;
import dev.copyservices.api.agent.v1.MirroringStatus;
import dev.copyservices.api.agent.v1.MirrorsRequest;
import dev.copyservices.api.agent.v1.MirrorsResponse;
import dev.copyservices.api.agent.v1.ResizeVolumeRequest;
import dev.copyservices.api.agent.v1.ResyncMethod;
import dev.copyservices.api.agent.v1.UpdateMirrorsRequest;
import dev.copyservices.api.agent.v1.WriteMode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a person sees and sets on existing mirrors (list and show, settings of several at once, only on
 * the primary's agent), growing members, and the per-array mirror limit, on agents started with --max-mirrors 3.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MirrorSettingsLimitIT {
    private static final long SIZE = 8 << 20;
    private static final int MAX = 3;

    private MirrorSites sites;

    @BeforeAll
    void startSites(@TempDir Path dir) throws Exception {
        sites = MirrorSites.start(dir, false, "--max-mirrors", String.valueOf(MAX));
        sites.activate();
    }

    @AfterAll
    void stopSites() throws Exception {
        if (sites != null) {
            sites.close();
        }
    }

    // mirror-operations O19
    @Test
    void listAndShowGiveRolePeerModePriorityResyncStateAndProgressOnBothSides() throws Exception {
        sites.createVolumes("o19-sync", SIZE);
        sites.createVolumes("o19-async", SIZE);
        sites.createSynchronized("o19-sync", "o19-sync", CreateMirrorRequest.newBuilder()
                .setSyncPriority(CopyPriority.COPY_PRIORITY_HIGH), "o19-sync");
        sites.createSynchronized("o19-async", "o19-async", CreateMirrorRequest.newBuilder().setWriteMode(WriteMode
                .ASYNCHRONOUS).setConsistencyGroup("o19g").setResyncMethod(ResyncMethod.AUTOMATIC), "o19-async");
        Map<String, Mirror> onA = list(sites.a());
        Map<String, Mirror> onB = list(sites.b());
        for (String v : List.of("o19-sync", "o19-async")) {
            Mirror a = onA.get(v);
            Mirror b = onB.get(v);
            assertTrue(a != null && b != null, v + " not listed on both sides: " + onA.keySet() + " " + onB.keySet());
            Mirror shown = sites.a().mirror(v);
            assertEquals(a.getId(), shown.getId(), v + ": show and list differ");
            assertEquals(a.getPeerEndpoint(), shown.getPeerEndpoint(), v + ": show and list differ");
            assertEquals(a.getId(), b.getId(), v + ": the members do not share the mirror's id");
            assertEquals(MirrorRole.PRIMARY, a.getRole());
            assertEquals(MirrorRole.SECONDARY, b.getRole());
            assertEquals(MirrorRole.SECONDARY, a.getPeerRole());
            assertEquals("site-b", a.getPeerArray());
            assertEquals("site-a", b.getPeerArray());
            assertEquals(v, a.getPeerVolume());
            assertTrue(a.getPeerReachable() && b.getPeerReachable(), a + "\n" + b);
            for (Mirror m : List.of(a, b)) {
                assertEquals(MirrorState.SYNCHRONIZED, m.getState(), m.toString());
                assertEquals(100.0, m.getProgressPercent(), 0.001, m.toString());
                assertEquals(SIZE, m.getCapacityBytes(), m.toString());
                assertEquals(1, m.getGeneration(), m.toString());
                assertTrue(m.hasCreated() && m.hasLastSynchronized(), m.toString());
            }
            assertEquals(a.getWriteMode(), b.getWriteMode());
            assertEquals(a.getSyncPriority(), b.getSyncPriority());
            assertEquals(a.getResyncMethod(), b.getResyncMethod());
        }
        assertEquals(CopyPriority.COPY_PRIORITY_HIGH, onA.get("o19-sync").getSyncPriority());
        assertEquals(WriteMode.ASYNCHRONOUS, onB.get("o19-async").getWriteMode());
        assertEquals("o19g", onB.get("o19-async").getConsistencyGroup());
        assertEquals(ResyncMethod.AUTOMATIC, onB.get("o19-async").getResyncMethod());
        MirroringStatus status = sites.a().mirrors().getMirroring(GetMirroringRequest.getDefaultInstance());
        assertEquals(2, status.getMirrors(), status.toString());
        assertEquals(MAX, status.getMaxMirrors(), status.toString());
        assertEquals("site-b", status.getPartnerArray(), status.toString());
        assertTrue(status.getActivated() && status.getEnabled(), status.toString());
        sites.removeEverywhere("o19-sync", "o19-sync", "o19");
        sites.removeEverywhere("o19-async", "o19-async", "o19");
    }

    // mirror-operations O20 (and docs/mirror.md: suspend, resume and settings are the primary's)
    @Test
    void settingsApplyToSeveralMirrorsAtOnceOnThePrimaryAndAreRefusedOnTheSecondarysAgent() throws Exception {
        List<String> volumes = List.of("o20-0", "o20-1");
        for (String v : volumes) {
            sites.createVolumes(v, SIZE);
            sites.createSynchronized(v, v, CreateMirrorRequest.newBuilder(), v);
        }
        UpdateMirrorsRequest lowest = UpdateMirrorsRequest.newBuilder().addAllVolumes(volumes)
                .setSyncPriority(CopyPriority.COPY_PRIORITY_LOWEST).setResyncMethod(ResyncMethod.AUTOMATIC).build();
        ErrorDetail onSecondary = VolumeCopies.fails(Status.Code.FAILED_PRECONDITION, "MIRROR_STATE",
                () -> sites.b().mirrors().updateMirrors(lowest));
        assertTrue(onSecondary.getCorrection().contains("site-a"), "the refusal does not say where to run it: "
                + onSecondary);
        ErrorDetail suspend = VolumeCopies.fails(Status.Code.FAILED_PRECONDITION, "MIRROR_STATE", () -> sites.b()
                .mirrors().suspendMirrors(MirrorsRequest.newBuilder().addVolumes(volumes.get(0)).build()));
        assertTrue(suspend.getCorrection().contains("site-a"), suspend.toString());
        // all or none: one unknown volume leaves the others unchanged
        StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class, () -> sites.a().mirrors()
                .updateMirrors(lowest.toBuilder().addVolumes("o20-none").build()));
        assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode(), unknown.toString());
        for (String v : volumes) {
            assertEquals(CopyPriority.COPY_PRIORITY_MEDIUM, sites.a().mirror(v).getSyncPriority(), v + " changed");
            assertEquals(CopyPriority.COPY_PRIORITY_MEDIUM, sites.b().mirror(v).getSyncPriority(), v + " changed");
        }
        long secondaryEvents = AgentEvents.lastSequence(sites.b().agent());
        MirrorsResponse updated = sites.a().mirrors().updateMirrors(lowest);
        assertEquals(2, updated.getMirrorsCount(), updated.toString());
        for (String v : volumes) {
            Mirror a = sites.a().mirror(v);
            assertEquals(CopyPriority.COPY_PRIORITY_LOWEST, a.getSyncPriority(), a.toString());
            assertEquals(ResyncMethod.AUTOMATIC, a.getResyncMethod(), a.toString());
            assertEquals(WriteMode.SYNCHRONOUS, a.getWriteMode(), "an unset field changed: " + a);
            MirrorSites.await(sites.b(), v, "the new settings", m -> m.getSyncPriority() == CopyPriority
                    .COPY_PRIORITY_LOWEST && m.getResyncMethod() == ResyncMethod.AUTOMATIC, MirrorSites.TIMEOUT, v);
        }
        // the secondary's agent says so too, for whoever follows its events (the operator at its site)
        AgentEvents.await(sites.b().agent(), secondaryEvents, "MIRROR_SETTINGS_CHANGED", java.util.Set.copyOf(volumes),
                "settings learnt by the secondary");
        for (String v : volumes) {
            sites.removeEverywhere(v, v, v);
        }
    }

    // mirror-overview V6, mirror-operations O13
    @Test
    void primariesAndSecondariesCountAlikeAgainstTheMirrorLimit() throws Exception {
        try {
            countAlike();
        } finally { // the next test needs the room
            for (String v : List.of("v6-0", "v6-1", "v6-b", "v6-3", "v6-b2")) {
                sites.removeEverywhere(v, v, v);
            }
        }
    }

    private void countAlike() throws Exception {
        for (String v : List.of("v6-0", "v6-1", "v6-2", "v6-3", "v6-b", "v6-b2")) {
            sites.createVolumes(v, SIZE);
        }
        sites.createMirror("v6-0", "v6-0", CreateMirrorRequest.newBuilder());
        sites.createMirror("v6-1", "v6-1", CreateMirrorRequest.newBuilder());
        // site-a's third mirror is a secondary: a mirror from site-b
        sites.b().mirrors().createMirror(CreateMirrorRequest.newBuilder().setPrimary("v6-b").setPeer(sites.a()
                .endpoint()).setSecondary("v6-b").build());
        StatusRuntimeException asPrimary = assertThrows(StatusRuntimeException.class, () -> sites.createMirror(
                "v6-3", "v6-3", CreateMirrorRequest.newBuilder()));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, asPrimary.getStatus().getCode(), asPrimary.toString());
        assertTrue(asPrimary.getStatus().getDescription().contains(String.valueOf(MAX)), asPrimary.toString());
        StatusRuntimeException asSecondary = assertThrows(StatusRuntimeException.class, () -> sites.b().mirrors()
                .createMirror(CreateMirrorRequest.newBuilder().setPrimary("v6-b2").setPeer(sites.a().endpoint())
                        .setSecondary("v6-b2").build()));
        // with one partner both arrays hold the same mirrors, so both are at their limit
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, asSecondary.getStatus().getCode(), asSecondary.toString());
        assertFalse(list(sites.a()).containsKey("v6-3") || list(sites.a()).containsKey("v6-b2"), "refused but listed");
        assertFalse(list(sites.b()).containsKey("v6-3") || list(sites.b()).containsKey("v6-b2"), "refused but listed");
        assertEquals(MAX, sites.a().mirrors().getMirroring(GetMirroringRequest.getDefaultInstance()).getMirrors());
        sites.removeEverywhere("v6-0", "v6-0", "v6");
        sites.createMirror("v6-3", "v6-3", CreateMirrorRequest.newBuilder()); // room again
    }

    // mirror-overview V43
    @Test
    void eitherMemberMayGrowAndTheMirrorKeepsCoveringThePrimarysSizeAtCreation() throws Exception {
        String v = "v43";
        sites.createVolumes(v, SIZE);
        sites.createSynchronized(v, v, CreateMirrorRequest.newBuilder(), v);
        VolumeCopies.volumes(sites.b().agent()).resizeVolume(ResizeVolumeRequest.newBuilder().setName(v)
                .setSizeBytes(3 * SIZE).build());
        VolumeCopies.volumes(sites.a().agent()).resizeVolume(ResizeVolumeRequest.newBuilder().setName(v)
                .setSizeBytes(2 * SIZE).build());
        byte[] inside = new byte[65536];
        byte[] past = new byte[65536];
        new java.util.Random(43).nextBytes(inside);
        new java.util.Random(44).nextBytes(past);
        try (RawNbdClient primary = RawNbdClient.negotiated(sites.a().agent().nbdPort(), v)) {
            NbdWrites.write(primary, 1, SIZE - inside.length, inside, v);
            NbdWrites.write(primary, 2, SIZE, past, v);
        }
        for (MirrorSites.Site site : List.of(sites.a(), sites.b())) {
            Mirror m = site.mirror(v);
            assertEquals(SIZE, m.getCapacityBytes(), site + ": " + m);
            assertEquals(MirrorState.SYNCHRONIZED, m.getState(), site + ": " + m);
        }
        try (RawNbdClient secondary = RawNbdClient.negotiated(sites.b().agent().nbdPort(), v)) {
            assertArrayEquals(inside, secondary.read(3, SIZE - inside.length, inside.length), "a mirrored write");
            assertArrayEquals(new byte[past.length], secondary.read(4, SIZE, past.length), "a write past the"
                    + " mirror's capacity reached the secondary");
        }
        sites.removeEverywhere(v, v, v);
    }

    private static Map<String, Mirror> list(MirrorSites.Site site) {
        return site.mirrors().listMirrors(ListMirrorsRequest.getDefaultInstance()).getMirrorsList().stream()
                .collect(Collectors.toMap(Mirror::getVolume, m -> m));
    }
}
