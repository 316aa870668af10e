package dev.copyservices.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.api.agent.v1.MirrorState;
import dev.copyservices.api.agent.v1.ResyncMethod;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code --wait}: csctl follows a synchronization to its end, drawing a bar at a terminal and plain
 * lines otherwise, and exits 1 with what to do when it ends without completing.
 */
class ProgressTest {
    private final FakeAgent agent = new FakeAgent();

    @AfterEach
    void stop() {
        agent.close();
    }

    /** Resumed at 0 %, then 15 %, 18 %, 55 % and Synchronized at the fifth answer. */
    private void resyncToTheEnd() {
        agent.mirror.put("db", "db-dr", MirrorState.UNSYNCHRONIZED, 0);
        agent.mirror.beforeGet = n -> {
            switch (n) {
                case 1 -> agent.mirror.put("db", "db-dr", MirrorState.SYNCHRONIZING, 15);
                case 2 -> agent.mirror.put("db", "db-dr", MirrorState.SYNCHRONIZING, 18);
                case 3 -> agent.mirror.put("db", "db-dr", MirrorState.SYNCHRONIZING, 55);
                case 4 -> agent.mirror.put("db", "db-dr", MirrorState.SYNCHRONIZED, 100);
                default -> { }
            }
        };
    }

    @Test
    void aResumeWithWaitPrintsALinePerTenthAndEndsWhenSynchronized() {
        resyncToTheEnd();
        FakeAgent.Result r = agent.run("mirror", "resume", "db", "--wait", "--interval", "0.01");
        assertEquals(0, r.exit(), r.err());
        List<String> progress = r.out().lines().filter(l -> l.startsWith("mirror \"db\" -> \"db-dr\" on array-b: "))
                .toList();
        // 18 % is in the same tenth as 15 %: no line of its own
        assertEquals(List.of("Synchronizing, 15% copied", "Synchronizing, 55% copied", "Synchronized"),
                progress.stream().map(l -> l.substring(l.indexOf(": ") + 2)).toList(), r.out());
        assertFalse(r.out().contains("\r"), "no redrawing into a pipe:\n" + r.out());
    }

    @Test
    void atATerminalTheWaitRedrawsOneLineWithABar() {
        resyncToTheEnd();
        agent.terminal = true;
        FakeAgent.Result r = agent.run("mirror", "resume", "db", "--wait", "--interval", "0.01");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("\r" + "mirror \"db\" -> \"db-dr\" on array-b [###.................]  15%"
                + "  Synchronizing, 15% copied\033[K"), r.out());
        assertTrue(r.out().endsWith("[####################]  100%  Synchronized\033[K\n"), r.out());
    }

    @Test
    void inJsonTheWaitPrintsOnlyTheMirrorsAsTheyEnded() {
        resyncToTheEnd();
        FakeAgent.Result r = agent.run("-o", "json", "mirror", "resume", "db", "--wait", "--interval", "0.01");
        assertEquals(0, r.exit(), r.err());
        assertEquals(1, r.out().split("\"mirrors\"", -1).length - 1, r.out());
        assertTrue(r.out().contains("\"SYNCHRONIZED\"") && !r.out().contains("\"SYNCHRONIZING\""), r.out());
    }

    @Test
    void aManualMirrorThatLosesItsLinkEndsTheWaitWithExit1AndWhatToDo() {
        agent.mirror.put("db", "db-dr", MirrorState.UNSYNCHRONIZED, 0);
        agent.mirror.beforeGet = n -> agent.mirror.put("db", "db-dr",
                n == 1 ? MirrorState.SYNCHRONIZING : MirrorState.UNSYNCHRONIZED, 30);
        FakeAgent.Result r = agent.run("mirror", "resume", "db", "--wait", "--interval", "0.01");
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.err().contains("error: mirror \"db\" -> \"db-dr\" on array-b ended Unsynchronized before it"
                + " completed"), r.err());
        assertTrue(r.err().contains("hint: the link to the peer failed; check it with 'csctl mirror test db', then"
                + " 'csctl mirror resume db --wait'"), r.err());
    }

    @Test
    void anAutomaticMirrorThatLosesItsLinkIsWaitedForUntilItResumes() {
        agent.mirror.put("db", "db-dr", MirrorState.UNSYNCHRONIZED, 0);
        agent.mirror.beforeGet = n -> {
            MirrorState state = n == 1 ? MirrorState.SYNCHRONIZING : n < 4 ? MirrorState.UNSYNCHRONIZED
                    : n == 4 ? MirrorState.SYNCHRONIZING : MirrorState.SYNCHRONIZED;
            agent.mirror.mirrors.put("db", agent.mirror.put("db", "db-dr", state, n < 5 ? 30 : 100).toBuilder()
                    .setResyncMethod(ResyncMethod.AUTOMATIC).build());
        };
        FakeAgent.Result r = agent.run("mirror", "resume", "db", "--wait", "--interval", "0.01");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("Unsynchronized, resumes when the link returns"), r.out());
        assertTrue(r.out().strip().endsWith("Synchronized"), r.out());
    }

    @Test
    void aWaitIntervalMustBePositive() {
        agent.mirror.put("db", "db-dr", MirrorState.SUSPENDED, 0);
        FakeAgent.Result r = agent.run("mirror", "resume", "db", "--wait", "--interval", "0");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("out of range"), r.err());
    }
}
