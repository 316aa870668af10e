package dev.copyservices.agent.it;

import dev.copyservices.kubetest.TestPki;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.api.agent.v1.ActivateMirroringRequest;
import dev.copyservices.api.agent.v1.CreateMirrorRequest;
import dev.copyservices.api.agent.v1.ListMirrorsRequest;
import dev.copyservices.api.agent.v1.MirrorServiceGrpc;
import dev.copyservices.api.agent.v1.MirrorState;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replication link admits only agents with a certificate from the trusted CA: a third agent whose
 * certificate comes from an unrelated CA (though it trusts both CAs) can neither mirror to site-b,
 * which must refuse its client certificate, nor be mirrored to from site-a, which must refuse its server
 * certificate. Nothing is created on any side, and site-a and site-b still mirror with each other.
 */
class MirrorLinkTlsIT {
    private static final long SIZE = 16L << 20;

    @TempDir
    Path dir;

    // mirror-overview V38, mirror-operations O12 (the remote password is the link's mutual TLS)
    @Test
    void anAgentWithACertificateFromAnotherCaCanNeitherMirrorNorBeMirroredTo() throws Exception {
        try (MirrorSites sites = MirrorSites.start(dir, false)) {
            sites.activate();
            TestPki pki = sites.pki();
            int roguePort = AgentProcess.freePort();
            List<String> args = new ArrayList<>(List.of("--replication-listen", "127.0.0.1:" + roguePort));
            // trusts both CAs: its own certificate chains to one it trusts, and site-b's is accepted, so only
            // the other side's check can stop the link
            Path trust = dir.resolve("rogue-trust.pem");
            Files.writeString(trust, Files.readString(pki.rogueCaCert()) + Files.readString(pki.caCert()));
            args.addAll(List.of("--tls-cert", pki.rogue().cert().toString(), "--tls-key", pki.rogue().key().toString(),
                    "--tls-ca", trust.toString()));
            AgentProcess rogue = AgentProcess.start(Files.createDirectories(dir.resolve("rogue")), "rogue", "rogue",
                    args, MirrorSites.admin(pki), trust);
            try {
                MirrorServiceGrpc.MirrorServiceBlockingStub rogueMirrors = MirrorServiceGrpc.newBlockingStub(
                        rogue.channel()).withDeadlineAfter(60, TimeUnit.SECONDS);
                rogueMirrors.activateMirroring(ActivateMirroringRequest.getDefaultInstance());
                VolumeCopies.createVolume(rogue, "stolen", SIZE);
                sites.createVolumes("db", SIZE);

                StatusRuntimeException toB = assertThrows(StatusRuntimeException.class, () -> rogueMirrors
                        .createMirror(CreateMirrorRequest.newBuilder().setPrimary("stolen").setPeer(sites.b().endpoint())
                                .setSecondary("db").build()), "site-b accepted a client certificate from another CA");
                System.out.println("rogue -> site-b: " + toB.getStatus());
                StatusRuntimeException fromA = assertThrows(StatusRuntimeException.class, () -> sites.a().mirrors()
                        .createMirror(CreateMirrorRequest.newBuilder().setPrimary("db").setPeer("127.0.0.1:" + roguePort)
                                .setSecondary("stolen").build()),
                        "site-a accepted a server certificate from another CA");
                System.out.println("site-a -> rogue: " + fromA.getStatus());

                for (MirrorServiceGrpc.MirrorServiceBlockingStub stub : List.of(rogueMirrors, sites.a().mirrors(),
                        sites.b().mirrors())) {
                    assertTrue(stub.listMirrors(ListMirrorsRequest.getDefaultInstance()).getMirrorsList().isEmpty(),
                            "a refused link left a mirror behind");
                }
                sites.createMirror("db", "db", CreateMirrorRequest.newBuilder());
                sites.awaitState(sites.a(), "db", MirrorState.SYNCHRONIZED, "site-a to site-b after the refusals");
            } finally {
                rogue.close();
            }
        }
    }
}
