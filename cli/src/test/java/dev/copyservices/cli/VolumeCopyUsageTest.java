package dev.copyservices.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.api.agent.v1.CopyState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Bad {@code csctl volumecopy} command lines: exit 2, a message that says what to write, nothing sent. */
class VolumeCopyUsageTest {

    private static final String PRIORITIES = "is not a copy priority; use one of lowest, low, medium, high, highest"
            + " (the faster the copy, the more of the agent's I/O it takes)";

    private final FakeAgent agent = new FakeAgent();

    @AfterEach
    void stop() {
        agent.close();
    }

    private void assertUsageError(FakeAgent.Result r, String error, String help) {
        assertEquals(2, r.exit(), r.err());
        assertEquals("error: " + error + "\nhint: see '" + help + " --help'\n", r.err());
        assertEquals("", r.out());
        assertTrue(agent.requests.isEmpty(), "nothing is sent for a bad command line: " + agent.requests);
    }

    @Test
    void anUnknownPriorityListsTheFiveAndSendsNothing() {
        assertUsageError(agent.run("volumecopy", "create", "--source", "db", "--target", "db-copy", "--priority",
                "urgent", "--yes"), "Invalid value for option '--priority': 'urgent' " + PRIORITIES,
                "csctl volumecopy create");
        assertUsageError(agent.run("volumecopy", "recopy", "db-copy", "--priority", "3", "--yes"),
                "Invalid value for option '--priority': '3' " + PRIORITIES, "csctl volumecopy recopy");
        assertUsageError(agent.run("volumecopy", "set", "db-copy", "--priority", ""),
                "Invalid value for option '--priority': '' " + PRIORITIES, "csctl volumecopy set");
    }

    @Test
    void protoEnumNamesAreNotPriorityNames() {
        // one spelling on the command line: the one every output shows
        assertUsageError(agent.run("volumecopy", "set", "db-copy", "--priority", "COPY_PRIORITY_HIGH"),
                "Invalid value for option '--priority': 'COPY_PRIORITY_HIGH' " + PRIORITIES, "csctl volumecopy set");
    }

    @Test
    void targetReadOnlyTakesOnlyTrueOrFalse() {
        for (String value : new String[] {"yes", "1", "no", "0", "on", "t"}) {
            assertUsageError(agent.run("volumecopy", "set", "db-copy", "--target-read-only", value),
                    "Invalid value for option '--target-read-only': '" + value + "' is neither true nor false; give"
                            + " --target-read-only true (hosts may only read the target) or --target-read-only false"
                            + " (hosts may also write it)", "csctl volumecopy set");
        }
    }

    @Test
    void targetReadOnlyNeedsAValue() {
        FakeAgent.Result r = agent.run("volumecopy", "set", "db-copy", "--target-read-only");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("error: Missing required parameter for option '--target-read-only'"
                + " (true|false)\n"), r.err());
        assertTrue(agent.requests.isEmpty());
    }

    @Test
    void setWithNothingToChangeSaysWhichOptionsExist() {
        assertUsageError(agent.run("volumecopy", "set", "db-copy"),
                "nothing to change: give --priority, --target-read-only or both", "csctl volumecopy set");
    }

    @Test
    void createNeedsASourceAndATarget() {
        assertUsageError(agent.run("volumecopy", "create", "--yes"),
                "Missing required options: '--source=SOURCE', '--target=TARGET'", "csctl volumecopy create");
        assertUsageError(agent.run("volumecopy", "create", "--source", "db", "--yes"),
                "Missing required option: '--target=TARGET'", "csctl volumecopy create");
        assertUsageError(agent.run("volumecopy", "create", "--target", "db-copy", "--yes"),
                "Missing required option: '--source=SOURCE'", "csctl volumecopy create");
    }

    @Test
    void createTakesTheVolumesAsOptionsNotPositionally() {
        FakeAgent.Result r = agent.run("volumecopy", "create", "db", "db-copy", "--yes");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("error: "), r.err());
        assertTrue(r.err().endsWith("hint: see 'csctl volumecopy create --help'\n"), r.err());
        assertTrue(agent.requests.isEmpty());
    }

    @Test
    void stopAndRecopyTakeExactlyOnePair() {
        agent.put("a", 1L << 30);
        agent.put("b", 1L << 30);
        agent.volumeCopy.put("a", "a-copy", CopyState.COPY_IN_PROGRESS, 10);
        agent.volumeCopy.put("b", "b-copy", CopyState.COPY_COMPLETED, 100);
        assertUsageError(agent.run("volumecopy", "stop", "a-copy", "b-copy", "--yes"), "stop takes one pair per"
                + " command, not 2 (\"a-copy\", \"b-copy\"): run it once for each target", "csctl volumecopy stop");
        assertUsageError(agent.run("volumecopy", "recopy", "a-copy", "b-copy", "c copy", "--yes"), "recopy takes one"
                + " pair per command, not 3 (\"a-copy\", \"b-copy\", \"c copy\"): run it once for each target",
                "csctl volumecopy recopy");
        assertEquals(CopyState.COPY_IN_PROGRESS, agent.volumeCopy.pairs.get("a-copy").getState());
    }

    @Test
    void commandsOnPairsNeedATarget() {
        for (String command : new String[] {"show", "stop", "recopy", "remove", "set"}) {
            FakeAgent.Result r = agent.run("volumecopy", command);
            assertEquals(2, r.exit(), command);
            assertTrue(r.err().startsWith("error: Missing required parameter"), r.err());
            assertTrue(r.err().contains("'TARGET'"), r.err());
            assertTrue(r.err().endsWith("hint: see 'csctl volumecopy " + command + " --help'\n"), r.err());
        }
        assertTrue(agent.requests.isEmpty());
    }

    @Test
    void volumeCopyWithoutACommandListsItsCommands() {
        assertUsageError(agent.run("volumecopy"), "missing command: choose one of create, list, recopy, remove, set,"
                + " show, stop", "csctl volumecopy");
    }

    @Test
    void helpListsTheGroupAndExplainsPrioritiesConfirmationAndOnePairRule() {
        FakeAgent.Result top = agent.run("--help");
        assertTrue(top.out().contains("volumecopy"), top.out());

        FakeAgent.Result group = agent.run("volumecopy", "--help");
        assertEquals(0, group.exit());
        String text = group.out().replaceAll("\\s+", " ");
        for (String command : new String[] {"create", "list", "show", "stop", "recopy", "remove", "set"}) {
            assertTrue(text.contains(" " + command + " "), command + ": " + text);
        }
        assertTrue(text.contains("A pair is named by its target."), text);

        // picocli wraps the help to the terminal's width
        String create = agent.run("volumecopy", "create", "--help").out().replaceAll("\\s+", " ");
        assertTrue(create.contains("--source=SOURCE") && create.contains("--target=TARGET"), create);
        assertTrue(create.contains("lowest, low, medium, high or highest"), create);
        assertTrue(create.contains("-y, --yes") && create.contains("csctl asks first"), create);

        String stop = agent.run("volumecopy", "stop", "--help").out().replaceAll("\\s+", " ");
        assertTrue(stop.contains("Usage: csctl volumecopy stop") && stop.contains("TARGET"), stop);
        assertTrue(stop.contains("One pair per command.") && stop.contains("--yes"), stop);
        assertTrue(agent.run("volumecopy", "recopy", "--help").out().contains("--yes"));

        String set = agent.run("volumecopy", "set", "--help").out().replaceAll("\\s+", " ");
        assertTrue(set.contains("--target-read-only=true|false") && set.contains("TARGET..."), set);

        String remove = agent.run("volumecopy", "remove", "--help").out().replaceAll("\\s+", " ");
        assertTrue(remove.contains("The data stays on both volumes"), remove);
        assertEquals(0, agent.run("help", "volumecopy", "show").exit());
        assertTrue(agent.requests.isEmpty());
    }
}
