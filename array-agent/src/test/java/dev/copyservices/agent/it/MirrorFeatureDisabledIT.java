package dev.copyservices.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.api.agent.v1.CopyPriority;
import dev.copyservices.api.agent.v1.CreateMirrorRequest;
import dev.copyservices.api.agent.v1.GetMirroringRequest;
import dev.copyservices.api.agent.v1.ListMirrorsRequest;
import dev.copyservices.api.agent.v1.MirrorServiceGrpc;
import dev.copyservices.api.agent.v1.MirrorState;
import dev.copyservices.api.agent.v1.MirroringStatus;
import dev.copyservices.api.agent.v1.MirrorsRequest;
import dev.copyservices.api.agent.v1.ResyncMethod;
import dev.copyservices.api.agent.v1.UpdateMirrorsRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's Disabled/Activated feature state: site-b's agent is restarted on its pool with
 * {@code --disable-feature mirror} while a mirror exists. New mirrors are refused in either direction,
 * and the existing one keeps replicating, suspends, resumes, takes new settings and is removed.
 */
class MirrorFeatureDisabledIT {
    private static final long MIB = 1 << 20;
    private static final long SIZE = 16 * MIB;

    @TempDir
    Path dir;

    // mirror-overview V45, mirror-operations O4
    @Test
    void withTheFeatureDisabledNewMirrorsAreRefusedWhileTheExistingOneKeepsWorking() throws Exception {
        Random random = new Random(17);
        try (MirrorSites sites = MirrorSites.start(dir, false)) {
            sites.activate();
            sites.createVolumes("v45", SIZE);
            sites.createVolumes("v45-new", SIZE);
            // Automatic: site-b's restart is a link failure, and the mirror must resync by itself
            sites.createSynchronized("v45", "v45", CreateMirrorRequest.newBuilder().setResyncMethod(
                    ResyncMethod.AUTOMATIC), "v45");

            sites.b().agent().close();
            List<String> args = new ArrayList<>(List.of("--replication-listen", sites.b().endpoint()));
            args.addAll(sites.pki().agentArgs(sites.pki().agent("site-b")));
            args.addAll(List.of("--disable-feature", "mirror"));
            try (AgentProcess disabled = AgentProcess.start(sites.b().agent().poolDir(), "site-b", "site-b", args,
                    MirrorSites.admin(sites.pki()), sites.pki().caCert())) {
                var b = MirrorServiceGrpc.newBlockingStub(disabled.channel()).withDeadlineAfter(60, TimeUnit.SECONDS);
                MirroringStatus status = b.getMirroring(GetMirroringRequest.getDefaultInstance());
                assertTrue(status.getActivated() && !status.getEnabled(), status.toString());

                StatusRuntimeException fromB = assertThrows(StatusRuntimeException.class, () -> b.createMirror(
                        CreateMirrorRequest.newBuilder().setPrimary("v45-new").setPeer(sites.a().endpoint())
                                .setSecondary("v45-new").build()));
                assertEquals(Status.Code.FAILED_PRECONDITION, fromB.getStatus().getCode(), fromB.toString());
                assertTrue(fromB.getStatus().getDescription().contains("disabled"), fromB.toString());
                StatusRuntimeException toB = assertThrows(StatusRuntimeException.class, () -> sites.createMirror(
                        "v45-new", "v45-new", CreateMirrorRequest.newBuilder()));
                assertTrue(toB.getStatus().getDescription().contains("disabled")
                        && toB.getStatus().getDescription().contains("site-b"), toB.toString());
                assertFalse(sites.a().mirrors().listMirrors(ListMirrorsRequest.getDefaultInstance()).getMirrorsList()
                        .stream().anyMatch(m -> m.getVolume().equals("v45-new")), "a refused mirror is listed");

                // the existing mirror: replicates, suspends, resumes with the delta, takes settings
                sites.awaitState(sites.a(), "v45", MirrorState.SYNCHRONIZED, "v45 after site-b's restart");
                NbdWrites.randomRegions(sites.a().agent(), "v45", List.of(0L, 5 * MIB), MIB, random);
                sites.a().mirrors().suspendMirrors(MirrorsRequest.newBuilder().addVolumes("v45").build());
                sites.awaitState(sites.a(), "v45", MirrorState.SUSPENDED, "v45 suspended");
                NbdWrites.randomRegions(sites.a().agent(), "v45", List.of(9 * MIB), MIB, random);
                sites.resume(sites.a(), "v45");
                sites.awaitState(sites.a(), "v45", MirrorState.SYNCHRONIZED, "v45 resumed");
                sites.a().mirrors().updateMirrors(UpdateMirrorsRequest.newBuilder().addVolumes("v45")
                        .setSyncPriority(CopyPriority.COPY_PRIORITY_LOW).build());
                assertEquals(CopyPriority.COPY_PRIORITY_LOW, sites.a().mirror("v45").getSyncPriority());
                Path fromA = dir.resolve("a.img");
                Path fromDisabled = dir.resolve("b.img");
                VolumeCopies.export(sites.a().agent(), "v45", fromA);
                VolumeCopies.export(disabled, "v45", fromDisabled);
                assertEquals(-1, Files.mismatch(fromA, fromDisabled), "v45 differs between the sites");

                sites.a().mirrors().removeMirrors(MirrorsRequest.newBuilder().addVolumes("v45").build());
                long deadline = System.nanoTime() + MirrorSites.TIMEOUT.toNanos();
                while (!b.listMirrors(ListMirrorsRequest.getDefaultInstance()).getMirrorsList().isEmpty()) {
                    assertTrue(System.nanoTime() < deadline, "site-b still lists the removed mirror");
                    Thread.sleep(20); // poll interval only
                }
            }
        }
    }
}
