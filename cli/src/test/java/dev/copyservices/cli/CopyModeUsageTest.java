package dev.copyservices.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Bad Copy-mode command lines: exit 2, a message that says what is missing, nothing sent. */
class CopyModeUsageTest {

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
    void establishNeedsASourceAndATarget() {
        assertUsageError(agent.run("flashcopy", "establish"), "Missing required parameters: 'SOURCE', 'TARGET'",
                "csctl flashcopy establish");
        assertUsageError(agent.run("flashcopy", "establish", "db"), "Missing required parameter: 'TARGET'",
                "csctl flashcopy establish");
    }

    @Test
    void establishTakesNoThirdVolume() {
        FakeAgent.Result r = agent.run("flashcopy", "establish", "db", "db-copy", "db-copy2");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("error: Unmatched argument at index 4: 'db-copy2'\n"), r.err());
        assertTrue(agent.requests.isEmpty());
    }

    @Test
    void relationshipCommandsNeedAName() {
        for (String command : new String[] {"reflash", "reverse", "background-copy", "withdraw", "relationship"}) {
            assertUsageError(agent.run("flashcopy", command), "Missing required parameter: 'NAME'",
                    "csctl flashcopy " + command);
        }
    }

    @Test
    void forceBelongsToWithdrawNotToReflash() {
        FakeAgent.Result r = agent.run("flashcopy", "reflash", "db-copy", "--force");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("error: Unknown option: '--force'\n"), r.err());
        assertTrue(agent.requests.isEmpty());
    }

    @Test
    void groupPairCommandsNeedGroupSourceAndTarget() {
        assertUsageError(agent.run("flashcopy-group", "add", "nightly", "db"), "Missing required parameter: 'TARGET'",
                "csctl flashcopy-group add");
        assertUsageError(agent.run("flashcopy-group", "remove", "nightly"),
                "Missing required parameters: 'SOURCE', 'TARGET'", "csctl flashcopy-group remove");
    }

    @Test
    void groupCommandsNeedTheGroupsName() {
        for (String command : new String[] {"create", "flash", "background-copy", "terminate", "discover", "show",
                "delete"}) {
            FakeAgent.Result r = agent.run("flashcopy-group", command);
            assertEquals(2, r.exit(), command);
            assertTrue(r.err().startsWith("error: Missing required parameter: '"), r.err());
            assertTrue(r.err().endsWith("hint: see 'csctl flashcopy-group " + command + " --help'\n"), r.err());
        }
        assertTrue(agent.requests.isEmpty());
    }

    @Test
    void flashCopyGroupWithoutACommandListsItsCommands() {
        assertUsageError(agent.run("flashcopy-group"), "missing command: choose one of add, background-copy, create,"
                + " delete, discover, flash, list, remove, show, terminate", "csctl flashcopy-group");
    }

    @Test
    void helpExplainsTheCopyOptionsAndTheirRule() {
        FakeAgent.Result establish = agent.run("flashcopy", "establish", "--help");
        assertEquals(0, establish.exit());
        // picocli wraps the help to the terminal's width
        String text = establish.out().replaceAll("\\s+", " ");
        assertTrue(text.contains("--incremental Track changes") && text.contains("needs --persistent"), text);
        FakeAgent.Result create = agent.run("flashcopy-group", "create", "--help");
        assertTrue(create.out().contains("--background-copy"), create.out());
        assertTrue(agent.run("flashcopy", "reverse", "--help").out().contains("--yes"));
    }
}
