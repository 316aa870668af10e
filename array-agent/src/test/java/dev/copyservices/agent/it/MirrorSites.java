package dev.copyservices.agent.it;

import dev.copyservices.kubetest.TestPki;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.pool.catalog.Catalog;
import dev.copyservices.agent.pool.catalog.MirrorRecord;
import dev.copyservices.api.agent.v1.ActivateMirroringRequest;
import dev.copyservices.api.agent.v1.ChangeRoleRequest;
import dev.copyservices.api.agent.v1.CreateMirrorRequest;
import dev.copyservices.api.agent.v1.Mirror;
import dev.copyservices.api.agent.v1.MirrorRef;
import dev.copyservices.api.agent.v1.MirrorRole;
import dev.copyservices.api.agent.v1.MirrorServiceGrpc;
import dev.copyservices.api.agent.v1.MirrorState;
import dev.copyservices.api.agent.v1.MirrorsRequest;
import dev.copyservices.api.agent.v1.MirrorsResponse;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Two arrays for remote mirror tests: real agent processes "site-a" and "site-b", each with a
 * replication listener on a fixed port of 127.0.0.1 and the link's mutual TLS from a {@link TestPki}.
 * Optionally a {@link FaultProxy} stands in front of each replication listener, and mirrors created
 * here are told to reach their peer through it. Mirrors are created with the primary on A unless said
 * otherwise.
 */
public final class MirrorSites implements AutoCloseable {
    public static final Duration TIMEOUT = Duration.ofMinutes(2);
    /** The catalog file's frame: magic, length, CRC (see CatalogStore). */
    private static final int CATALOG_HEADER = 8 + 4 + 4;

    /** One array: its agent, its replication port and the proxy in front of it, if any. */
    public static final class Site {
        private final String name;
        private final int replicationPort;
        private final AgentProcess agent;
        private final FaultProxy proxy;

        private Site(String name, int replicationPort, AgentProcess agent, FaultProxy proxy) {
            this.name = name;
            this.replicationPort = replicationPort;
            this.agent = agent;
            this.proxy = proxy;
        }

        public String name() {
            return name;
        }

        public AgentProcess agent() {
            return agent;
        }

        /** The proxy in front of this site's replication listener; null when the sites have none. */
        public FaultProxy proxy() {
            return proxy;
        }

        /** The replication listener itself. */
        public String endpoint() {
            return "127.0.0.1:" + replicationPort;
        }

        /** Where the other site is told to reach this one: the proxy if there is one. */
        public String reachableAt() {
            return proxy != null ? proxy.address() : endpoint();
        }

        public MirrorServiceGrpc.MirrorServiceBlockingStub mirrors() {
            return MirrorServiceGrpc.newBlockingStub(agent.channel()).withDeadlineAfter(60, TimeUnit.SECONDS);
        }

        public Mirror mirror(String volume) {
            return mirrors().getMirror(MirrorRef.newBuilder().setVolume(volume).build());
        }

        /** kill -9 and start again on the same pool and ports. */
        public void restart() throws IOException, InterruptedException {
            agent.kill9();
            agent.launch();
        }

        /** This member's record as the catalog on disk holds it (e.g. its region size). */
        public MirrorRecord durableMirror(String volume) throws IOException {
            byte[] bytes = Files.readAllBytes(agent.poolDir().resolve("catalog.pb"));
            Catalog catalog = Catalog.parseFrom(ByteBuffer.wrap(bytes, CATALOG_HEADER, bytes.length - CATALOG_HEADER));
            String id = catalog.getVolumesList().stream().filter(v -> v.getName().equals(volume)).findFirst()
                    .orElseThrow(() -> new AssertionError(name + ": no volume " + volume + " in the catalog")).getId();
            return catalog.getMirrorsList().stream().filter(m -> m.getVolumeId().equals(id)).findFirst()
                    .orElseThrow(() -> new AssertionError(name + ": no mirror of " + volume + " in the catalog"));
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private final TestPki pki;
    private final Site a;
    private final Site b;

    private MirrorSites(TestPki pki, Site a, Site b) {
        this.pki = pki;
        this.a = a;
        this.b = b;
    }

    /**
     * Starts both agents under {@code dir} (pools, PKI), with a FaultProxy in front of each replication
     * listener if {@code proxied}; {@code extraArgs} go to both agents.
     */
    public static MirrorSites start(Path dir, boolean proxied, String... extraArgs)
            throws IOException, InterruptedException {
        TestPki pki = TestPki.create(dir.resolve("pki"), "site-a", "site-b");
        Site a = null;
        try {
            a = site(dir, pki, "site-a", proxied, extraArgs);
            return new MirrorSites(pki, a, site(dir, pki, "site-b", proxied, extraArgs));
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (a != null) {
                closeSite(a);
            }
            throw e;
        }
    }

    private static Site site(Path dir, TestPki pki, String name, boolean proxied, String... extraArgs)
            throws IOException, InterruptedException {
        int port = AgentProcess.freePort();
        List<String> args = new ArrayList<>(List.of("--replication-listen", "127.0.0.1:" + port));
        args.addAll(pki.agentArgs(pki.agent(name)));
        args.addAll(List.of(extraArgs));
        FaultProxy proxy = proxied ? FaultProxy.start("127.0.0.1", port) : null;
        if (proxy != null) { // the peer reaches this agent through its proxy, in both directions
            args.addAll(List.of("--replication-advertise", "127.0.0.1:" + proxy.port()));
        }
        AgentProcess agent;
        try {
            agent = AgentProcess.start(Files.createDirectories(dir.resolve(name)), name, name, args, admin(pki),
                    pki.caCert());
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (proxy != null) {
                proxy.close();
            }
            throw e;
        }
        System.out.println(name + ": replication " + "127.0.0.1:" + port + (proxy != null ? " behind " + proxy : "")
                + ", log " + agent.logFile());
        return new Site(name, port, agent, proxy);
    }

    /** The tests' own identity toward the agents: a person with csctl. */
    public static TestPki.Identity admin(TestPki pki) throws IOException, InterruptedException {
        return pki.identity("cli-admin", "it");
    }

    /**
     * Starts another array on this PKI (an identity for {@code name} is made if it has none): a third
     * array, or one rebuilt in place of a site that was lost, with a fresh pool under {@code dir}.
     */
    public Site startSite(Path dir, String name, boolean proxied, String... extraArgs)
            throws IOException, InterruptedException {
        return site(dir, pki, name, proxied, extraArgs);
    }

    /** These sites with {@code rebuilt} as site A; closing the result closes it and B. */
    public MirrorSites withA(Site rebuilt) {
        return new MirrorSites(pki, rebuilt, b);
    }

    public Site a() {
        return a;
    }

    public Site b() {
        return b;
    }

    public TestPki pki() {
        return pki;
    }

    /** ActivateMirroring on both agents. */
    public void activate() {
        for (Site site : List.of(a, b)) {
            assertTrue(site.mirrors().activateMirroring(ActivateMirroringRequest.getDefaultInstance()).getActivated(),
                    site + ": mirroring not activated");
        }
    }

    /** Creates {@code name} on both sites. */
    public void createVolumes(String name, long size) {
        VolumeCopies.createVolume(a.agent(), name, size);
        VolumeCopies.createVolume(b.agent(), name, size);
    }

    /**
     * Creates a mirror from {@code primary} on A to {@code secondary} on B, reached at B's proxy if
     * there is one; {@code settings} gives write mode, group, priority and resync method.
     */
    public Mirror createMirror(String primary, String secondary, CreateMirrorRequest.Builder settings) {
        Mirror mirror = a.mirrors().createMirror(settings.clone().setPrimary(primary).setPeer(b.reachableAt())
                .setSecondary(secondary).build());
        assertEquals(MirrorRole.PRIMARY, mirror.getRole(), mirror.toString());
        assertEquals(b.reachableAt(), mirror.getPeerEndpoint(), "the mirror must reach its peer where it was told");
        return mirror;
    }

    /** Creates the mirror and waits until both members say Synchronized. */
    public Mirror createSynchronized(String primary, String secondary, CreateMirrorRequest.Builder settings,
            String context) throws InterruptedException {
        createMirror(primary, secondary, settings);
        awaitState(b, secondary, MirrorState.SYNCHRONIZED, context);
        return awaitState(a, primary, MirrorState.SYNCHRONIZED, context);
    }

    public Mirror awaitState(Site site, String volume, MirrorState state, String context) throws InterruptedException {
        return await(site, volume, "state " + state, m -> m.getState() == state, TIMEOUT, context);
    }

    /**
     * Polls GetMirror on {@code site} until {@code condition} holds; calls that fail (an agent starting,
     * a mirror not there yet) are asked again. Fails after {@code timeout} with the last answer.
     */
    public static Mirror await(Site site, String volume, String what, Predicate<Mirror> condition, Duration timeout,
            String context) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Object last = null;
        while (true) {
            try {
                Mirror mirror = site.mirror(volume);
                if (condition.test(mirror)) {
                    return mirror;
                }
                last = mirror;
            } catch (StatusRuntimeException e) {
                last = e;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(context + ": " + site + "'s mirror of " + volume + " not " + what + " within "
                        + timeout + "; last seen: " + last);
            }
            Thread.sleep(20); // poll interval only; the loop's exit is the condition
        }
    }

    /**
     * ChangeRole on {@code site}. With force, asks again while the agent refuses (it may not have
     * noticed yet that its peer is gone), up to a minute, and fails with the last refusal.
     */
    public Mirror changeRole(Site site, String volume, MirrorRole role, boolean force, String context)
            throws InterruptedException {
        ChangeRoleRequest request = ChangeRoleRequest.newBuilder().setVolume(volume).setRole(role).setForce(force)
                .build();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (true) {
            try {
                Mirror mirror = site.mirrors().changeRole(request);
                assertEquals(role, mirror.getRole(), context + ": ChangeRole answered " + mirror);
                return mirror;
            } catch (StatusRuntimeException e) {
                if (!force || System.nanoTime() > deadline) {
                    throw new AssertionError(context + ": " + site + " refused to make " + volume + " " + role
                            + (force ? " with force" : "") + ": " + e, e);
                }
            }
            Thread.sleep(100); // poll interval only
        }
    }

    /** Forced promotion of the member on {@code site}, for when its peer is gone. */
    public Mirror promoteForced(Site site, String volume, String context) throws InterruptedException {
        return changeRole(site, volume, MirrorRole.PRIMARY, true, context);
    }

    public MirrorsResponse resume(Site site, String... volumes) {
        return site.mirrors().resumeMirrors(MirrorsRequest.newBuilder().addAllVolumes(List.of(volumes)).build());
    }

    /**
     * Removes the mirror on each site that still has a member ({@code aVolume} on A, {@code bVolume} on
     * B), so a round can start afresh; both must be gone afterwards.
     */
    public void removeEverywhere(String aVolume, String bVolume, String context) throws InterruptedException {
        for (Site site : List.of(b, a)) {
            String volume = site == a ? aVolume : bVolume;
            boolean listed = site.mirrors().listMirrors(dev.copyservices.api.agent.v1.ListMirrorsRequest
                    .getDefaultInstance()).getMirrorsList().stream().anyMatch(m -> m.getVolume().equals(volume));
            if (listed) {
                site.mirrors().removeMirrors(MirrorsRequest.newBuilder().addVolumes(volume).build());
            }
        }
        for (Site site : List.of(a, b)) {
            String volume = site == a ? aVolume : bVolume;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (site.mirrors().listMirrors(dev.copyservices.api.agent.v1.ListMirrorsRequest.getDefaultInstance())
                    .getMirrorsList().stream().anyMatch(m -> m.getVolume().equals(volume))) {
                assertTrue(System.nanoTime() < deadline, context + ": " + site + " still lists the mirror of " + volume);
                Thread.sleep(20); // poll interval only
            }
        }
    }

    /** Cuts both proxies (the sites must have been started with them). */
    public void cutLink() {
        a.proxy().cut();
        b.proxy().cut();
    }

    public void restoreLink() throws IOException {
        a.proxy().restore();
        b.proxy().restore();
    }

    /** Reads {@code aVolume} on A and {@code bVolume} on B over NBD and asserts they are equal byte for byte. */
    public void assertSameData(String aVolume, String bVolume, Path scratch, String context) throws Exception {
        Path fromA = scratch.resolve("a-" + aVolume + ".img");
        Path fromB = scratch.resolve("b-" + bVolume + ".img");
        VolumeCopies.export(a.agent(), aVolume, fromA);
        VolumeCopies.export(b.agent(), bVolume, fromB);
        long mismatch = Files.mismatch(fromA, fromB);
        long sizeA = Files.size(fromA);
        Files.delete(fromA);
        Files.delete(fromB);
        assertEquals(-1, mismatch, context + ": " + aVolume + " on site-a and " + bVolume + " on site-b differ at byte "
                + mismatch + " (MiB " + (mismatch >> 20) + ")");
        assertTrue(sizeA > 0, context + ": nothing read");
    }

    @Override
    public void close() throws InterruptedException {
        closeSite(b);
        closeSite(a);
    }

    private static void closeSite(Site site) throws InterruptedException {
        if (site == null) {
            return;
        }
        try {
            site.agent().close();
        } finally {
            if (site.proxy() != null) {
                site.proxy().close();
            }
        }
    }
}
