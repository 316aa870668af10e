package dev.copyservices.agent.security;

import dev.copyservices.api.agent.v1.ArrayServiceGrpc;
import dev.copyservices.api.agent.v1.EventServiceGrpc;
import dev.copyservices.api.agent.v1.FlashCopyGroupServiceGrpc;
import dev.copyservices.api.agent.v1.FlashCopyRelationshipServiceGrpc;
import dev.copyservices.api.agent.v1.FlashCopyServiceGrpc;
import dev.copyservices.api.agent.v1.MirrorServiceGrpc;
import dev.copyservices.api.agent.v1.VolumeCopyServiceGrpc;
import dev.copyservices.api.agent.v1.VolumeServiceGrpc;
import dev.copyservices.api.tls.CertificateIdentity;
import dev.copyservices.api.tls.Role;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who may call what on the two ports, by the role in the caller's certificate. The control port
 * grants each client role the services it uses: the operator and cli-admin everything, the CSI
 * driver volumes, FlashCopies and VolumeCopies (not mirrors, not the event stream). Array agents
 * reach each other on the replication port only, and there only from a configured peer site.
 */
public final class AccessPolicy {
    /** Health checks and server reflection: any caller with a certificate of the CA. */
    private static final Set<String> ANY_CALLER = Set.of("grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
            "grpc.reflection.v1alpha.ServerReflection");
    private static final Set<String> VOLUMES_AND_COPIES = Set.of(ArrayServiceGrpc.SERVICE_NAME,
            VolumeServiceGrpc.SERVICE_NAME, FlashCopyServiceGrpc.SERVICE_NAME,
            FlashCopyRelationshipServiceGrpc.SERVICE_NAME, FlashCopyGroupServiceGrpc.SERVICE_NAME,
            VolumeCopyServiceGrpc.SERVICE_NAME);
    private static final Set<String> ALL_CONTROL = union(VOLUMES_AND_COPIES, Set.of(MirrorServiceGrpc.SERVICE_NAME,
            EventServiceGrpc.SERVICE_NAME));
    private static final Map<Role, Set<String>> CONTROL = Map.of(Role.OPERATOR, ALL_CONTROL, Role.CLI_ADMIN,
            ALL_CONTROL, Role.CSI, VOLUMES_AND_COPIES, Role.ARRAY_AGENT, Set.of());

    /** Why a call is refused: a message and what to do about it. */
    public record Denial(String message, String correction) {
    }

    private final Set<String> peerSites;

    /** {@code peerSites}: the sites whose agents the replication port accepts; empty accepts any array agent. */
    public AccessPolicy(Set<String> peerSites) {
        this.peerSites = Set.copyOf(peerSites);
    }

    public Set<String> peerSites() {
        return peerSites;
    }

    /** A call on the control port to {@code service}, or why not. */
    public Optional<Denial> control(CertificateIdentity caller, String service) {
        if (caller.role().isEmpty()) {
            return Optional.of(noRole(caller));
        }
        Role role = caller.role().get();
        if (ANY_CALLER.contains(service) && role != Role.ARRAY_AGENT) {
            return Optional.empty();
        }
        if (CONTROL.get(role).contains(service)) {
            return Optional.empty();
        }
        if (role == Role.ARRAY_AGENT) {
            return Optional.of(new Denial("the caller's certificate (" + caller.describe() + ") is an array agent's;"
                    + " agents reach each other on the replication port, not the control port",
                    "call the control port with an operator, csi or cli-admin certificate"));
        }
        return Optional.of(new Denial(role + " (" + caller.describe() + ") may not call " + service,
                "use a certificate whose role may: the operator's or a cli-admin one (O=operator, O=cli-admin)"));
    }

    /** A call on the replication port, or why not. */
    public Optional<Denial> replication(CertificateIdentity caller) {
        if (!caller.hasRole(Role.ARRAY_AGENT)) {
            return Optional.of(new Denial("only array agents may use the replication port; the caller's certificate is "
                    + caller.describe(), "connect agents with their own certificates (O=array-agent, CN=their site)"));
        }
        if (!peerSites.isEmpty() && !peerSites.contains(caller.name())) {
            return Optional.of(new Denial("site '" + caller.name() + "' is not a peer of this agent (peer sites: "
                    + String.join(", ", peerSites.stream().sorted().toList()) + ")",
                    "start the agent with --peer-site " + caller.name() + " to mirror with that site"));
        }
        return Optional.empty();
    }

    private static Denial noRole(CertificateIdentity caller) {
        return new Denial("the caller's certificate (" + caller.describe() + ") names no copyservices role",
                "issue it with the subject's O= one of " + Role.allSubjectNames());
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        java.util.HashSet<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }
}
