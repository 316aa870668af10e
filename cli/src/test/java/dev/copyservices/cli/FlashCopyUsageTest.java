package dev.copyservices.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.api.agent.v1.CreateFlashCopyRequest;
import dev.copyservices.api.agent.v1.UpdateFlashCopyRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Bad {@code csctl flashcopy} command lines: exit 2, a message that says what to write, nothing sent. */
class FlashCopyUsageTest {

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
    void repositoryPercentAndSizeTogetherAreRefused() {
        assertUsageError(agent.run("flashcopy", "create", "db", "--repository-percent", "20", "--repository-size", "1GiB"),
                "give either --repository-percent or --repository-size, not both", "csctl flashcopy create");
    }

    @Test
    void warningThresholdOutsideOneToHundredIsRefused() {
        String rule = "is out of range; the warning threshold is a whole percent of the repository from 1 to 100, e.g. 50";
        assertUsageError(agent.run("flashcopy", "create", "db", "--warning-threshold", "0"),
                "Invalid value for option '--warning-threshold': '0' " + rule, "csctl flashcopy create");
        assertUsageError(agent.run("flashcopy", "set", "db-1", "--warning-threshold", "101"),
                "Invalid value for option '--warning-threshold': '101' " + rule, "csctl flashcopy set");
        assertUsageError(agent.run("flashcopy", "set", "db-1", "--warning-threshold", "half"),
                "Invalid value for option '--warning-threshold': 'half' is not a whole number; the warning threshold"
                        + " is a whole percent of the repository from 1 to 100, e.g. 50", "csctl flashcopy set");
    }

    @Test
    void warningThresholdBoundsAndAPercentSignAreAccepted() {
        agent.putFlashCopy("db-1", "db", "db-R1");
        assertEquals(0, agent.run("flashcopy", "set", "db-1", "--warning-threshold", "1").exit());
        assertEquals(1, agent.last(UpdateFlashCopyRequest.class).getWarningThresholdPercent());
        assertEquals(0, agent.run("flashcopy", "set", "db-1", "--warning-threshold", "100%").exit());
        assertEquals(100, agent.last(UpdateFlashCopyRequest.class).getWarningThresholdPercent());
    }

    @Test
    void repositoryPercentOutsideOneToThousandIsRefused() {
        String rule = "is out of range; the repository capacity is a whole percent of the base from 1 to 1000, e.g. 20;"
                + " give --repository-size for an exact capacity";
        assertUsageError(agent.run("flashcopy", "create", "db", "--repository-percent", "0"),
                "Invalid value for option '--repository-percent': '0' " + rule, "csctl flashcopy create");
        assertUsageError(agent.run("flashcopy", "create", "db", "--repository-percent", "1001"),
                "Invalid value for option '--repository-percent': '1001' " + rule, "csctl flashcopy create");
        assertUsageError(agent.run("flashcopy", "create", "db", "--repository-percent", "-5"),
                "Invalid value for option '--repository-percent': '-5' " + rule, "csctl flashcopy create");
    }

    @Test
    void repositoryPercentAboveAHundredIsAccepted() {
        agent.put("db", 1L << 30);
        agent.run("flashcopy", "create", "db", "--repository-percent", "1000");
        assertEquals(1000, agent.last(CreateFlashCopyRequest.class).getRepositoryPercent());
    }

    @Test
    void unknownFullPolicyNamesBothPolicies() {
        String error = "Invalid value for option '--full-policy': 'fail' is not a full policy; use FailFlashCopy"
                + " (the default: a full repository fails the FlashCopy) or FailBaseWrites (a full repository stops"
                + " writes to the base)";
        assertUsageError(agent.run("flashcopy", "create", "db", "--full-policy", "fail"), error, "csctl flashcopy create");
        assertUsageError(agent.run("flashcopy", "set", "db-1", "--full-policy", "fail"), error, "csctl flashcopy set");
    }

    @Test
    void protoEnumNamesAreNotPolicyNames() {
        // one spelling on the command line: the one every output shows
        assertEquals(2, agent.run("flashcopy", "set", "db-1", "--full-policy", "FAIL_BASE_WRITES").exit());
    }

    @Test
    void setWithNothingToChangeSaysWhichOptionsExist() {
        assertUsageError(agent.run("flashcopy", "set", "db-1"),
                "nothing to change: give --warning-threshold, --full-policy or both", "csctl flashcopy set");
    }

    @Test
    void growNeedsAValidSize() {
        FakeAgent.Result missing = agent.run("flashcopy", "repository", "grow", "db-1");
        assertEquals(2, missing.exit());
        assertTrue(missing.err().startsWith("error: Missing required option: '--by=SIZE'"), missing.err());
        assertTrue(missing.err().contains("hint: see 'csctl flashcopy repository grow --help'"), missing.err());

        assertUsageError(agent.run("flashcopy", "repository", "grow", "db-1", "--by", "1GB"),
                "Invalid value for option '--by': '1GB' uses the ambiguous unit 'GB'; write GiB for binary units"
                        + " (1 GiB = 1073741824 bytes)", "csctl flashcopy repository grow");
    }

    @Test
    void emptyAttributeKeyIsRefused() {
        assertUsageError(agent.run("flashcopy", "create", "db", "--attribute", "=x"),
                "--attribute needs a key before '=', e.g. --attribute app=db", "csctl flashcopy create");
    }

    @Test
    void groupsWithoutACommandListTheirCommands() {
        assertUsageError(agent.run("flashcopy"), "missing command: choose one of repository, establish, reflash,"
                + " reverse, background-copy, withdraw, relationships, relationship, create, delete, disable, list,"
                + " recreate, set, show", "csctl flashcopy");
        assertUsageError(agent.run("flashcopy", "repository"), "missing command: choose one of grow",
                "csctl flashcopy repository");
    }

    @Test
    void helpDescribesThePoliciesAndRanges() {
        FakeAgent.Result help = agent.run("flashcopy", "create", "--help");
        assertEquals(0, help.exit());
        assertTrue(help.out().contains("FailFlashCopy") && help.out().contains("FailBaseWrites"), help.out());
        assertTrue(help.out().contains("1-1000"), help.out());
        assertEquals(0, agent.run("help", "flashcopy", "repository", "grow").exit());
    }
}
