package dev.copyservices.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Bad {@code csctl mirror} command lines: exit 2, a message that says what to write, nothing sent. */
class MirrorUsageTest {

    private static final String MODES = "is not a write mode; use sync (Metro Mirroring: a write completes once it is"
            + " on both volumes) or async (Global Copy, or Global Mirroring with --consistency-group: a write"
            + " completes on the primary and is sent afterwards)";
    private static final String RESYNC = "is not a resync method; use manual (after a link failure the mirror waits"
            + " for 'csctl mirror resume') or automatic (it resynchronizes as soon as the link returns)";
    private static final String PEER = "; the peer is the replication endpoint of the other array's agent, which"
            + " 'csctl mirror status' shows there";

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

    private FakeAgent.Result create(String... more) {
        String[] args = new String[7 + more.length];
        System.arraycopy(new String[] {"mirror", "create", "db", "--peer", "b:7401", "--secondary", "db-copy"}, 0,
                args, 0, 7);
        System.arraycopy(more, 0, args, 7, more.length);
        return agent.run(args);
    }

    @Test
    void anUnknownModeNamesBothModesAndWhatTheyMean() {
        assertUsageError(create("--mode", "semi", "--yes"), "Invalid value for option '--mode': 'semi' " + MODES,
                "csctl mirror create");
        assertUsageError(agent.run("mirror", "set", "db", "--mode", "SYNCHRONOUS"),
                "Invalid value for option '--mode': 'SYNCHRONOUS' " + MODES, "csctl mirror set");
    }

    @Test
    void anUnknownPriorityListsTheFive() {
        assertUsageError(create("--priority", "urgent", "-y"), "Invalid value for option '--priority': 'urgent' is not"
                + " a copy priority; use one of lowest, low, medium, high, highest (the faster the copy, the more of"
                + " the agent's I/O it takes)", "csctl mirror create");
        assertUsageError(agent.run("mirror", "set", "db", "--priority", "2"), "Invalid value for option '--priority':"
                + " '2' is not a copy priority; use one of lowest, low, medium, high, highest (the faster the copy, the"
                + " more of the agent's I/O it takes)", "csctl mirror set");
    }

    @Test
    void anUnknownResyncMethodSaysWhatEachDoes() {
        assertUsageError(create("--resync", "auto", "-y"), "Invalid value for option '--resync': 'auto' " + RESYNC,
                "csctl mirror create");
        assertUsageError(agent.run("mirror", "set", "db", "--resync", ""), "Invalid value for option '--resync': '' "
                + RESYNC, "csctl mirror set");
    }

    @Test
    void aConsistencyGroupIsRefusedForASynchronousMirror() {
        assertUsageError(create("--mode", "sync", "--consistency-group", "nightly", "--yes"), "--consistency-group is"
                + " for asynchronous mirrors only (Global Mirroring): give --mode async, or leave out"
                + " --consistency-group for Metro Mirroring", "csctl mirror create");
        assertUsageError(agent.run("mirror", "set", "db", "--mode", "sync", "--consistency-group", "nightly"),
                "--consistency-group is for asynchronous mirrors only (Global Mirroring): give --mode async, or"
                        + " --consistency-group '' to take synchronous mirrors out of their group",
                "csctl mirror set");
    }

    @Test
    void aConsistencyGroupWithoutModeOnCreateAsksForAsync() {
        assertUsageError(create("--consistency-group", "nightly", "--yes"), "--consistency-group needs --mode async:"
                + " without --mode a mirror is synchronous (Metro Mirroring), and consistency groups are for"
                + " asynchronous mirrors (Global Mirroring)", "csctl mirror create");
    }

    @Test
    void createNeedsAPeerAndASecondary() {
        assertUsageError(agent.run("mirror", "create", "db", "--yes"), "Missing required options: '--peer=HOST:PORT',"
                + " '--secondary=NAME'", "csctl mirror create");
        assertUsageError(agent.run("mirror", "create", "db", "--peer", "b:1", "--yes"),
                "Missing required option: '--secondary=NAME'", "csctl mirror create");
        assertUsageError(agent.run("mirror", "create", "db", "--secondary", "db-copy", "--yes"),
                "Missing required option: '--peer=HOST:PORT'", "csctl mirror create");
        FakeAgent.Result noPrimary = agent.run("mirror", "create", "--peer", "b:1", "--secondary", "db-copy", "--yes");
        assertEquals(2, noPrimary.exit());
        assertTrue(noPrimary.err().startsWith("error: Missing required parameter: 'PRIMARY'\n"), noPrimary.err());
    }

    @Test
    void aPeerThatIsNotHostColonPortSaysWhatIsWrongWithIt() {
        assertUsageError(agent.run("mirror", "create", "db", "--peer", "array-b", "--secondary", "x", "-y"),
                "Invalid value for option '--peer': 'array-b' is not HOST:PORT, e.g. array-b.example:7401" + PEER,
                "csctl mirror create");
        assertUsageError(agent.run("mirror", "create", "db", "--peer", "array-b:http", "--secondary", "x", "-y"),
                "Invalid value for option '--peer': 'array-b:http' has no valid port; the port is a number from 1 to"
                        + " 65535" + PEER, "csctl mirror create");
        assertUsageError(agent.run("mirror", "create", "db", "--peer", "fd00::2:7401", "--secondary", "x", "-y"),
                "Invalid value for option '--peer': 'fd00::2:7401' is not HOST:PORT; write IPv6 addresses in"
                        + " brackets, e.g. [::1]:7400" + PEER, "csctl mirror create");
    }

    @Test
    void setWithNothingToChangeSaysWhichOptionsExist() {
        assertUsageError(agent.run("mirror", "set", "db", "logs"), "nothing to change: give --mode,"
                + " --consistency-group, --priority, --resync or several of them", "csctl mirror set");
    }

    @Test
    void commandsOnMirrorsNeedAName() {
        for (String command : new String[] {"show", "suspend", "resume", "set", "remove", "test", "promote",
                "demote"}) {
            FakeAgent.Result r = agent.run("mirror", command);
            assertEquals(2, r.exit(), command);
            assertTrue(r.err().startsWith("error: Missing required parameter"), r.err());
            assertTrue(r.err().contains("'NAME'"), r.err());
            assertTrue(r.err().endsWith("hint: see 'csctl mirror " + command + " --help'\n"), r.err());
        }
        assertTrue(agent.requests.isEmpty());
    }

    @Test
    void showTestPromoteAndDemoteTakeOneMirror() {
        for (String command : new String[] {"show", "test", "promote", "demote"}) {
            FakeAgent.Result r = agent.run("mirror", command, "db", "logs");
            assertEquals(2, r.exit(), command + ": " + r.err());
            assertTrue(r.err().contains("'logs'"), r.err());
        }
        assertTrue(agent.requests.isEmpty());
    }

    @Test
    void mirrorWithoutACommandListsItsCommandsSetupFirst() {
        assertUsageError(agent.run("mirror"), "missing command: choose one of activate, deactivate, status, candidates, create,"
                + " demote, list, promote, remove, resume, set, show, suspend, test", "csctl mirror");
    }

    @Test
    void helpExplainsModesResyncRolesAndConfirmation() {
        assertTrue(agent.run("--help").out().contains("mirror"));

        String group = agent.run("mirror", "--help").out().replaceAll("\\s+", " ");
        for (String words : new String[] {"Metro Mirroring", "Global Copy", "Global Mirroring",
                "A mirror is named on each agent by its own volume", "csctl mirror activate"}) {
            assertTrue(group.contains(words), words + ": " + group);
        }

        // picocli wraps the help to the terminal's width
        String create = agent.run("mirror", "create", "--help").out().replaceAll("\\s+", " ");
        assertTrue(create.contains("--peer=HOST:PORT") && create.contains("--secondary=NAME"), create);
        assertTrue(create.contains("--mode=sync|async") && create.contains("--resync=manual|automatic"), create);
        assertTrue(create.contains("stays Unsynchronized until 'csctl mirror resume'")
                && create.contains("resynchronizes as soon as the link returns"), create);
        assertTrue(create.contains("-y, --yes") && create.contains("csctl asks first"), create);

        String promote = agent.run("mirror", "promote", "--help").out().replaceAll("\\s+", " ");
        assertTrue(promote.contains("--force") && promote.contains("(DualPrimary)"), promote);
        String demote = agent.run("mirror", "demote", "--help").out().replaceAll("\\s+", " ");
        assertTrue(demote.contains("--force") && demote.contains("(DualSecondary)"), demote);

        String suspend = agent.run("mirror", "suspend", "--help").out().replaceAll("\\s+", " ");
        assertTrue(suspend.contains("--member-only") && suspend.contains("--yes") && suspend.contains("NAME..."),
                suspend);
        assertTrue(agent.run("mirror", "resume", "--help").out().contains("--member-only"));
        String set = agent.run("mirror", "set", "--help").out().replaceAll("\\s+", " ");
        assertTrue(set.contains("'' takes them out of theirs"), set);
        String remove = agent.run("mirror", "remove", "--help").out().replaceAll("\\s+", " ");
        assertTrue(remove.contains("the data stays on both volumes") && remove.contains("--yes"), remove);
        assertTrue(agent.run("mirror", "test", "--help").out().replaceAll("\\s+", " ")
                .contains("Exit status 1 when Failed"));
        assertEquals(0, agent.run("help", "mirror", "status").exit());
        assertTrue(agent.requests.isEmpty());
    }
}
