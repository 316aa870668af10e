package dev.copyservices.agent.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.api.agent.v1.CreateVolumeRequest;
import dev.copyservices.api.agent.v1.VolumeServiceGrpc;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every write acknowledged with FUA, or before a completed FLUSH, survives kill -9 of the agent.
 * A qemu-io client writes random 64 KiB slots (some with FUA, some followed by a flush); the agent is
 * killed at a random point of that stream, restarted, and every slot whose content is guaranteed is
 * read back byte for byte. Several rounds run on one pool, each killing at another point. The seed is
 * printed so that a failure can be replayed with -Dcrash.seed=N.
 */
class CrashRecoveryIT {
    private static final int SLOT = 64 * 1024;
    private static final int SLOTS = 512;
    private static final int ROUNDS = 4;
    private static final int WRITES_PER_ROUND = 300;

    @TempDir
    Path pool;

    /** What a slot must contain after recovery; slots with uncertain content are left out. */
    private final Map<Integer, Integer> guaranteed = new HashMap<>();
    private final Set<Integer> everWritten = new HashSet<>();

    @Test
    void flushedAndFuaWritesSurviveKill9AtRandomPoints() throws Exception {
        long seed = Long.getLong("crash.seed", System.nanoTime());
        Random random = new Random(seed);
        String context = "crash.seed=" + seed;
        AgentProcess agent = AgentProcess.start(pool);
        try {
            VolumeServiceGrpc.newBlockingStub(agent.channel()).withDeadlineAfter(30, TimeUnit.SECONDS).createVolume(
                    CreateVolumeRequest.newBuilder().setName("crashme").setSizeBytes((long) SLOT * SLOTS).build());
            for (int round = 0; round < ROUNDS; round++) {
                writeUntilKilled(agent, random, context + " round " + round);
                agent.launch();
                verify(agent, context + " round " + round);
            }
        } finally {
            agent.close();
        }
    }

    private record Write(int slot, int pattern, boolean fua) {
    }

    private void writeUntilKilled(AgentProcess agent, Random random, String context) throws Exception {
        List<String> commands = new ArrayList<>();
        List<Write> writes = new ArrayList<>();
        // after each flush, 'length' prints a line: seeing it proves the flush before it completed
        List<Integer> writesBeforeMarker = new ArrayList<>();
        for (int i = 0; i < WRITES_PER_ROUND; i++) {
            Write w = new Write(random.nextInt(SLOTS), 1 + random.nextInt(255), random.nextInt(3) == 0);
            writes.add(w);
            commands.add("write " + (w.fua() ? "-f " : "") + "-P " + w.pattern() + " " + (long) w.slot() * SLOT + " "
                    + SLOT);
            if (random.nextInt(8) == 0) {
                commands.add("flush");
                commands.add("length");
                writesBeforeMarker.add(writes.size());
            }
        }
        int killAfterWrites = 20 + random.nextInt(WRITES_PER_ROUND - 40);

        KilledWriteStream.Seen seen = KilledWriteStream.run(agent, "crashme", commands, killAfterWrites, context);
        int acked = seen.acknowledgedWrites();
        int markers = seen.completedFlushMarkers();

        // a write is guaranteed if it was acknowledged with FUA, or a flush after it completed
        int flushedPrefix = markers == 0 ? 0 : writesBeforeMarker.get(markers - 1);
        for (int i = 0; i < writes.size(); i++) {
            Write w = writes.get(i);
            boolean ackedWrite = i < acked;
            boolean inFlight = i == acked; // sent, maybe half applied, never acknowledged
            if (ackedWrite && (w.fua() || i < flushedPrefix)) {
                guaranteed.put(w.slot(), w.pattern());
                everWritten.add(w.slot());
            } else if (ackedWrite || inFlight) {
                guaranteed.remove(w.slot()); // old or new bytes are both correct now
                everWritten.add(w.slot());
            }
        }
    }

    private void verify(AgentProcess agent, String context) throws Exception {
        List<String> reads = new ArrayList<>();
        for (int slot = 0; slot < SLOTS; slot++) {
            Integer pattern = guaranteed.get(slot);
            if (pattern != null) {
                reads.add("read -P " + pattern + " " + (long) slot * SLOT + " " + SLOT);
            } else if (!everWritten.contains(slot)) {
                reads.add("read -P 0 " + (long) slot * SLOT + " " + SLOT);
            }
        }
        Tools.Result result = Tools.qemuIo(agent.nbdUri("crashme"), reads);
        if (result.exitCode() != 0 || result.output().contains("Pattern verification failed")
                || result.output().contains("failed")) {
            throw new AssertionError(context + ": data lost after kill -9 (" + guaranteed.size()
                    + " guaranteed slots):\n" + result.output());
        }
        assertTrue(guaranteed.size() > 0 || everWritten.isEmpty(), context + ": nothing was verified");
    }
}
