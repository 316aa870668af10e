package dev.copyservices.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The consistency-group test's writer and checker on one agent, without mirrors: FUA records written in
 * one order across three volumes, kill -9 of the agent at a random moment, restart. Every acknowledged
 * write is durable, so the volumes must hold a prefix of the order that includes all of them (and maybe
 * the write in flight). This keeps ConsistencyGroupOrderIT's own machinery honest: when that test fails,
 * the mirror is to blame, not the writer or the checker. The seed is printed; -Dcrash.seed=N replays it.
 */
class OrderedWriterCrashIT {
    private static final long STRIDE = 64 * 1024;
    private static final int SLOTS = 128;
    private static final int ROUNDS = 2;
    private static final int MAX_WRITES = 3000;

    @TempDir
    Path pool;

    @Test
    void fuaRecordsAcrossVolumesSurviveKill9AsAPrefixHoldingEveryAcknowledgedWrite() throws Exception {
        long seed = Long.getLong("crash.seed", System.nanoTime());
        System.out.println("OrderedWriterCrashIT crash.seed=" + seed);
        Random random = new Random(seed);
        AgentProcess agent = AgentProcess.start(pool);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                String context = "crash.seed=" + seed + " round " + round;
                List<String> volumes = List.of("r" + round + "-a", "r" + round + "-b", "r" + round + "-c");
                for (String volume : volumes) {
                    VolumeCopies.createVolume(agent, volume, SLOTS * STRIDE);
                }
                WriteOrderChecker checker = new WriteOrderChecker(seed + round, volumes.size(), SLOTS);
                int killAt = 50 + random.nextInt(MAX_WRITES / 2);
                OrderedWriter.writeUntilKilled(agent, volumes, STRIDE, OrderedWriter.FUA, checker, random, killAt,
                        MAX_WRITES, context);
                agent.launch();
                WriteOrderChecker.Verdict verdict = OrderedWriter.check(agent, volumes, STRIDE, checker)
                        .assertConsistent(context);
                System.out.println(context + ": " + verdict);
                assertEquals(0, verdict.acknowledgedLost(), context + ": acknowledged FUA writes lost: " + verdict);
                assertTrue(verdict.highest() >= killAt, context + ": " + verdict);
            }
        } finally {
            agent.close();
        }
    }
}
