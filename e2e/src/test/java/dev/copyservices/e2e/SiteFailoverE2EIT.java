package dev.copyservices.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.it.Tools;
import dev.copyservices.agent.it.WriteOrderChecker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The product's story in one run, through the local two-site environment (bin/copyservices-local),
 * the real kubectl and NBD clients: copies at site A, a mirror group to site B, a practice failover,
 * site A killed under write load and one edit making B primary, then site A back, the dual-primary
 * conflict resolved with only changed regions copied, and a planned move back to A.
 */
class SiteFailoverE2EIT {
    private static final String A = "site-a";
    private static final String B = "site-b";
    private static final String SIZE = "64MiB";
    private static final long VOLUME_BYTES = 64L << 20;
    private static final int SLOTS = 256;
    private static final List<String> SYNC = List.of("orders-db", "orders-log");
    private static final List<String> ASYNC = List.of("events-1", "events-2");
    private static final Pattern BYTES_SENT = Pattern.compile("\"bytesSent\":\\s*\"?(\\d+)");

    private final Timeline timeline = new Timeline();

    @Test
    void aSiteFailoverIsOneEditAndFailingBackCopiesOnlyWhatChanged() throws Exception {
        Path root = Path.of(System.getProperty("copyservices.root", "..")).toAbsolutePath().normalize();
        Path dir = Files.createTempDirectory("copyservices-e2e");
        try (LocalSites sites = new LocalSites(root, dir)) {
            timeline.mark("bin/copyservices-local up");
            sites.up();
            timeline.mark("both sites up");
            copiesAtSiteA(sites);
            mirrorGroupToSiteB(sites);
            practiceFailoverAtSiteB(sites);
            WriteOrderChecker[] checkers = siteAFailsUnderLoadAndOneEditMakesBPrimary(sites);
            siteAReturnsTheConflictIsResolvedAndTheGroupMovesBack(sites, checkers);
        } finally {
            timeline.print();
        }
    }

    /** Step 1: sequence-numbered records on a volume, a FlashCopy of it, a VolumeCopy from the FlashCopy. */
    private void copiesAtSiteA(LocalSites sites) throws Exception {
        sites.csctl(A, "node-1", "volume", "create", "ledger", "--size", SIZE);
        sites.csctl(A, "node-1", "volume", "create", "ledger-copy", "--size", SIZE);
        WriteOrderChecker records = new WriteOrderChecker(1, 1, SLOTS);
        List<String> ledger = List.of("ledger");
        SequencedWriter writer = new SequencedWriter(sites.nbdPort(A, "node-1", ledger), ledger, records, 1, 400);
        writer.run();
        assertEquals(null, writer.ended(), "every write of step 1 succeeds");
        sites.apply(A, """
                apiVersion: copyservices.dev/v1alpha1
                kind: FlashCopy
                metadata: {name: ledger-before}
                spec:
                  source: {array: node-1, volume: ledger}
                  mode: Snapshot
                """);
        sites.await(A, "flashcopy/ledger-before", "condition=Ready");
        String flashCopy = sites.get(A, "flashcopy/ledger-before", "{.status.arrayName}");
        timeline.mark("FlashCopy ledger-before Ready (" + flashCopy + ") after 400 records");
        Tools.qemuIoOk(sites.nbdUri(A, "node-1", "ledger"), List.of("write -P 0xee 0 1M"));
        sites.apply(A, """
                apiVersion: copyservices.dev/v1alpha1
                kind: VolumeCopy
                metadata: {name: ledger-restore}
                spec:
                  source: {flashCopy: ledger-before}
                  target: {array: node-1, volume: ledger-copy}
                  priority: Highest
                """);
        sites.await(A, "volumecopy/ledger-restore", "jsonpath={.status.state}=Completed");
        timeline.mark("VolumeCopy ledger-restore Completed");
        List<String> ledgerCopy = List.of("ledger-copy");
        WriteOrderChecker.Verdict copy = SequencedWriter.check(sites.nbdPort(A, "node-1", ledgerCopy), ledgerCopy, records)
                .assertConsistent("the VolumeCopy of the FlashCopy");
        assertEquals(400, copy.lowest(), "the copy holds every record written before the FlashCopy: " + copy);
        Tools.Result same = Tools.run("qemu-img", "compare", "-f", "raw", "-F", "raw",
                sites.nbdUri(A, "node-1", flashCopy), sites.nbdUri(A, "node-1", "ledger-copy"));
        assertEquals(0, same.exitCode(), "the copy equals the FlashCopy byte for byte: " + same.output());
    }

    /** Step 2: two synchronous mirrors and an asynchronous consistency group of two, one MirrorGroup at both sites. */
    private void mirrorGroupToSiteB(LocalSites sites) throws Exception {
        for (String site : List.of(A, B)) {
            for (String volume : SYNC) {
                sites.csctl(site, "node-1", "volume", "create", volume, "--size", SIZE);
            }
            for (String volume : ASYNC) {
                sites.csctl(site, "node-2", "volume", "create", volume, "--size", SIZE);
            }
        }
        // the volumes become PVCs at site-a as an administrator imports existing volumes: a static PV
        // of the CSI driver pre-bound to its claim (no kubelet or PV controller runs here)
        StringBuilder claims = new StringBuilder();
        StringBuilder mirrors = new StringBuilder();
        for (String volume : SYNC) {
            claims.append(claim(volume, sites.address(LocalSites.key(A, "node-1", "ARRAY"))));
            mirrors.append(mirror(volume, sites.address(LocalSites.key(B, "node-1", "REPLICATION")), ""));
        }
        for (String volume : ASYNC) {
            claims.append(claim(volume, sites.address(LocalSites.key(A, "node-2", "ARRAY"))));
            mirrors.append(mirror(volume, sites.address(LocalSites.key(B, "node-2", "REPLICATION")),
                    "  writeMode: Asynchronous\n  consistencyGroup: events\n"));
        }
        sites.apply(A, claims.toString());
        sites.apply(A, mirrors.toString());
        for (String site : List.of(A, B)) {
            sites.apply(site, """
                    apiVersion: copyservices.dev/v1alpha1
                    kind: MirrorGroup
                    metadata: {name: shop}
                    spec:
                      selector: {matchLabels: {app: shop}}
                      primarySite: site-a
                    """);
        }
        for (String volume : concat(SYNC, ASYNC)) {
            sites.awaitCreated(B, "remotemirror/" + volume);
            sites.awaitCreated(B, "pvc/" + volume);
        }
        for (String volume : SYNC) {
            assertSecondaryClaim(sites, volume, sites.address(LocalSites.key(B, "node-1", "ARRAY")));
        }
        for (String volume : ASYNC) {
            assertSecondaryClaim(sites, volume, sites.address(LocalSites.key(B, "node-2", "ARRAY")));
        }
        for (String volume : concat(SYNC, ASYNC)) {
            sites.await(B, "remotemirror/" + volume, "condition=Synchronized");
        }
        sites.await(A, "mirrorgroup/shop", "condition=Ready");
        sites.await(B, "mirrorgroup/shop", "condition=Ready");
        assertEquals("4", sites.get(B, "mirrorgroup/shop", "{.status.memberCount}"));
        timeline.mark("MirrorGroup shop Ready at both sites; site-b adopted its 4 secondaries and made their PVCs by itself");
    }

    /** A PVC at site-a for an existing volume of {@code array}: a Retain PV of the CSI driver pre-bound to it. */
    private static String claim(String volume, String array) {
        return """
                apiVersion: v1
                kind: PersistentVolume
                metadata: {name: site-a-%1$s}
                spec:
                  capacity: {storage: 64Mi}
                  accessModes: [ReadWriteOnce]
                  volumeMode: Block
                  persistentVolumeReclaimPolicy: Retain
                  storageClassName: ""
                  claimRef: {namespace: default, name: %1$s}
                  csi: {driver: block.copyservices.dev, volumeHandle: %2$s/%1$s}
                ---
                apiVersion: v1
                kind: PersistentVolumeClaim
                metadata: {name: %1$s, namespace: default}
                spec:
                  accessModes: [ReadWriteOnce]
                  volumeMode: Block
                  storageClassName: ""
                  volumeName: site-a-%1$s
                  resources: {requests: {storage: 64Mi}}
                ---
                """.formatted(volume, array);
    }

    private static String mirror(String volume, String peer, String settings) {
        return """
                apiVersion: copyservices.dev/v1alpha1
                kind: RemoteMirror
                metadata: {name: %1$s, labels: {app: shop}}
                spec:
                  volume: {pvc: %1$s}
                  peer: {site: site-b, endpoint: "%2$s", volume: %1$s}
                  role: Primary
                  syncPriority: Highest
                %3$s---
                """.formatted(volume, peer, settings);
    }

    /** The PVC site-b made for a secondary: bound to a Retain PV whose CSI handle is site-b's volume. */
    private static void assertSecondaryClaim(LocalSites sites, String volume, String array) {
        String pv = sites.get(B, "pvc/" + volume, "{.spec.volumeName}");
        assertEquals(array + "/" + volume, sites.get(B, "pv/" + pv, "{.spec.csi.volumeHandle}"));
        assertEquals("Retain", sites.get(B, "pv/" + pv, "{.spec.persistentVolumeReclaimPolicy}"));
        assertEquals("Block", sites.get(B, "pvc/" + volume, "{.spec.volumeMode}"));
    }

    /** Step 3: a FlashCopy of a secondary at site B, written to, while mirroring goes on. */
    private void practiceFailoverAtSiteB(LocalSites sites) throws Exception {
        sites.apply(B, """
                apiVersion: copyservices.dev/v1alpha1
                kind: FlashCopy
                metadata: {name: orders-db-drill}
                spec:
                  source: {array: node-1, volume: orders-db}
                  mode: Snapshot
                """);
        sites.await(B, "flashcopy/orders-db-drill", "condition=Ready");
        String drill = sites.get(B, "flashcopy/orders-db-drill", "{.status.arrayName}");
        Tools.qemuIoOk(sites.nbdUri(B, "node-1", drill), List.of("write -P 0x3d 0 1M", "read -P 0x3d 0 1M"));
        Tools.qemuIoOk(sites.nbdUri(A, "node-1", "orders-db"), List.of("write -P 0x4e 8M 1M"));
        sites.await(A, "remotemirror/orders-db", "condition=Synchronized");
        Tools.qemuIoOk(true, sites.nbdUri(B, "node-1", "orders-db"), List.of("read -P 0x4e 8M 1M"));
        timeline.mark("practice failover: FlashCopy " + drill + " of site-b's orders-db written while the mirror stays Synchronized");
        sites.kubectl(B, null, "delete", "flashcopy", "orders-db-drill", "--wait=true", "--timeout=60s").orFail();
    }

    /** Step 4: site A killed under write load; one edit at site B; what B holds. */
    private WriteOrderChecker[] siteAFailsUnderLoadAndOneEditMakesBPrimary(LocalSites sites) throws Exception {
        WriteOrderChecker sync = new WriteOrderChecker(2, SYNC.size(), SLOTS);
        WriteOrderChecker async = new WriteOrderChecker(3, ASYNC.size(), SLOTS);
        SequencedWriter syncWriter = new SequencedWriter(sites.nbdPort(A, "node-1", SYNC), SYNC, sync, 2, Integer.MAX_VALUE);
        SequencedWriter asyncWriter = new SequencedWriter(sites.nbdPort(A, "node-2", ASYNC), ASYNC, async, 3, Integer.MAX_VALUE);
        Thread syncThread = Thread.ofPlatform().name("sync-writer").start(syncWriter);
        Thread asyncThread = Thread.ofPlatform().name("async-writer").start(asyncWriter);
        long killAfter = 300 + new java.util.Random().nextInt(300);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (sync.acknowledgedCount() < killAfter || async.acknowledgedCount() < killAfter) {
            assertTrue(syncThread.isAlive() && asyncThread.isAlive(), "a writer stopped before the kill: "
                    + syncWriter.ended() + " / " + asyncWriter.ended());
            assertTrue(System.nanoTime() < deadline, "the writers did not reach " + killAfter + " writes");
            // polling the writers' counters: they run in their own threads at their own pace
            TimeUnit.MILLISECONDS.sleep(5);
        }
        sites.crash(A);
        timeline.mark("site-a killed (kill -9 of every process) after " + sync.acknowledgedCount() + " synchronous and "
                + async.acknowledgedCount() + " asynchronous acknowledged writes");
        syncThread.join(TimeUnit.MINUTES.toMillis(1));
        asyncThread.join(TimeUnit.MINUTES.toMillis(1));
        assertNotNull(syncWriter.ended(), "the synchronous writer saw site-a go");
        assertNotNull(asyncWriter.ended(), "the asynchronous writer saw site-a go");

        long edit = timeline.mark("kubectl --context site-b patch mirrorgroup shop primarySite=site-b force=true");
        sites.patch(B, "mirrorgroup/shop", "{\"spec\":{\"primarySite\":\"site-b\",\"force\":true}}");
        awaitWritable(sites, B, "node-1", "orders-db");
        long writable = timeline.mark("orders-db writable at site-b");
        for (String volume : concat(SYNC, ASYNC)) {
            sites.await(B, "remotemirror/" + volume, "jsonpath={.status.role}=Primary");
        }
        timeline.mark(String.format("FAILOVER TIME (edit to writable at site-b): %.3f s", (writable - edit) / 1e9));

        WriteOrderChecker.Verdict atB = SequencedWriter.check(sites.nbdPort(B, "node-1", SYNC), SYNC, sync)
                .assertConsistent("synchronous mirrors at site-b");
        assertEquals(0, atB.acknowledgedLost(), "every acknowledged synchronous write is at site-b: " + atB);
        WriteOrderChecker.Verdict group = SequencedWriter.check(sites.nbdPort(B, "node-2", ASYNC), ASYNC, async)
                .assertConsistent("the asynchronous consistency group at site-b");
        timeline.mark("site-b holds every acknowledged synchronous write (" + atB + "); the consistency group is "
                + group + ", " + group.acknowledgedLost() + " acknowledged writes behind");
        return new WriteOrderChecker[] {sync, async};
    }

    /** Polls a write at the site until it succeeds: the volume is writable once its mirror is primary there. */
    private static void awaitWritable(LocalSites sites, String site, String node, String volume) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        String uri = sites.nbdUri(site, node, volume); // attaches once; the loop only writes
        while (true) {
            Tools.Result write = Tools.qemuIo(uri, List.of("write -P 0x61 16M 4k"));
            if (write.exitCode() == 0 && !write.output().contains("failed")) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, volume + " at " + site + " not writable: " + write.output());
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    /** Step 5: writes at B, A back, DualPrimary on both, resolved keeping B, changed regions only, back to A. */
    private void siteAReturnsTheConflictIsResolvedAndTheGroupMovesBack(LocalSites sites, WriteOrderChecker[] checkers)
            throws Exception {
        for (String volume : SYNC) {
            Tools.qemuIoOk(sites.nbdUri(B, "node-1", volume), List.of("write -P 0x77 4M 1M"));
        }
        for (String volume : ASYNC) {
            Tools.qemuIoOk(sites.nbdUri(B, "node-2", volume), List.of("write -P 0x78 4M 1M"));
        }
        timeline.mark("site-b wrote 1 MiB to each of the 4 volumes");
        sites.up(A);
        timeline.mark("site-a back (bin/copyservices-local up site-a)");
        sites.await(A, "mirrorgroup/shop", "condition=DualRoleConflict");
        sites.await(B, "mirrorgroup/shop", "condition=DualRoleConflict");
        // the group turns to Conflict with its first member in conflict; a planned resolution is refused
        // while another member has not heard from its peer yet (Unresponsive), so wait for all four
        for (String site : List.of(A, B)) {
            for (String volume : concat(SYNC, ASYNC)) {
                sites.await(site, "remotemirror/" + volume, "jsonpath={.status.state}=DualPrimary");
            }
        }
        timeline.mark("DualPrimary reported at both sites, for every member");

        long sentBefore = bytesSentAtB(sites);
        sites.patch(A, "mirrorgroup/shop", "{\"spec\":{\"primarySite\":\"site-b\"}}");
        for (String volume : concat(SYNC, ASYNC)) {
            sites.await(A, "remotemirror/" + volume, "jsonpath={.status.role}=Secondary");
            sites.await(B, "remotemirror/" + volume, "condition=Synchronized");
        }
        long resync = bytesSentAtB(sites) - sentBefore;
        timeline.mark("conflict resolved keeping site-b (one edit at site-a); RESYNC BYTES: " + resync + " for 4 volumes of "
                + VOLUME_BYTES + " bytes");
        assertTrue(resync > 0, "the resync copied the regions site-b wrote");
        assertTrue(resync < VOLUME_BYTES, "the resync copies changed regions, not whole volumes: " + resync + " bytes");

        sites.patch(B, "mirrorgroup/shop", "{\"spec\":{\"primarySite\":\"site-a\",\"force\":false}}");
        sites.await(A, "mirrorgroup/shop", "jsonpath={.spec.primarySite}=site-a");
        sites.await(A, "mirrorgroup/shop", "condition=Ready");
        sites.await(B, "mirrorgroup/shop", "condition=Ready");
        for (String volume : concat(SYNC, ASYNC)) {
            sites.await(A, "remotemirror/" + volume, "jsonpath={.status.role}=Primary");
        }
        timeline.mark("planned failback: the group is primary at site-a again");
        for (String volume : SYNC) {
            assertSameAtBothSites(sites, "node-1", volume);
            Tools.qemuIoOk(true, sites.nbdUri(A, "node-1", volume), List.of("read -P 0x77 4M 1M"));
        }
        for (String volume : ASYNC) {
            assertSameAtBothSites(sites, "node-2", volume);
            Tools.qemuIoOk(true, sites.nbdUri(A, "node-2", volume), List.of("read -P 0x78 4M 1M"));
        }
        SequencedWriter.check(sites.nbdPort(A, "node-1", SYNC), SYNC, checkers[0]).assertConsistent("site-a after failback");
        timeline.mark("site-a's volumes equal what site-b held, byte for byte");
    }

    private static void assertSameAtBothSites(LocalSites sites, String node, String volume) throws Exception {
        Tools.Result same = Tools.run("qemu-img", "compare", "-f", "raw", "-F", "raw",
                sites.nbdUri(A, node, volume), sites.nbdUri(B, node, volume));
        assertEquals(0, same.exitCode(), volume + " differs between the sites: " + same.output());
    }

    /** The bytes site-b's agents sent for the group's mirrors (writes and resyncs), from csctl mirror show. */
    private static long bytesSentAtB(LocalSites sites) throws Exception {
        long total = 0;
        for (String volume : SYNC) {
            total += bytesSent(sites.csctl(B, "node-1", "-o", "json", "mirror", "show", volume));
        }
        for (String volume : ASYNC) {
            total += bytesSent(sites.csctl(B, "node-2", "-o", "json", "mirror", "show", volume));
        }
        return total;
    }

    private static long bytesSent(String json) {
        Matcher matcher = BYTES_SENT.matcher(json);
        assertTrue(matcher.find(), "no bytesSent in " + json);
        return Long.parseLong(matcher.group(1));
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
