package dev.copyservices.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.api.agent.v1.ArrayServiceGrpc;
import dev.copyservices.api.agent.v1.CommunicationResult;
import dev.copyservices.api.agent.v1.CommunicationTest;
import dev.copyservices.api.agent.v1.CopyPriority;
import dev.copyservices.api.agent.v1.CreateMirrorRequest;
import dev.copyservices.api.agent.v1.GetArrayRequest;
import dev.copyservices.api.agent.v1.Mirror;
import dev.copyservices.api.agent.v1.MirrorRef;
import dev.copyservices.api.agent.v1.MirrorState;
import dev.copyservices.api.agent.v1.MirrorsRequest;
import dev.copyservices.api.agent.v1.ResyncMethod;
import dev.copyservices.api.agent.v1.WriteMode;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replication link faults between two agents, made with a FaultProxy in front of site-b's replication
 * listener (site-a reaches site-b only through it): a cut makes a mirror Unsynchronized once writes
 * come while host writes go on; Manual resync waits for ResumeMirrors and Automatic does not; a resync
 * copies only the regions changed meanwhile; a consistency group fails and resumes as one; a flapping
 * link keeps the secondary marked inconsistent until a resync completes. Each scenario ends with the
 * secondary equal to the primary byte for byte.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MirrorLinkFaultIT {
    private static final long MIB = 1 << 20;
    private static final long SIZE = 64 * MIB;
    private static final long MIN_REGION = 64 * 1024;

    private MirrorSites sites;
    private Path scratch;
    private final Random random = new Random(Long.getLong("crash.seed", System.nanoTime()));

    @BeforeAll
    void startSites(@TempDir Path dir) throws Exception {
        scratch = dir;
        sites = MirrorSites.start(dir, true);
        sites.activate();
    }

    @AfterEach
    void healTheLink() throws Exception {
        if (sites == null) {
            return; // the sites did not start; that failure says why
        }
        sites.restoreLink();
        for (FaultProxy proxy : List.of(sites.a().proxy(), sites.b().proxy())) {
            proxy.delay(Duration.ZERO);
            proxy.limitRate(FaultProxy.Direction.TO_TARGET, 0);
        }
    }

    @AfterAll
    void stopSites() throws Exception {
        if (sites != null) {
            sites.close();
        }
    }

    // mirror-overview V17, V19, mirror-operations O21, O28, O40
    @Test
    void aCutMakesTheMirrorUnsynchronizedWhileHostWritesGoOnAndManualResyncWaitsForResume() throws Exception {
        String v = "manual";
        mirror(v, WriteMode.SYNCHRONOUS, ResyncMethod.MANUAL, "", SIZE);
        long events = AgentEvents.lastSequence(sites.a().agent());
        sites.cutLink();
        writeRegions(v, SIZE, 16, MIN_REGION); // every write acknowledged without error
        sites.awaitState(sites.a(), v, MirrorState.UNSYNCHRONIZED, v + ", cut");
        AgentEvents.await(sites.a().agent(), events, "MIRROR_UNSYNCHRONIZED", Set.of(v), v + ", cut");

        sites.restoreLink();
        awaitLinkUp(v);
        assertStays(v, MirrorState.UNSYNCHRONIZED, Duration.ofSeconds(3), v + ", Manual after the link returned");
        assertTrue(needsAttention().stream().anyMatch(line -> line.contains("'" + v + "' is unsynchronized")),
                v + ": the array does not say it needs attention while waiting for resume: " + needsAttention());
        events = AgentEvents.lastSequence(sites.a().agent());
        sites.resume(sites.a(), v);
        awaitSynchronized(v, v + ", resumed");
        assertTrue(needsAttention().isEmpty(), v + ": still needs attention once Synchronized: " + needsAttention());
        AgentEvents.await(sites.a().agent(), events, "MIRROR_SYNCHRONIZED", Set.of(v), v + ", resumed");
        sites.assertSameData(v, v, scratch, v);
        sites.removeEverywhere(v, v, v);
    }

    // mirror-overview V18, mirror-operations O21
    @Test
    void automaticResyncResynchronizesByItselfWhenTheLinkReturns() throws Exception {
        String v = "automatic";
        mirror(v, WriteMode.SYNCHRONOUS, ResyncMethod.AUTOMATIC, "", SIZE);
        sites.cutLink();
        writeRegions(v, SIZE, 16, MIN_REGION);
        sites.awaitState(sites.a(), v, MirrorState.UNSYNCHRONIZED, v + ", cut");
        sites.restoreLink();
        awaitSynchronized(v, v + ", link back");
        sites.assertSameData(v, v, scratch, v);
        sites.removeEverywhere(v, v, v);
    }

    /**
     * Distinct regions written during a cut; the bytes the proxy then forwards to site-b for the resync
     * are at least those regions and at most 25% + 64 KiB more (TLS, HTTP/2, protobuf and the
     * once-a-second exchanges). Regions are the mirror's own (its catalog record) when larger than 64 KiB.
     */
    // mirror-overview V17, V18, V19 (only changed blocks), mirror-operations O24
    @Test
    void theResyncCopiesOnlyTheRegionsChangedDuringTheCut() throws Exception {
        String v = "delta";
        long size = 128 * MIB;
        mirror(v, WriteMode.SYNCHRONOUS, ResyncMethod.MANUAL, "", size);
        long region = regionBytes(v);
        int regions = 40;
        long changed = regions * region;
        sites.cutLink();
        writeRegions(v, size, regions, region);
        Mirror unsynchronized = sites.awaitState(sites.a(), v, MirrorState.UNSYNCHRONIZED, v + ", cut");
        assertTrue(unsynchronized.getOutOfSyncBytes() >= changed, v + ": " + regions + " regions of " + region
                + " bytes changed, out of sync " + unsynchronized.getOutOfSyncBytes());
        sites.restoreLink();
        awaitLinkUp(v);

        FaultProxy link = sites.b().proxy();
        long sentBefore = sites.a().mirror(v).getBytesSent();
        link.resetCounters();
        sites.resume(sites.a(), v);
        Mirror done = awaitSynchronized(v, v + ", resumed");
        long forwarded = link.bytesToTarget();
        long sent = done.getBytesSent() - sentBefore;
        long most = changed + changed / 4 + MIN_REGION;
        String seen = v + ": " + regions + " regions of " + region + " bytes changed (" + changed + " bytes); the resync"
                + " forwarded " + forwarded + " bytes to site-b and bytes_sent grew by " + sent;
        System.out.println(seen);
        assertTrue(forwarded >= changed && forwarded <= most, seen + "; expected " + changed + " to " + most);
        assertTrue(sent >= changed && sent <= most, seen + "; expected bytes_sent to grow by " + changed + " to " + most);
        sites.assertSameData(v, v, scratch, v);
        sites.removeEverywhere(v, v, v);
    }

    /** Writes during a cut reach only one member, yet the whole group goes Unsynchronized, and resumes as one. */
    // mirror-overview V26, V28 (Manual), mirror-operations O41
    @Test
    void aConsistencyGroupGoesUnsynchronizedAndResumesAsOne() throws Exception {
        List<String> members = List.of("group-v0", "group-v1", "group-v2");
        for (String v : members) {
            mirror(v, WriteMode.ASYNCHRONOUS, ResyncMethod.MANUAL, "g1", SIZE);
        }
        sites.cutLink();
        writeRegions(members.get(0), SIZE, 8, MIN_REGION);
        for (String v : members) {
            sites.awaitState(sites.a(), v, MirrorState.UNSYNCHRONIZED, v + ", cut with writes to " + members.get(0)
                    + " only");
        }
        sites.restoreLink();
        awaitLinkUp(members.get(0));
        for (String v : members) {
            assertEquals(MirrorState.UNSYNCHRONIZED, sites.a().mirror(v).getState(), v + ": Manual, not resumed yet");
        }
        sites.resume(sites.a(), members.get(0)); // the whole group, since not member_only
        for (String v : members) {
            awaitSynchronized(v, v + ", group resumed through " + members.get(0));
        }
        for (String v : members) {
            sites.assertSameData(v, v, scratch, v);
            sites.removeEverywhere(v, v, v);
        }
    }

    // mirror-overview V27
    @Test
    void aConsistencyGroupIsSynchronizedOnlyWhenEveryMemberIs() throws Exception {
        mirror("cg27-v0", WriteMode.ASYNCHRONOUS, ResyncMethod.AUTOMATIC, "g27", SIZE);
        assertEquals(MirrorState.SYNCHRONIZED, groupState(sites.a(), "g27"), "one Synchronized member");
        FaultProxy link = sites.b().proxy();
        link.limitRate(FaultProxy.Direction.TO_TARGET, 4 * MIB); // the second member's full copy takes seconds
        try {
            sites.createVolumes("cg27-v1", 4 * SIZE);
            NbdWrites.fillRandom(sites.a().agent(), "cg27-v1", 4 * SIZE, random);
            sites.createMirror("cg27-v1", "cg27-v1", CreateMirrorRequest.newBuilder()
                    .setWriteMode(WriteMode.ASYNCHRONOUS).setConsistencyGroup("g27")
                    .setResyncMethod(ResyncMethod.AUTOMATIC).setSyncPriority(CopyPriority.COPY_PRIORITY_HIGHEST));
            sites.awaitState(sites.a(), "cg27-v1", MirrorState.SYNCHRONIZING, "cg27-v1, created");
            MirrorState group = groupState(sites.a(), "g27");
            Mirror second = sites.a().mirror("cg27-v1");
            assertEquals(MirrorState.SYNCHRONIZING, second.getState(), "the check needs the copy still running: "
                    + second);
            assertEquals(MirrorState.SYNCHRONIZED, sites.a().mirror("cg27-v0").getState(), "the first member");
            assertEquals(MirrorState.SYNCHRONIZING, group, "one member Synchronized, the other copying");
        } finally {
            link.limitRate(FaultProxy.Direction.TO_TARGET, 0);
        }
        awaitSynchronized("cg27-v1", "cg27-v1, link at full speed");
        awaitSynchronized("cg27-v0", "cg27-v0");
        assertEquals(MirrorState.SYNCHRONIZED, groupState(sites.a(), "g27"), "every member Synchronized");
        assertEquals(List.of("cg27-v0", "cg27-v1"), groupOf(sites.a(), "g27").getVolumesList());
        sites.cutLink();
        writeRegions("cg27-v0", SIZE, 2, MIN_REGION);
        sites.awaitState(sites.a(), "cg27-v1", MirrorState.UNSYNCHRONIZED, "cg27, cut");
        assertEquals(MirrorState.UNSYNCHRONIZED, groupState(sites.a(), "g27"), "cut with writes");
        sites.restoreLink();
        for (String v : List.of("cg27-v0", "cg27-v1")) {
            awaitSynchronized(v, v + ", link back");
        }
        assertEquals(MirrorState.SYNCHRONIZED, groupState(sites.a(), "g27"), "resynchronized");
        for (String v : List.of("cg27-v0", "cg27-v1")) {
            sites.removeEverywhere(v, v, v);
        }
        assertTrue(sites.a().mirrors().getMirroring(dev.copyservices.api.agent.v1.GetMirroringRequest
                .getDefaultInstance()).getConsistencyGroupsList().isEmpty(), "a group without members is listed");
    }

    private static dev.copyservices.api.agent.v1.ConsistencyGroupStatus groupOf(MirrorSites.Site site, String name) {
        return site.mirrors().getMirroring(dev.copyservices.api.agent.v1.GetMirroringRequest.getDefaultInstance())
                .getConsistencyGroupsList().stream().filter(g -> g.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(site + " lists no consistency group " + name));
    }

    private static MirrorState groupState(MirrorSites.Site site, String name) {
        return groupOf(site, name).getState();
    }

    // mirror-overview V28 (Automatic)
    @Test
    void aConsistencyGroupWithAutomaticResyncResynchronizesAsOneWhenTheLinkReturns() throws Exception {
        List<String> members = List.of("auto-v0", "auto-v1");
        for (String v : members) {
            mirror(v, WriteMode.ASYNCHRONOUS, ResyncMethod.AUTOMATIC, "g-auto", SIZE);
        }
        sites.cutLink();
        writeRegions(members.get(1), SIZE, 8, MIN_REGION);
        for (String v : members) {
            sites.awaitState(sites.a(), v, MirrorState.UNSYNCHRONIZED, v + ", cut with writes to " + members.get(1)
                    + " only");
        }
        sites.restoreLink(); // no resume: Automatic
        for (String v : members) {
            awaitSynchronized(v, v + ", link back, Automatic");
        }
        for (String v : members) {
            sites.assertSameData(v, v, scratch, v);
            sites.removeEverywhere(v, v, v);
        }
    }

    /**
     * A resync after a cut runs over a slow link (rate limited) and the link is cut again three times
     * while it runs; from the moment the resync starts until one completes, every look at the mirror
     * says secondary_inconsistent, and afterwards neither member does.
     */
    // mirror-overview V46
    @Test
    void aFlappingLinkKeepsTheSecondaryInconsistentUntilAResyncCompletes() throws Exception {
        String v = "flap";
        long size = 128 * MIB;
        mirror(v, WriteMode.SYNCHRONOUS, ResyncMethod.AUTOMATIC, "", size);
        long region = regionBytes(v);
        sites.cutLink();
        writeRegions(v, size, (int) (32 * MIB / region), region);
        sites.awaitState(sites.a(), v, MirrorState.UNSYNCHRONIZED, v + ", cut");
        FaultProxy link = sites.b().proxy();
        link.limitRate(FaultProxy.Direction.TO_TARGET, 8 * MIB); // 32 MiB: about 4 s per full resync
        link.delay(Duration.ofMillis(10));

        Predicate<Mirror> inconsistentUntilSynchronized = m -> {
            assertTrue(m.getState() == MirrorState.SYNCHRONIZED || m.getSecondaryInconsistent(),
                    v + ": a resync started, none completed, and secondary_inconsistent is off: " + m);
            return true;
        };
        sites.restoreLink();
        for (int flap = 0; flap < 3; flap++) {
            String context = v + ", flap " + flap;
            Predicate<Mirror> resyncing = m -> m.getState() == MirrorState.SYNCHRONIZING
                    || m.getState() == MirrorState.SYNCHRONIZED;
            Mirror running = MirrorSites.await(sites.a(), v, "resynchronizing", flap == 0 ? resyncing
                    : inconsistentUntilSynchronized.and(resyncing), MirrorSites.TIMEOUT, context);
            assertEquals(MirrorState.SYNCHRONIZING, running.getState(), context + ": the resync completed before the"
                    + " cut; slow the link down further");
            inconsistentUntilSynchronized.test(running);
            sites.cutLink();
            Mirror stopped = MirrorSites.await(sites.a(), v, "stopped by the cut", inconsistentUntilSynchronized
                    .and(m -> m.getState() != MirrorState.SYNCHRONIZING), MirrorSites.TIMEOUT, context);
            assertNotEquals(MirrorState.SYNCHRONIZED, stopped.getState(), context + ": " + stopped);
            sites.restoreLink();
        }
        link.limitRate(FaultProxy.Direction.TO_TARGET, 0);
        Mirror done = MirrorSites.await(sites.a(), v, "Synchronized", inconsistentUntilSynchronized.and(m ->
                m.getState() == MirrorState.SYNCHRONIZED), MirrorSites.TIMEOUT, v + ", link steady");
        assertFalse(done.getSecondaryInconsistent(), v + ": still inconsistent once Synchronized: " + done);
        MirrorSites.await(sites.b(), v, "Synchronized and consistent", m -> m.getState() == MirrorState.SYNCHRONIZED
                && !m.getSecondaryInconsistent(), MirrorSites.TIMEOUT, v + ", secondary's view");
        sites.assertSameData(v, v, scratch, v);
        sites.removeEverywhere(v, v, v);
    }

    /**
     * An Unsynchronized mirror waiting for resume is a line in the array's needs_attention; suspending it
     * is the administrator's answer, so the line goes, and the mirror stays Suspended when the link
     * returns. Resume then resynchronizes it.
     */
    // mirror-operations O26
    @Test
    void suspendingAnUnsynchronizedMirrorClearsTheArraysNeedsAttention() throws Exception {
        String v = "attention";
        mirror(v, WriteMode.SYNCHRONOUS, ResyncMethod.AUTOMATIC, "", SIZE);
        sites.cutLink();
        writeRegions(v, SIZE, 8, MIN_REGION);
        sites.awaitState(sites.a(), v, MirrorState.UNSYNCHRONIZED, v + ", cut");
        assertTrue(needsAttention().stream().anyMatch(line -> line.contains("'" + v + "'")),
                v + ": Unsynchronized but the array does not need attention: " + needsAttention());
        sites.a().mirrors().suspendMirrors(MirrorsRequest.newBuilder().addVolumes(v).build());
        sites.awaitState(sites.a(), v, MirrorState.SUSPENDED, v + ", suspended while cut");
        assertTrue(needsAttention().isEmpty(), v + ": suspended, yet still needs attention: " + needsAttention());
        sites.restoreLink();
        awaitLinkUp(v);
        assertStays(v, MirrorState.SUSPENDED, Duration.ofSeconds(2), v + ", suspended with Automatic resync");
        sites.resume(sites.a(), v);
        awaitSynchronized(v, v + ", resumed");
        sites.assertSameData(v, v, scratch, v);
        sites.removeEverywhere(v, v, v);
    }

    private List<String> needsAttention() {
        return ArrayServiceGrpc.newBlockingStub(sites.a().agent().channel()).withDeadlineAfter(30, TimeUnit.SECONDS)
                .getArray(GetArrayRequest.getDefaultInstance()).getNeedsAttentionList();
    }

    /** Creates {@code v} on both sites and a Synchronized mirror between them; checks it uses the proxy. */
    private void mirror(String v, WriteMode mode, ResyncMethod resync, String group, long size) throws Exception {
        sites.createVolumes(v, size);
        NbdWrites.fillRandom(sites.a().agent(), v, 8 * MIB, random); // some data for the initial copy
        long before = sites.b().proxy().bytesToTarget();
        sites.createSynchronized(v, v, CreateMirrorRequest.newBuilder().setWriteMode(mode).setResyncMethod(resync)
                .setConsistencyGroup(group).setSyncPriority(CopyPriority.COPY_PRIORITY_HIGHEST), v);
        assertTrue(sites.b().proxy().bytesToTarget() - before >= 8 * MIB, v + ": the initial copy did not go through"
                + " the proxy the mirror was told to use (" + sites.b().proxy() + ")");
    }

    private void writeRegions(String v, long size, int count, long region) throws Exception {
        NbdWrites.randomRegions(sites.a().agent(), v, NbdWrites.distinctRegions(random, size, region, count), region,
                random);
    }

    /** The mirror's region size from site-a's catalog, at least 64 KiB. */
    private long regionBytes(String v) throws Exception {
        return Math.max(MIN_REGION, sites.a().durableMirror(v).getRegionBytes());
    }

    private Mirror awaitSynchronized(String v, String context) throws InterruptedException {
        sites.awaitState(sites.b(), v, MirrorState.SYNCHRONIZED, context);
        return sites.awaitState(sites.a(), v, MirrorState.SYNCHRONIZED, context);
    }

    /** Until site-a's communication test with site-b passes over the link. */
    private void awaitLinkUp(String v) throws InterruptedException {
        long deadline = System.nanoTime() + MirrorSites.TIMEOUT.toNanos();
        Object last = null;
        while (System.nanoTime() < deadline) {
            try {
                CommunicationTest test = sites.a().mirrors().testCommunication(MirrorRef.newBuilder().setVolume(v)
                        .build());
                if (test.getResult() == CommunicationResult.COMMUNICATION_PASSED
                        || test.getResult() == CommunicationResult.COMMUNICATION_WARNING) {
                    return;
                }
                last = test;
            } catch (StatusRuntimeException e) {
                last = e;
            }
            Thread.sleep(100); // poll interval only
        }
        throw new AssertionError(v + ": the link did not come back within " + MirrorSites.TIMEOUT + ": " + last);
    }

    /** Looks at the mirror on site-a for {@code period}: it must say {@code state} every time. */
    private void assertStays(String v, MirrorState state, Duration period, String context) throws InterruptedException {
        long end = System.nanoTime() + period.toNanos();
        while (System.nanoTime() < end) {
            Mirror m = sites.a().mirror(v);
            assertEquals(state, m.getState(), context + ": " + m);
            Thread.sleep(50); // looking at it over a period is the point here
        }
    }
}
