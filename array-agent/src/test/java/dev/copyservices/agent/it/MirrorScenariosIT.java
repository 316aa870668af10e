package dev.copyservices.agent.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.nbd.RawNbdClient;
import dev.copyservices.api.agent.v1.ActivateMirroringRequest;
import dev.copyservices.api.agent.v1.CopyPriority;
import dev.copyservices.api.agent.v1.CreateMirrorRequest;
import dev.copyservices.api.agent.v1.ErrorDetail;
import dev.copyservices.api.agent.v1.ListMirrorsRequest;
import dev.copyservices.api.agent.v1.Mirror;
import dev.copyservices.api.agent.v1.MirrorServiceGrpc;
import dev.copyservices.api.agent.v1.MirrorState;
import dev.copyservices.api.agent.v1.MirrorsRequest;
import dev.copyservices.api.agent.v1.ResyncMethod;
import dev.copyservices.api.agent.v1.WriteMode;
import io.grpc.Status;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Acceptance scenarios of the remote mirror with real agents and a FaultProxy in front of each
 * replication listener (site-a reaches site-b only through site-b's proxy): a synchronous mirror whose
 * link stalls goes Unsynchronized and host writes complete; an asynchronous mirror acknowledges a write
 * the secondary cannot have yet and catches up once the link heals; a corrupted change map makes the
 * next resync a full copy; a new mirror over a slow link shows rising progress on both members while
 * host I/O goes on; an array that mirrors with one partner refuses a third array. Each mirror that
 * completes ends with the secondary equal to the primary byte for byte.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MirrorScenariosIT {
    private static final long MIB = 1 << 20;
    private static final int REGION = 64 * 1024;
    /** Longer than this class runs: data delayed by it cannot reach the target while a test looks. */
    private static final Duration STALL = Duration.ofMinutes(30);
    private static final long IO_TIMEOUT_SECONDS = 60;

    private Path dir;
    private MirrorSites sites;
    private final long seed = Long.getLong("crash.seed", System.nanoTime());
    private final Random random = new Random(seed);
    private final ExecutorService host = Executors.newCachedThreadPool();

    @BeforeAll
    void startSites(@TempDir Path dir) throws Exception {
        System.out.println("MirrorScenariosIT crash.seed=" + seed);
        this.dir = dir;
        sites = MirrorSites.start(dir.resolve("shared"), true);
        sites.activate();
    }

    /** Each test starts from a healed link and no mirrors, whatever the one before left behind. */
    @AfterEach
    void healTheLinkAndRemoveTheMirrors() throws Exception {
        if (sites != null) {
            heal(sites);
            for (MirrorSites.Site site : List.of(sites.b(), sites.a())) {
                List<String> left = site.mirrors().listMirrors(ListMirrorsRequest.getDefaultInstance())
                        .getMirrorsList().stream().map(Mirror::getVolume).toList();
                if (!left.isEmpty()) {
                    site.mirrors().removeMirrors(MirrorsRequest.newBuilder().addAllVolumes(left).build());
                }
            }
        }
    }

    @AfterAll
    void stopSites() throws Exception {
        host.shutdownNow();
        if (sites != null) {
            sites.close();
        }
    }

    // mirror-overview V12
    @Test
    void synchronousWritesCompleteOnceStalledLinkMakesPairUnsynchronized() throws Exception {
        String v = "stalled";
        long size = 16 * MIB;
        try (MirrorSites own = MirrorSites.start(dir.resolve("v12"), true, "--mirror-write-timeout", "1s")) {
            own.activate();
            own.createVolumes(v, size);
            NbdWrites.fillRandom(own.a().agent(), v, 4 * MIB, random);
            own.createSynchronized(v, v, CreateMirrorRequest.newBuilder().setWriteMode(WriteMode.SYNCHRONOUS)
                    .setResyncMethod(ResyncMethod.MANUAL).setSyncPriority(CopyPriority.COPY_PRIORITY_HIGHEST), v);

            // a stall, not a cut: nothing toward site-b arrives, nothing is refused
            own.b().proxy().delay(FaultProxy.Direction.TO_TARGET, STALL);
            Map<Long, byte[]> written = regions(size, 8);
            hostIo(v + ": synchronous writes over the stalled link", () -> {
                try (RawNbdClient client = RawNbdClient.negotiated(own.a().agent().nbdPort(), v)) {
                    long cookie = 1;
                    for (Map.Entry<Long, byte[]> w : written.entrySet()) {
                        NbdWrites.write(client, cookie++, w.getKey(), w.getValue(), v); // acknowledged, no error
                    }
                }
                return null;
            });
            Mirror unsynchronized = own.awaitState(own.a(), v, MirrorState.UNSYNCHRONIZED, v + ", stalled");
            assertTrue(unsynchronized.getOutOfSyncBytes() >= REGION, v + ": writes the secondary never saw are not"
                    + " out of sync: " + unsynchronized);
            assertRegions(own.a().agent(), v, written, v + ": the primary after the stalled writes");

            heal(own);
            own.resume(own.a(), v);
            own.awaitState(own.b(), v, MirrorState.SYNCHRONIZED, v + ", resumed");
            own.awaitState(own.a(), v, MirrorState.SYNCHRONIZED, v + ", resumed");
            own.assertSameData(v, v, dir, v);
        }
    }

    // mirror-overview V13; V23: a consistency group of one asynchronous mirror replicates as Global Copy does
    @ParameterizedTest(name = "consistency group \"{0}\"")
    @ValueSource(strings = {"", "solo"})
    void asynchronousWriteIsAcknowledgedBeforeTheSecondaryHasItAndTheSecondaryCatchesUp(String group)
            throws Exception {
        String v = group.isEmpty() ? "async" : "async-" + group;
        long size = 32 * MIB;
        sites.createVolumes(v, size);
        NbdWrites.fillRandom(sites.a().agent(), v, size, random); // every region has data to tell old from new
        Mirror created = sites.createSynchronized(v, v, CreateMirrorRequest.newBuilder()
                .setWriteMode(WriteMode.ASYNCHRONOUS).setConsistencyGroup(group)
                .setResyncMethod(ResyncMethod.AUTOMATIC).setSyncPriority(CopyPriority.COPY_PRIORITY_HIGHEST), v);
        assertEquals(group, created.getConsistencyGroup(), v + ": " + created);
        Map<Long, byte[]> written = regions(size, 4);
        Map<Long, byte[]> old = new LinkedHashMap<>();
        try (RawNbdClient secondary = RawNbdClient.negotiated(sites.b().agent().nbdPort(), v)) {
            long cookie = 1;
            for (long offset : written.keySet()) {
                old.put(offset, secondary.read(cookie++, offset, REGION));
            }
        }

        // everything toward site-b is held back far longer than the test runs: it cannot be there yet
        sites.b().proxy().delay(FaultProxy.Direction.TO_TARGET, STALL);
        long forwardedBefore = sites.b().proxy().bytesToTarget();
        hostIo(v + ": asynchronous writes over the stalled link", () -> {
            try (RawNbdClient client = RawNbdClient.negotiated(sites.a().agent().nbdPort(), v)) {
                long cookie = 1;
                for (Map.Entry<Long, byte[]> w : written.entrySet()) {
                    NbdWrites.write(client, cookie++, w.getKey(), w.getValue(), v);
                }
            }
            return null;
        });
        // the writes are acknowledged: now the primary has them and the secondary still has the old data
        assertRegions(sites.a().agent(), v, written, v + ": the primary once the writes were acknowledged");
        assertRegions(sites.b().agent(), v, old, v + ": the secondary once the writes were acknowledged");
        for (Map.Entry<Long, byte[]> w : written.entrySet()) {
            assertFalse(java.util.Arrays.equals(w.getValue(), old.get(w.getKey())), v + ": new data equals old");
        }
        // a heartbeat read just before the stall began may still pass; no 64 KiB write can have
        long forwarded = sites.b().proxy().bytesToTarget() - forwardedBefore;
        assertTrue(forwarded < REGION, v + ": the proxy forwarded " + forwarded + " bytes to site-b during the stall");
        MirrorSites.await(sites.a(), v, "aware the writes are not on the secondary", m -> m.getLagSeconds() > 0
                || m.getOutOfSyncBytes() > 0 || m.getState() != MirrorState.SYNCHRONIZED, MirrorSites.TIMEOUT, v);

        heal(sites); // drops what the proxy held back; the mirror must send it again by itself
        awaitSynchronized(v, v + ", link healed");
        assertRegions(sites.b().agent(), v, written, v + ": the secondary after catching up");
        sites.assertSameData(v, v, dir, v);
        sites.removeEverywhere(v, v, v);
    }

    // mirror-overview V21
    @Test
    void corruptedChangeMapMakesTheNextResyncAFullCopy() throws Exception {
        String v = "lostmap";
        long size = 32 * MIB;
        sites.createVolumes(v, size);
        NbdWrites.fillRandom(sites.a().agent(), v, size, random); // incompressible: a full copy sends it all
        Mirror created = sites.createSynchronized(v, v, CreateMirrorRequest.newBuilder()
                .setWriteMode(WriteMode.SYNCHRONOUS).setResyncMethod(ResyncMethod.AUTOMATIC)
                .setSyncPriority(CopyPriority.COPY_PRIORITY_HIGHEST), v);
        Path map = sites.a().agent().poolDir().resolve("mirror").resolve(created.getId() + ".map");
        assertTrue(Files.isRegularFile(map), v + ": no change map at " + map);

        sites.a().agent().kill9();
        try (FileChannel channel = FileChannel.open(map, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap("garbage!garbage!garbage!".getBytes()), 0); // magic and geometry
        }
        sites.cutLink(); // the restarted primary cannot start a resync until the test looks
        sites.a().agent().launch();
        Mirror lost = MirrorSites.await(sites.a(), v, "out of sync over its whole capacity", m -> m.getOutOfSyncBytes()
                >= m.getCapacityBytes() && m.getCapacityBytes() >= size, MirrorSites.TIMEOUT, v + ", map corrupted");
        assertNotEquals(MirrorState.SYNCHRONIZED, lost.getState(), v + ": " + lost);
        assertNotEquals(MirrorState.SYNCHRONIZING, lost.getState(), v + ": the link is cut: " + lost);

        FaultProxy link = sites.b().proxy();
        link.resetCounters();
        restore(sites);
        Mirror done = awaitSynchronized(v, v + ", after the restart");
        long forwarded = link.bytesToTarget();
        String seen = v + ": the resync after a corrupted change map forwarded " + forwarded + " bytes to site-b and"
                + " sent " + done.getBytesSent() + " bytes (volume " + size + ")";
        System.out.println(seen);
        assertTrue(forwarded >= size, seen + "; a full copy sends at least the volume");
        assertTrue(done.getBytesSent() >= size, seen + "; a full copy sends at least the volume");
        sites.assertSameData(v, v, dir, v);
        sites.removeEverywhere(v, v, v);
    }

    // mirror-overview V5, V47, mirror-operations O14
    @Test
    void newMirrorSynchronizesWithRisingProgressOnBothSidesWhileHostIoGoesOn() throws Exception {
        String v = "initial";
        long size = 128 * MIB;
        sites.createVolumes(v, size);
        NbdWrites.fillRandom(sites.a().agent(), v, size, random);
        FaultProxy link = sites.b().proxy();
        link.limitRate(FaultProxy.Direction.TO_TARGET, 16 * MIB); // the full copy takes about 8 s
        sites.createMirror(v, v, CreateMirrorRequest.newBuilder().setWriteMode(WriteMode.SYNCHRONOUS)
                .setResyncMethod(ResyncMethod.AUTOMATIC).setSyncPriority(CopyPriority.COPY_PRIORITY_HIGHEST));

        Predicate<Mirror> neverUnsynchronized = m -> {
            assertTrue(m.getState() == MirrorState.SYNCHRONIZING || m.getState() == MirrorState.SYNCHRONIZED,
                    v + ": a new mirror with a working link must only synchronize: " + m);
            return true;
        };
        Predicate<Mirror> partway = m -> m.getState() == MirrorState.SYNCHRONIZING && m.getProgressPercent() > 0
                && m.getProgressPercent() < 100;
        Mirror firstA = MirrorSites.await(sites.a(), v, "partway", neverUnsynchronized.and(partway),
                MirrorSites.TIMEOUT, v + ", primary");
        Mirror firstB = MirrorSites.await(sites.b(), v, "partway", neverUnsynchronized.and(partway),
                MirrorSites.TIMEOUT, v + ", secondary");
        assertTrue(firstA.getOutOfSyncBytes() > 0, v + ": synchronizing with nothing out of sync: " + firstA);

        // host I/O to the primary during the synchronization: reads and writes succeed
        Map<Long, byte[]> written = regions(size, 4);
        hostIo(v + ": host writes during the synchronization", () -> {
            try (RawNbdClient client = RawNbdClient.negotiated(sites.a().agent().nbdPort(), v)) {
                long cookie = 1;
                for (Map.Entry<Long, byte[]> w : written.entrySet()) {
                    NbdWrites.write(client, cookie++, w.getKey(), w.getValue(), v);
                }
            }
            return null;
        });
        assertRegions(sites.a().agent(), v, written, v + ": host reads during the synchronization");

        // further along, or done: the copy may finish while the host writes wait behind it on the slow link
        Mirror laterA = MirrorSites.await(sites.a(), v, "further along than " + firstA.getProgressPercent() + "%",
                neverUnsynchronized.and(m -> m.getProgressPercent() > firstA.getProgressPercent()),
                MirrorSites.TIMEOUT, v + ", primary");
        Mirror laterB = MirrorSites.await(sites.b(), v, "further along than " + firstB.getProgressPercent() + "%",
                neverUnsynchronized.and(m -> m.getProgressPercent() > firstB.getProgressPercent()),
                MirrorSites.TIMEOUT, v + ", secondary");
        System.out.println(v + ": progress on site-a " + firstA.getProgressPercent() + "% -> "
                + laterA.getProgressPercent() + "%, on site-b " + firstB.getProgressPercent() + "% -> "
                + laterB.getProgressPercent() + "%");

        link.limitRate(FaultProxy.Direction.TO_TARGET, 0);
        for (MirrorSites.Site site : List.of(sites.b(), sites.a())) {
            Mirror done = MirrorSites.await(site, v, "Synchronized", neverUnsynchronized.and(m -> m.getState()
                    == MirrorState.SYNCHRONIZED), MirrorSites.TIMEOUT, v + ", " + site);
            assertEquals(100.0, done.getProgressPercent(), v + ": " + done);
        }
        assertTrue(sites.a().mirror(v).getBytesSent() >= size, v + ": the full copy sent less than the volume");
        sites.assertSameData(v, v, dir, v); // includes the writes made during the synchronization
        sites.removeEverywhere(v, v, v);
    }

    // mirror-overview V39
    @Test
    void arrayMirroringWithOnePartnerRefusesAMirrorWithAThirdArray() throws Exception {
        String v = "partnered";
        String other = "third";
        long size = 16 * MIB;
        mirror(v, WriteMode.SYNCHRONOUS, ResyncMethod.AUTOMATIC, size);
        VolumeCopies.createVolume(sites.a().agent(), other, size);

        int port = AgentProcess.freePort();
        List<String> args = new ArrayList<>(List.of("--replication-listen", "127.0.0.1:" + port));
        args.addAll(sites.pki().agentArgs(sites.pki().agent("site-c"))); // a legitimate member of the same PKI
        try (AgentProcess c = AgentProcess.start(Files.createDirectories(dir.resolve("site-c")), "site-c", "site-c",
                args, MirrorSites.admin(sites.pki()), sites.pki().caCert())) {
            MirrorServiceGrpc.MirrorServiceBlockingStub cMirrors = MirrorServiceGrpc.newBlockingStub(c.channel())
                    .withDeadlineAfter(60, TimeUnit.SECONDS);
            assertTrue(cMirrors.activateMirroring(ActivateMirroringRequest.getDefaultInstance()).getActivated());
            VolumeCopies.createVolume(c, other, size);

            ErrorDetail fromA = VolumeCopies.fails(Status.Code.FAILED_PRECONDITION, "WRONG_PARTNER", () -> sites.a()
                    .mirrors().createMirror(CreateMirrorRequest.newBuilder().setPrimary(other).setPeer(
                            "127.0.0.1:" + port).setSecondary(other).build()));
            System.out.println("site-a -> site-c refused: " + fromA);
            assertTrue(fromA.getMessage().contains("site-b") && fromA.getMessage().contains("site-c"),
                    "the refusal should name the partner and the third array: " + fromA);

            ErrorDetail toA = VolumeCopies.fails(Status.Code.FAILED_PRECONDITION, "WRONG_PARTNER", () -> cMirrors
                    .createMirror(CreateMirrorRequest.newBuilder().setPrimary(other).setPeer(sites.a().reachableAt())
                            .setSecondary(other).build()));
            System.out.println("site-c -> site-a refused: " + toA);
            assertTrue(toA.getMessage().contains("site-b"), "the refusal should name site-a's partner: " + toA);

            assertTrue(cMirrors.listMirrors(ListMirrorsRequest.getDefaultInstance()).getMirrorsList().isEmpty(),
                    "site-c has a mirror after the refusals");
            List<Mirror> onA = sites.a().mirrors().listMirrors(ListMirrorsRequest.getDefaultInstance())
                    .getMirrorsList();
            assertEquals(List.of(v), onA.stream().map(Mirror::getVolume).toList(), "site-a's mirrors: " + onA);
            List<Mirror> onB = sites.b().mirrors().listMirrors(ListMirrorsRequest.getDefaultInstance())
                    .getMirrorsList();
            assertEquals(List.of(v), onB.stream().map(Mirror::getVolume).toList(), "site-b's mirrors: " + onB);
            Mirror still = sites.a().mirror(v);
            assertEquals(MirrorState.SYNCHRONIZED, still.getState(), v + ": " + still);
            assertEquals("site-b", still.getPeerArray(), v + ": " + still);
        }
        sites.removeEverywhere(v, v, v);
    }

    /** Creates {@code v} on both sites, some data on A, and a Synchronized mirror between them. */
    private void mirror(String v, WriteMode mode, ResyncMethod resync, long size) throws Exception {
        sites.createVolumes(v, size);
        NbdWrites.fillRandom(sites.a().agent(), v, size, random); // every region has data to tell old from new
        sites.createSynchronized(v, v, CreateMirrorRequest.newBuilder().setWriteMode(mode).setResyncMethod(resync)
                .setSyncPriority(CopyPriority.COPY_PRIORITY_HIGHEST), v);
    }

    private Mirror awaitSynchronized(String v, String context) throws InterruptedException {
        sites.awaitState(sites.b(), v, MirrorState.SYNCHRONIZED, context);
        return sites.awaitState(sites.a(), v, MirrorState.SYNCHRONIZED, context);
    }

    /** {@code count} distinct 64 KiB regions of the volume, each with fresh random data. */
    private Map<Long, byte[]> regions(long size, int count) {
        Map<Long, byte[]> regions = new LinkedHashMap<>();
        for (long offset : NbdWrites.distinctRegions(random, size, REGION, count)) {
            byte[] data = new byte[REGION];
            random.nextBytes(data);
            regions.put(offset, data);
        }
        return regions;
    }

    /** Reads each region of the volume over NBD and asserts it holds exactly those bytes. */
    private static void assertRegions(AgentProcess agent, String volume, Map<Long, byte[]> expected, String context)
            throws Exception {
        try (RawNbdClient client = RawNbdClient.negotiated(agent.nbdPort(), volume)) {
            long cookie = 1000;
            for (Map.Entry<Long, byte[]> e : expected.entrySet()) {
                assertArrayEquals(e.getValue(), client.read(cookie++, e.getKey(), e.getValue().length), context
                        + ": wrong data at " + e.getKey());
            }
        }
    }

    /** Runs host I/O that must finish; a hang is reported as a failure, not a stuck build. */
    private void hostIo(String context, Callable<Void> io) throws Exception {
        Future<Void> done = host.submit(io);
        try {
            done.get(IO_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            done.cancel(true);
            throw new AssertionError(context + ": not completed within " + IO_TIMEOUT_SECONDS + " s", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof AssertionError a) {
                throw a;
            }
            throw new AssertionError(context + ": " + e.getCause(), e.getCause());
        }
    }

    /**
     * No delay or rate limit on either proxy; a cut and restore drops what a delay still holds back
     * (each chunk keeps the delay it was read with).
     */
    private static void heal(MirrorSites on) throws Exception {
        for (FaultProxy proxy : List.of(on.a().proxy(), on.b().proxy())) {
            proxy.delay(Duration.ZERO);
            proxy.limitRate(FaultProxy.Direction.TO_TARGET, 0);
            proxy.limitRate(FaultProxy.Direction.FROM_TARGET, 0);
        }
        on.cutLink();
        restore(on);
    }

    /**
     * Restores both proxies. Right after a cut the closed listening port may not be free yet (the
     * acceptor still leaving accept()), so a bind that fails is tried again until a deadline.
     */
    private static void restore(MirrorSites on) throws Exception {
        for (FaultProxy proxy : List.of(on.a().proxy(), on.b().proxy())) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try {
                    proxy.restore();
                    break;
                } catch (java.net.BindException e) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError(proxy + ": its port stayed in use after the cut", e);
                    }
                }
                Thread.sleep(20); // poll interval only; the loop's exit is a successful bind
            }
        }
    }
}
