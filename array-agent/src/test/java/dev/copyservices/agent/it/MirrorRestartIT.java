package dev.copyservices.agent.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.api.agent.v1.CreateMirrorRequest;
import dev.copyservices.api.agent.v1.Mirror;
import dev.copyservices.api.agent.v1.MirrorState;
import dev.copyservices.api.agent.v1.ResyncMethod;
import dev.copyservices.api.agent.v1.WriteMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mirror survives kill -9 of either agent under write load without a full copy: a synchronous mirror
 * (Automatic resync) of a 128 MiB volume full of random data takes qemu-io writes to its first 8 MiB;
 * at a random point of each round the primary's or the secondary's agent is killed and started again.
 * The mirror must come back to Synchronized on both sides having sent about the regions that changed
 * (bytes_sent, far below the 128 MiB a full copy sends), and both volumes must be equal byte for byte.
 * The seed is printed and -Dcrash.seed=N replays it.
 */
class MirrorRestartIT {
    private static final long MIB = 1 << 20;
    private static final long SIZE = 128 * MIB;
    private static final int SLOT = 64 * 1024;
    /** Writes go to the first 8 MiB only, so a resync has at most that to copy. */
    private static final long HOT = 8 * MIB;
    private static final int WRITES = 200;

    @TempDir
    Path dir;

    // mirror-overview V14, V20, V22, mirror-operations O42, O51 (delta, as DECISIONS.md settles)
    @Test
    void afterKill9OfEitherAgentUnderWritesTheMirrorResynchronizesWithoutAFullCopy() throws Exception {
        long seed = Long.getLong("crash.seed", System.nanoTime());
        System.out.println("MirrorRestartIT crash.seed=" + seed);
        Random random = new Random(seed);
        try (MirrorSites sites = MirrorSites.start(dir, false)) {
            sites.activate();
            sites.createVolumes("db", SIZE);
            NbdWrites.fillRandom(sites.a().agent(), "db", SIZE, random);
            Mirror initial = sites.createSynchronized("db", "db", CreateMirrorRequest.newBuilder()
                    .setWriteMode(WriteMode.SYNCHRONOUS).setResyncMethod(ResyncMethod.AUTOMATIC), "initial copy");
            assertTrue(initial.getBytesSent() >= SIZE, "the initial copy of " + SIZE + " bytes of random data sent "
                    + initial.getBytesSent() + " bytes; bytes_sent cannot tell a full copy from a partial one");
            long region = Math.max(SLOT, sites.a().durableMirror("db").getRegionBytes());
            long hot = (HOT + region - 1) / region * region;
            long most = hot + hot / 4 + MIB;
            assertTrue(most < SIZE / 4, "regions of " + region + " bytes are too large for this test");

            List<MirrorSites.Site> victims = new ArrayList<>(List.of(sites.a(), sites.b(), sites.a(), sites.b()));
            Collections.shuffle(victims, random);
            for (int round = 0; round < victims.size(); round++) {
                MirrorSites.Site victim = victims.get(round);
                String context = "crash.seed=" + seed + " round " + round + " (kill -9 of " + victim + ")";
                List<String> commands = new ArrayList<>();
                for (int i = 0; i < WRITES; i++) {
                    commands.add("write -P " + (1 + random.nextInt(255)) + " " + (long) random.nextInt((int) (HOT / SLOT))
                            * SLOT + " " + SLOT);
                }
                int killAfter = 10 + random.nextInt(WRITES - 20);
                AtomicLong sentBefore = new AtomicLong();
                if (victim == sites.a()) {
                    // bytes_sent counts from the agent's start: the restarted primary's count is the resync's
                    KilledWriteStream.run(sites.a().agent(), "db", commands, killAfter, context);
                } else {
                    KilledWriteStream.run(sites.a().agent(), "db", commands, killAfter, () -> {
                        sites.b().agent().kill9();
                        sentBefore.set(sites.a().mirror("db").getBytesSent());
                    }, context);
                }
                victim.agent().launch();
                sites.awaitState(sites.b(), "db", MirrorState.SYNCHRONIZED, context);
                Mirror synced = sites.awaitState(sites.a(), "db", MirrorState.SYNCHRONIZED, context);
                long sent = synced.getBytesSent() - sentBefore.get();
                String seen = context + ": the recovery sent " + sent + " bytes (writes went to " + hot
                        + " bytes of regions; a full copy sends " + SIZE + ")";
                System.out.println(seen);
                assertTrue(sent <= most, seen + "; expected at most " + most);
                sites.assertSameData("db", "db", dir, context);
            }
        }
    }
}
