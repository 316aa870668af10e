package dev.copyservices.agent.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.api.agent.v1.CreateMirrorRequest;
import dev.copyservices.api.agent.v1.MirrorRole;
import dev.copyservices.api.agent.v1.MirrorState;
import dev.copyservices.api.agent.v1.WriteMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A synchronous mirror loses no acknowledged write when its primary's agent dies: qemu-io writes random
 * 64 KiB slots to the primary on site-a, the agent is killed with SIGKILL at a random point of that
 * stream, the secondary on site-b is promoted with force, and every write qemu-io saw acknowledged
 * reads back byte for byte from site-b's volume (as secondary, and again once promoted), while slots
 * never written hold zeroes. When site-a returns, both members say DualPrimary. Several rounds, each on
 * fresh volumes; the seed is printed and -Dcrash.seed=N replays it.
 */
class SynchronousMirrorCrashIT {
    private static final int SLOT = 64 * 1024;
    private static final int SLOTS = 1024;
    private static final long SIZE = (long) SLOT * SLOTS;
    private static final int ROUNDS = 3;
    private static final int WRITES_PER_ROUND = 300;

    @TempDir
    Path dir;

    private record Write(int slot, int pattern) {
    }

    // mirror-overview V11, V14, V32, mirror-operations O17, O35, O48
    @Test
    void everyAcknowledgedWriteIsOnThePromotedSecondaryAfterKill9OfThePrimary() throws Exception {
        long seed = Long.getLong("crash.seed", System.nanoTime());
        System.out.println("SynchronousMirrorCrashIT crash.seed=" + seed);
        Random random = new Random(seed);
        try (MirrorSites sites = MirrorSites.start(dir, false)) {
            sites.activate();
            for (int round = 0; round < ROUNDS; round++) {
                String context = "crash.seed=" + seed + " round " + round;
                String primary = "db" + round;
                String secondary = "db" + round + "-copy";
                VolumeCopies.createVolume(sites.a().agent(), primary, SIZE);
                VolumeCopies.createVolume(sites.b().agent(), secondary, SIZE);
                sites.createSynchronized(primary, secondary, CreateMirrorRequest.newBuilder()
                        .setWriteMode(WriteMode.SYNCHRONOUS), context);

                List<Write> writes = new ArrayList<>();
                List<String> commands = new ArrayList<>();
                for (int i = 0; i < WRITES_PER_ROUND; i++) {
                    Write w = new Write(random.nextInt(SLOTS), 1 + random.nextInt(255));
                    writes.add(w);
                    commands.add("write -P " + w.pattern() + " " + (long) w.slot() * SLOT + " " + SLOT);
                }
                int killAfter = 10 + random.nextInt(WRITES_PER_ROUND - 20);
                int acked = KilledWriteStream.run(sites.a().agent(), primary, commands, killAfter, context)
                        .acknowledgedWrites();
                System.out.println(context + ": site-a killed after " + acked + " acknowledged writes");

                Map<Integer, Integer> guaranteed = new HashMap<>();
                Set<Integer> uncertain = new HashSet<>();
                for (int i = 0; i < writes.size() && i <= acked; i++) {
                    Write w = writes.get(i);
                    if (i < acked) {
                        guaranteed.put(w.slot(), w.pattern());
                        uncertain.remove(w.slot());
                    } else { // sent, maybe on site-b, never acknowledged: old or new bytes are both right
                        guaranteed.remove(w.slot());
                        uncertain.add(w.slot());
                    }
                }
                verify(sites.b().agent(), secondary, guaranteed, uncertain, true, context + ", secondary");
                sites.promoteForced(sites.b(), secondary, context);
                verify(sites.b().agent(), secondary, guaranteed, uncertain, false, context + ", promoted");
                Tools.qemuIoOk(sites.b().agent().nbdUri(secondary), List.of("write -P 7 0 4096", "read -P 7 0 4096"));

                long events = AgentEvents.lastSequence(sites.b().agent());
                sites.a().agent().launch();
                sites.awaitState(sites.a(), primary, MirrorState.DUAL_PRIMARY, context + ", site-a back");
                sites.awaitState(sites.b(), secondary, MirrorState.DUAL_PRIMARY, context + ", site-a back");
                AgentEvents.await(sites.b().agent(), events, "MIRROR_DUAL_ROLE_CONFLICT", Set.of(secondary), context);
                assertTrue(sites.a().mirror(primary).getRole() == MirrorRole.PRIMARY, context);
                sites.removeEverywhere(primary, secondary, context);
            }
        }
    }

    /**
     * Reads every slot of the volume with qemu-io: a guaranteed slot must hold its pattern, a slot never
     * written zeroes; uncertain slots are skipped.
     */
    private static void verify(AgentProcess agent, String volume, Map<Integer, Integer> guaranteed,
            Set<Integer> uncertain, boolean readOnly, String context) throws Exception {
        List<String> reads = new ArrayList<>();
        for (int slot = 0; slot < SLOTS; slot++) {
            if (uncertain.contains(slot)) {
                continue;
            }
            int pattern = guaranteed.getOrDefault(slot, 0);
            reads.add("read -P " + pattern + " " + (long) slot * SLOT + " " + SLOT);
        }
        Tools.Result result = Tools.qemuIo(readOnly, agent.nbdUri(volume), reads);
        if (result.exitCode() != 0 || result.output().contains("failed")
                || result.output().contains("Pattern verification")) {
            throw new AssertionError(context + ": acknowledged writes missing from " + volume + " ("
                    + guaranteed.size() + " slots guaranteed):\n" + result.output());
        }
        assertTrue(!guaranteed.isEmpty(), context + ": nothing was verified");
    }
}
