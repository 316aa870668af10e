package dev.copyservices.agent.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.api.agent.v1.CreateMirrorRequest;
import dev.copyservices.api.agent.v1.MirrorState;
import dev.copyservices.api.agent.v1.WriteMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Asynchronous mirrors in one consistency group keep one write order across their volumes: a writer
 * sends sequence-numbered 4 KiB records to random slots of three primaries on site-a, one at a time in
 * one global order (each acknowledged before the next), site-a's agent is killed with SIGKILL at a
 * random moment while it writes, the secondaries on site-b are promoted with force, and what they hold
 * together must be a prefix of that order (WriteOrderChecker): acknowledged writes may be missing, but
 * never an earlier write while a later one is there. Several rounds on fresh volumes; the seed is
 * printed and -Dcrash.seed=N replays it.
 */
class ConsistencyGroupOrderIT {
    private static final int VOLUMES = 3;
    private static final int SLOTS = 128;
    /** One record at the start of each 64 KiB region, so that no two slots share a region. */
    private static final long STRIDE = 64 * 1024;
    private static final long SIZE = 64L << 20;
    private static final int ROUNDS = 3;
    private static final int MAX_WRITES = 4000;

    @TempDir
    Path dir;

    // mirror-overview V24 (write order across members), mirror-operations O16 (Global Mirroring)
    @Test
    void promotedSecondariesOfAConsistencyGroupHoldAPrefixOfTheWriteOrderAfterKill9OfThePrimary()
            throws Exception {
        long seed = Long.getLong("crash.seed", System.nanoTime());
        System.out.println("ConsistencyGroupOrderIT crash.seed=" + seed);
        Random random = new Random(seed);
        long replicated = 0;
        try (MirrorSites sites = MirrorSites.start(dir, false)) {
            sites.activate();
            for (int round = 0; round < ROUNDS; round++) {
                String context = "crash.seed=" + seed + " round " + round;
                List<String> volumes = new ArrayList<>();
                for (int v = 0; v < VOLUMES; v++) {
                    String name = "cg" + round + "-vol" + v;
                    volumes.add(name);
                    sites.createVolumes(name, SIZE);
                    sites.createSynchronized(name, name, CreateMirrorRequest.newBuilder()
                            .setWriteMode(WriteMode.ASYNCHRONOUS).setConsistencyGroup("group" + round), context);
                }
                WriteOrderChecker checker = new WriteOrderChecker(seed + round, VOLUMES, SLOTS);
                int killAt = 50 + random.nextInt(MAX_WRITES / 2);
                OrderedWriter.writeUntilKilled(sites.a().agent(), volumes, STRIDE, 0, checker, random, killAt,
                        MAX_WRITES, context);
                System.out.println(context + ": site-a killed after " + checker.acknowledgedCount() + " of "
                        + checker.issuedCount() + " writes acknowledged");

                for (String volume : volumes) {
                    sites.promoteForced(sites.b(), volume, context);
                }
                WriteOrderChecker.Verdict verdict = OrderedWriter.check(sites.b().agent(), volumes, STRIDE, checker);
                System.out.println(context + ": site-b holds " + verdict);
                verdict.assertConsistent(context + ", site-b's promoted secondaries");
                replicated += verdict.lowest();

                sites.a().agent().launch();
                for (String volume : volumes) {
                    sites.awaitState(sites.a(), volume, MirrorState.DUAL_PRIMARY, context + ", site-a back");
                    sites.removeEverywhere(volume, volume, context);
                }
            }
        }
        assertTrue(replicated > 0, "crash.seed=" + seed + ": no round had any write on site-b, so none tested the"
                + " order");
    }
}
