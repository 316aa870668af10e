package dev.copyservices.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.api.agent.v1.CopyPriority;
import dev.copyservices.api.agent.v1.CreateFlashCopyRequest;
import dev.copyservices.api.agent.v1.CreateMirrorRequest;
import dev.copyservices.api.agent.v1.DeleteFlashCopyRequest;
import dev.copyservices.api.agent.v1.FlashCopyServiceGrpc;
import dev.copyservices.api.agent.v1.MirrorState;
import dev.copyservices.api.agent.v1.RecopyRequest;
import dev.copyservices.api.agent.v1.ResyncMethod;
import dev.copyservices.api.agent.v1.WriteMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A soak: for {@code -Dsoak.seconds} (default 180, what CI runs; bench/soak.sh runs longer) a random
 * mix of host writes, FlashCopies, VolumeCopies, a synchronous and an asynchronous mirror (automatic
 * resync), with kill -9 of either agent and cuts of the replication link through the fault proxies.
 * A model holds the pattern of every 64 KiB slot of every volume; each FlashCopy and VolumeCopy is
 * checked against the model as of its point in time, and at the end every volume is checked against
 * the model and every mirror's secondary against its primary, byte for byte. The seed is printed and
 * {@code -Dsoak.seed=N} replays the same choices.
 */
class SoakIT {
    private static final int SLOT = 64 * 1024;
    private static final int SLOTS = 128;
    private static final long SIZE = (long) SLOT * SLOTS;
    private static final String SYNC = "soak-sync";
    private static final String ASYNC = "soak-async";
    private static final String PLAIN = "soak-plain";
    private static final String COPY_TARGET = "soak-copy";
    private static final List<String> VOLUMES = List.of(SYNC, ASYNC, PLAIN);

    @TempDir
    Path dir;

    private final Map<String, int[]> model = new LinkedHashMap<>();
    private final Map<String, Integer> counts = new LinkedHashMap<>();
    private long bytesVerified;
    private Random random;
    private MirrorSites sites;
    private String seedContext;

    @Test
    void aMixedWorkloadWithKillsAndLinkCutsLosesNoAcknowledgedWriteAndEveryCopyIsItsPointInTime() throws Exception {
        long seed = Long.getLong("soak.seed", System.nanoTime());
        long seconds = Long.getLong("soak.seconds", 180);
        seedContext = "soak.seed=" + seed;
        System.out.println("SoakIT " + seedContext + ", " + seconds + " s");
        random = new Random(seed);
        try (MirrorSites started = MirrorSites.start(dir, true, "--mirror-write-timeout", "1s")) {
            sites = started;
            setUp();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < deadline) {
                switch (random.nextInt(7)) {
                    case 0, 1 -> writes(VOLUMES.get(random.nextInt(VOLUMES.size())), 16);
                    case 2 -> flashCopy(random.nextBoolean() ? PLAIN : SYNC);
                    case 3 -> volumeCopy();
                    case 4 -> linkCut();
                    case 5 -> killPrimarySite();
                    default -> killSecondarySite();
                }
            }
            verifyEverything();
        }
        System.out.println("SoakIT " + seedContext + ": " + counts + ", " + (bytesVerified >> 20) + " MiB verified");
    }

    private void setUp() throws Exception {
        sites.activate();
        for (String volume : VOLUMES) {
            VolumeCopies.createVolume(sites.a().agent(), volume, SIZE);
            model.put(volume, new int[SLOTS]);
        }
        VolumeCopies.createVolume(sites.b().agent(), SYNC, SIZE);
        VolumeCopies.createVolume(sites.b().agent(), ASYNC, SIZE);
        VolumeCopies.createVolume(sites.a().agent(), COPY_TARGET, SIZE);
        sites.createSynchronized(SYNC, SYNC, CreateMirrorRequest.newBuilder().setWriteMode(WriteMode.SYNCHRONOUS)
                .setResyncMethod(ResyncMethod.AUTOMATIC), seedContext);
        sites.createSynchronized(ASYNC, ASYNC, CreateMirrorRequest.newBuilder().setWriteMode(WriteMode.ASYNCHRONOUS)
                .setResyncMethod(ResyncMethod.AUTOMATIC), seedContext);
    }

    /** {@code n} random slot writes in one qemu-io run; acknowledged, so the model takes them. */
    private void writes(String volume, int n) throws Exception {
        List<String> commands = new ArrayList<>();
        int[] slots = new int[n];
        int[] patterns = new int[n];
        for (int i = 0; i < n; i++) {
            slots[i] = random.nextInt(SLOTS);
            patterns[i] = 1 + random.nextInt(255);
            commands.add("write -P " + patterns[i] + " " + (long) slots[i] * SLOT + " " + SLOT);
        }
        Tools.qemuIoOk(sites.a().agent().nbdUri(volume), commands); // attached when created
        for (int i = 0; i < n; i++) {
            model.get(volume)[slots[i]] = patterns[i];
        }
        count("writes", n);
    }

    /** A FlashCopy, writes to its base after it, and the FlashCopy still reads as the base did before. */
    private void flashCopy(String base) throws Exception {
        String name = base + "-fc";
        int[] pointInTime = model.get(base).clone();
        flashCopies().createFlashCopy(CreateFlashCopyRequest.newBuilder().setBase(base).setName(name)
                .setRepositoryPercent(100).build());
        writes(base, 8);
        verify(sites.a().agent(), name, pointInTime, true, "FlashCopy " + name);
        flashCopies().deleteFlashCopy(DeleteFlashCopyRequest.newBuilder().setName(name).setForce(true).build());
        count("flashcopies", 1);
    }

    /** A full copy of the plain volume; the target reads as the source did when the copy started. */
    private void volumeCopy() throws Exception {
        int[] pointInTime = model.get(PLAIN).clone();
        AgentProcess a = sites.a().agent();
        if (counts.getOrDefault("volumecopies", 0) == 0) {
            VolumeCopies.create(a, PLAIN, COPY_TARGET, CopyPriority.COPY_PRIORITY_HIGHEST);
        } else {
            VolumeCopies.copies(a).recopy(RecopyRequest.newBuilder().setTarget(COPY_TARGET).build());
        }
        VolumeCopies.awaitCompleted(a, COPY_TARGET, seedContext);
        verify(a, COPY_TARGET, pointInTime, true, "VolumeCopy " + COPY_TARGET);
        count("volumecopies", 1);
    }

    /** Writes to both mirrored volumes while the link is cut; they resynchronize by themselves after. */
    private void linkCut() throws Exception {
        sites.cutLink();
        try {
            writes(SYNC, 4); // each waits out --mirror-write-timeout, then the mirror is Unsynchronized
            writes(ASYNC, 4);
        } finally {
            sites.restoreLink();
        }
        count("link cuts", 1);
    }

    /**
     * kill -9 of site-a's agent in the middle of a write stream: what qemu-io saw acknowledged is
     * kept; the one write under way when it died may or may not be, so after the restart that slot
     * is written again, which makes the model certain again.
     */
    private void killPrimarySite() throws Exception {
        String volume = VOLUMES.get(random.nextInt(VOLUMES.size()));
        List<String> commands = new ArrayList<>();
        List<int[]> writes = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            int[] w = {random.nextInt(SLOTS), 1 + random.nextInt(255)};
            writes.add(w);
            commands.add("write -P " + w[1] + " " + (long) w[0] * SLOT + " " + SLOT);
        }
        AgentProcess a = sites.a().agent();
        int acked = KilledWriteStream.run(a, volume, commands, 5 + random.nextInt(30), seedContext)
                .acknowledgedWrites();
        for (int i = 0; i < acked && i < writes.size(); i++) {
            model.get(volume)[writes.get(i)[0]] = writes.get(i)[1];
        }
        a.launch();
        if (acked < writes.size()) {
            int slot = writes.get(acked)[0];
            int pattern = 1 + random.nextInt(255);
            Tools.qemuIoOk(a.nbdUri(volume), List.of("write -P " + pattern + " " + (long) slot * SLOT + " "
                    + SLOT));
            model.get(volume)[slot] = pattern;
        }
        count("kills of site-a", 1);
    }

    /** kill -9 of site-b's agent, writes to the primaries while it is gone, then it comes back. */
    private void killSecondarySite() throws Exception {
        sites.b().agent().kill9();
        writes(SYNC, 4);
        writes(ASYNC, 4);
        sites.b().agent().launch();
        count("kills of site-b", 1);
    }

    private void verifyEverything() throws Exception {
        for (String volume : List.of(SYNC, ASYNC)) {
            sites.awaitState(sites.a(), volume, MirrorState.SYNCHRONIZED, seedContext + ", at the end");
            sites.awaitState(sites.b(), volume, MirrorState.SYNCHRONIZED, seedContext + ", at the end");
        }
        for (String volume : VOLUMES) {
            verify(sites.a().agent(), volume, model.get(volume), false, "volume " + volume);
        }
        Path scratch = Files.createDirectories(dir.resolve("scratch"));
        for (String volume : List.of(SYNC, ASYNC)) {
            sites.assertSameData(volume, volume, scratch, seedContext + ", mirror of " + volume);
            bytesVerified += 2 * SIZE;
        }
        assertTrue(counts.getOrDefault("writes", 0) > 0, "the soak wrote nothing");
    }

    /** Reads every slot with qemu-io: each must hold the model's pattern (0 for never written). */
    private void verify(AgentProcess agent, String volume, int[] expected, boolean readOnly, String what)
            throws Exception {
        List<String> reads = new ArrayList<>();
        for (int slot = 0; slot < SLOTS; slot++) {
            reads.add("read -P " + expected[slot] + " " + (long) slot * SLOT + " " + SLOT);
        }
        Tools.Result result = Tools.qemuIo(readOnly, agent.attachedNbdUri(volume), reads);
        Tools.assertVerified(result, seedContext + " after " + counts + ": " + what + " does not hold what the model"
                + " says");
        assertEquals(SLOTS, result.output().lines().filter(l -> l.startsWith("read ")).count(), result.output());
        bytesVerified += SIZE;
    }

    private FlashCopyServiceGrpc.FlashCopyServiceBlockingStub flashCopies() {
        return FlashCopyServiceGrpc.newBlockingStub(sites.a().agent().channel()).withDeadlineAfter(30,
                TimeUnit.SECONDS);
    }

    private void count(String what, int n) {
        counts.merge(what, n, Integer::sum);
    }
}
