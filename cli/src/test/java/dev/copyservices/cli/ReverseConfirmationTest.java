package dev.copyservices.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.api.agent.v1.CopyOptions;
import dev.copyservices.api.agent.v1.RelationshipRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code csctl flashcopy reverse} overwrites the source, so it asks first: only y or yes go ahead,
 * anything else (a closed stdin included) changes nothing and exits 2; {@code --yes} does not ask.
 */
class ReverseConfirmationTest {

    private static final String QUESTION = "Reverse \"db\" -> \"db-copy\": the content of \"db\" is overwritten with"
            + " the image on \"db-copy\". Continue? [y/N] ";
    private static final String REFUSAL = "error: reverse of \"db-copy\" not confirmed: nothing was changed; give --yes"
            + " to reverse without being asked\nhint: see 'csctl flashcopy reverse --help'\n";
    private static final String REVERSED = "relationship \"db-copy\" -> \"db\" reversed at 2027-01-15T08:00:00Z:"
            + " \"db\" now holds the image of \"db-copy\"\n";

    private final FakeAgent agent = new FakeAgent();

    @BeforeEach
    void relationship() {
        agent.copyMode.putRelationship("db", "db-copy", CopyOptions.newBuilder().setBackgroundCopy(true)
                .setPersistent(true).build(), 16384);
    }

    @AfterEach
    void stop() {
        agent.close();
    }

    /** The relationship as it was: not reversed. */
    private void assertNotReversed() {
        assertEquals("db", agent.copyMode.relationships.get("db-copy").getSource());
    }

    @Test
    void answeringYesReversesAfterNamingTheVolumeThatIsOverwritten() {
        agent.input = "y\n";
        FakeAgent.Result r = agent.run("flashcopy", "reverse", "db-copy");
        assertEquals(0, r.exit(), r.err());
        assertEquals(QUESTION, r.err());
        assertEquals(REVERSED, r.out());
        assertEquals("db-copy", agent.copyMode.relationships.get("db").getSource());
    }

    @Test
    void yesInAnyCaseWithSpacesAlsoAgrees() {
        agent.input = "  YES \n";
        assertEquals(0, agent.run("flashcopy", "reverse", "db-copy").exit());
    }

    @Test
    void answeringAnythingElseChangesNothingAndExitsAsAUsageError() {
        for (String answer : new String[] {"n\n", "\n", "yep\n"}) {
            agent.input = answer;
            FakeAgent.Result r = agent.run("flashcopy", "reverse", "db-copy");
            assertEquals(2, r.exit(), answer);
            assertEquals("", r.out());
            assertEquals(QUESTION + REFUSAL, r.err());
            assertNotReversed();
        }
        // only the reads that name the volumes were sent, never a Reverse
        assertEquals(3, agent.requests.size(), agent.requests.toString());
    }

    @Test
    void aClosedStdinIsANoSoAScriptWithoutYesChangesNothing() {
        agent.input = "";
        FakeAgent.Result r = agent.run("flashcopy", "reverse", "db-copy");
        assertEquals(2, r.exit());
        assertEquals(QUESTION + "\n" + REFUSAL, r.err());
        assertNotReversed();
    }

    @Test
    void yesOptionReversesWithoutAskingOrReadingFirst() {
        FakeAgent.Result r = agent.run("flashcopy", "reverse", "db-copy", "--yes");
        assertEquals(0, r.exit(), r.err());
        assertEquals("", r.err());
        assertEquals(REVERSED, r.out());
        assertEquals(1, agent.requests.size(), "the Reverse alone: " + agent.requests);
        assertEquals(RelationshipRef.newBuilder().setName("db-copy").build(), agent.last(RelationshipRef.class));
        assertEquals(0, agent.run("flashcopy", "reverse", "db", "-y").exit());
    }

    @Test
    void theQuestionSaysWhenTheRelationshipLeavesItsGroup() {
        agent.copyMode.relationships.put("db-copy", agent.copyMode.relationships.get("db-copy").toBuilder()
                .setGroup("nightly").build());
        agent.input = "n\n";
        FakeAgent.Result r = agent.run("flashcopy", "reverse", "db-copy");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("Reverse \"db\" -> \"db-copy\": the content of \"db\" is overwritten with the"
                + " image on \"db-copy\", and the relationship leaves FlashCopy group \"nightly\". Continue? [y/N] "),
                r.err());
        assertNotReversed();
    }

    @Test
    void anUnknownRelationshipIsReportedBeforeAnyQuestion() {
        agent.input = "y\n";
        FakeAgent.Result r = agent.run("flashcopy", "reverse", "nope");
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("error: no FlashCopy relationship \"nope\"\n"), r.err());
    }
}
