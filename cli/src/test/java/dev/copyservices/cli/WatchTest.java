package dev.copyservices.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.api.agent.v1.MirrorState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code mirror show --watch}: each change is printed once, an unchanged answer is not, and the watch
 * ends as a command ends on an error when the mirror goes away.
 */
class WatchTest {
    private final FakeAgent agent = new FakeAgent();

    @AfterEach
    void stop() {
        agent.close();
    }

    /** The agent's answers: 40% twice, then Synchronized twice, then the mirror is gone. */
    private void synchronizeThenRemove() {
        agent.mirror.put("db", "db-dr", MirrorState.SYNCHRONIZING, 40);
        agent.mirror.beforeGet = n -> {
            if (n == 3) {
                agent.mirror.put("db", "db-dr", MirrorState.SYNCHRONIZED, 100);
            } else if (n == 5) {
                agent.mirror.mirrors.remove("db");
            }
        };
    }

    @Test
    void aWatchedMirrorIsPrintedOnceForEachChangeUntilItIsGone() {
        synchronizeThenRemove();
        FakeAgent.Result r = agent.run("mirror", "show", "db", "--watch", "--interval", "0.01");
        assertEquals(1, r.exit(), r.err());
        assertEquals(2, r.out().lines().filter(l -> l.startsWith("--- ")).count(), r.out());
        assertTrue(r.out().indexOf("Synchronizing") < r.out().indexOf("Synchronized"), r.out());
        assertTrue(r.err().contains("is not a member of a mirror"), r.err());
    }

    @Test
    void aWatchInJsonPrintsOneLinePerChange() {
        synchronizeThenRemove();
        FakeAgent.Result r = agent.run("-o", "json", "mirror", "show", "db", "-w", "--interval", "0.01");
        assertEquals(1, r.exit(), r.err());
        java.util.List<String> lines = r.out().lines().toList();
        assertEquals(2, lines.size(), r.out());
        assertTrue(lines.get(0).contains("\"SYNCHRONIZING\"") && lines.get(1).contains("\"SYNCHRONIZED\""), r.out());
    }

    @Test
    void aWatchIntervalMustBePositive() {
        agent.mirror.put("db", "db-dr", MirrorState.SYNCHRONIZED, 100);
        FakeAgent.Result r = agent.run("mirror", "show", "db", "--watch", "--interval", "0");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("out of range"), r.err());
    }
}
