package dev.copyservices.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import dev.copyservices.api.agent.v1.CopyOptions;
import dev.copyservices.api.agent.v1.EstablishRequest;
import dev.copyservices.api.agent.v1.ListRelationshipsRequest;
import dev.copyservices.api.agent.v1.ListRelationshipsResponse;
import dev.copyservices.api.agent.v1.Relationship;
import dev.copyservices.api.agent.v1.RelationshipRef;
import dev.copyservices.api.agent.v1.RelationshipState;
import dev.copyservices.api.agent.v1.WithdrawRequest;
import dev.copyservices.api.agent.v1.WithdrawResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code csctl flashcopy} in Copy mode: what each relationship command sends and prints. */
class RelationshipCommandsTest {

    private static final long GIB = 1L << 30;
    private static final CopyOptions NONE = CopyOptions.getDefaultInstance();
    private static final CopyOptions BACKGROUND = CopyOptions.newBuilder().setBackgroundCopy(true).build();
    private static final CopyOptions ALL = CopyOptions.newBuilder().setBackgroundCopy(true).setPersistent(true)
            .setIncremental(true).build();

    private final FakeAgent agent = new FakeAgent();
    private final FakeCopyMode copyMode = agent.copyMode;

    @BeforeEach
    void volumes() {
        agent.put("db", GIB);
        agent.put("db-copy", GIB);
    }

    @AfterEach
    void stop() {
        agent.close();
    }

    private static <T extends com.google.protobuf.Message.Builder> T parse(String json, T into) throws Exception {
        JsonFormat.parser().merge(json, into);
        return into;
    }

    @Test
    void establishSendsSourceTargetAndEveryOptionAndConfirmsTheRelationship() {
        FakeAgent.Result r = agent.run("flashcopy", "establish", "db", "db-copy", "--background-copy", "--persistent",
                "--incremental");
        assertEquals(0, r.exit(), r.err());
        assertEquals(EstablishRequest.newBuilder().setSource("db").setTarget("db-copy").setOptions(ALL).build(),
                agent.last(EstablishRequest.class));
        assertEquals("relationship \"db\" -> \"db-copy\" established at 2023-11-14T22:13:20Z: Copying, options"
                + " background copy, persistent, incremental\n", r.out());
        assertEquals("", r.err());
    }

    @Test
    void establishWithoutOptionsAsksForNoneOfThem() {
        FakeAgent.Result r = agent.run("flashcopy", "establish", "db", "db-copy");
        assertEquals(0, r.exit(), r.err());
        assertEquals(NONE, agent.last(EstablishRequest.class).getOptions());
        assertEquals("relationship \"db\" -> \"db-copy\" established at 2023-11-14T22:13:20Z: NoBackgroundCopy,"
                + " options none\n", r.out());
    }

    @Test
    void incrementalWithoutPersistentIsSentAndTheAgentsRefusalAndHintArePassedThrough() {
        FakeAgent.Result r = agent.run("flashcopy", "establish", "db", "db-copy", "--incremental");
        assertEquals(CopyOptions.newBuilder().setIncremental(true).build(), agent.last(EstablishRequest.class)
                .getOptions(), "csctl leaves the rule to the agent");
        assertEquals(1, r.exit());
        assertEquals("", r.out());
        assertEquals("error: an incremental relationship must be persistent: change recording lives as long as the"
                + " relationship, and a non-persistent one ends when its copy completes\n"
                + "hint: add --persistent, or leave out --incremental\n", r.err());
        assertTrue(copyMode.relationships.isEmpty());
    }

    @Test
    void establishingAnExistingRelationshipAgainSaysNoNewPointInTimeWasTaken() {
        copyMode.putRelationship("db", "db-copy", NONE, 0);
        FakeAgent.Result r = agent.run("flashcopy", "establish", "db", "db-copy");
        assertEquals(0, r.exit(), r.err());
        assertEquals("relationship \"db\" -> \"db-copy\" already established at 2023-11-14T22:13:20Z: NoBackgroundCopy,"
                + " options none\n", r.out());
        assertEquals("warning: no new point in time was taken: \"db-copy\" keeps the image of \"db\" as of"
                + " 2023-11-14T22:13:20Z; withdraw the relationship ('csctl flashcopy withdraw db-copy') and establish"
                + " again for a new one\n", r.err());
        assertEquals(ListRelationshipsRequest.newBuilder().setVolume("db-copy").build(),
                agent.last(ListRelationshipsRequest.class));
    }

    @Test
    void establishingAnExistingPersistentRelationshipAgainPointsAtReflash() throws Exception {
        agent.put("db copy", GIB);
        copyMode.putRelationship("db", "db copy", ALL, 16384);
        FakeAgent.Result r = agent.run("-o", "json", "flashcopy", "establish", "db", "db copy", "--background-copy",
                "--persistent", "--incremental");
        assertEquals(0, r.exit(), r.err());
        assertEquals(copyMode.relationships.get("db copy"), parse(r.out(), Relationship.newBuilder()).build());
        assertTrue(r.err().endsWith("; re-flash it for a new one ('csctl flashcopy reflash \"db copy\"')\n"), r.err());
    }

    @Test
    void aNewRelationshipBesideAnotherOfTheSameSourceIsConfirmedAsEstablished() {
        agent.put("db-old", GIB);
        copyMode.putRelationship("db", "db-old", NONE, 0);
        FakeAgent.Result r = agent.run("flashcopy", "establish", "db", "db-copy");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("relationship \"db\" -> \"db-copy\" established at "), r.out());
        assertEquals("", r.err());
    }

    @Test
    void establishWithJsonPrintsTheRelationship() throws Exception {
        FakeAgent.Result r = agent.run("-o", "json", "flashcopy", "establish", "db", "db-copy", "--background-copy");
        assertEquals(0, r.exit(), r.err());
        assertEquals(copyMode.relationships.get("db-copy"), parse(r.out(), Relationship.newBuilder()).build());
        assertTrue(r.out().contains("\"state\": \"RELATIONSHIP_COPYING\""), r.out());
    }

    @Test
    void relationshipsPrintsATableSortedByTarget() {
        copyMode.putRelationship("web", "web-copy", BACKGROUND, 16384);
        copyMode.relationships.put("db-copy", copyMode.putRelationship("db", "db-copy", ALL, 4096).toBuilder()
                .setGroup("nightly").build());
        FakeAgent.Result r = agent.run("flashcopy", "relationships");
        assertEquals(0, r.exit(), r.err());
        assertEquals("""
                SOURCE  TARGET    STATE    COPIED  OPTIONS                    POINT-IN-TIME         GROUP
                db      db-copy   Copying  25%     bg,persistent,incremental  2023-11-14T22:13:20Z  nightly
                web     web-copy  Copied   100%    bg                         2023-11-14T22:13:20Z  -
                """, r.out());
        assertEquals(ListRelationshipsRequest.getDefaultInstance(), agent.last(ListRelationshipsRequest.class));
    }

    @Test
    void relationshipsSendsTheVolumeAndGroupFilters() {
        copyMode.putRelationship("db", "db-copy", NONE, 0);
        agent.run("flashcopy", "relationships", "--volume", "db-copy", "--group", "nightly");
        assertEquals(ListRelationshipsRequest.newBuilder().setVolume("db-copy").setGroup("nightly").build(),
                agent.last(ListRelationshipsRequest.class));
    }

    @Test
    void noRelationshipsIsANoteOnStderrThatNamesTheFilters() {
        FakeAgent.Result all = agent.run("flashcopy", "relationships");
        assertEquals(0, all.exit());
        assertEquals("", all.out());
        assertEquals("no FlashCopy relationships\n", all.err());
        assertEquals("no FlashCopy relationships of volume \"db\" in group \"nightly\"\n",
                agent.run("flashcopy", "relationships", "--volume", "db", "--group", "nightly").err());
    }

    @Test
    void relationshipsWithJsonIsAnObjectWithARelationshipsArray() throws Exception {
        assertEquals("{\n  \"relationships\": []\n}\n", agent.run("-o", "json", "flashcopy", "relationships").out());
        copyMode.putRelationship("db", "db-copy", ALL, 10);
        String json = agent.run("-o", "json", "flashcopy", "relationships").out();
        assertEquals(copyMode.relationships.get("db-copy"),
                parse(json, ListRelationshipsResponse.newBuilder()).getRelationships(0));
    }

    @Test
    void relationshipShowPrintsEveryFieldWithRegionCounts() {
        copyMode.relationships.put("db-copy", copyMode.putRelationship("db", "db-copy", ALL, 4096).toBuilder()
                .setGroup("nightly").setSourceChangedRegions(12).setTargetChangedRegions(1)
                .setRegionsToCopyAtFlash(13).setFlashCount(3).build());
        FakeAgent.Result r = agent.run("flashcopy", "relationship", "db-copy");
        assertEquals(0, r.exit(), r.err());
        assertEquals("""
                Source:                   db
                Target:                   db-copy
                ID:                       rel-db-copy
                State:                    Copying
                Options:                  background copy, persistent, incremental
                Group:                    nightly
                Point in time:            2023-11-14T22:13:20Z
                Established:              2023-11-14T22:13:20Z
                Flash count:              3
                Regions:
                  Size:                   64 KiB
                  Count:                  16384
                  Copied:                 4096 regions (25%)
                  Changed on source:      12 regions
                  Changed on target:      1 region
                  To copy at last flash:  13 regions
                """, r.out());
        assertEquals(RelationshipRef.newBuilder().setName("db-copy").build(), agent.last(RelationshipRef.class));
    }

    @Test
    void relationshipShowSaysNotTrackedWithoutIncrementalAndGivesAFailure() {
        copyMode.relationships.put("db-copy", copyMode.putRelationship("db", "db-copy", BACKGROUND, 100).toBuilder()
                .setState(RelationshipState.RELATIONSHIP_FAILED).setFailure("target write failed: EIO").build());
        String out = agent.run("flashcopy", "relationship", "db").out();
        assertTrue(out.contains("State:                    Failed\nFailure:                  target write failed:"
                + " EIO\n"), out);
        assertTrue(out.contains("  Changed on source:      not tracked\n  Changed on target:      not tracked\n"), out);
        assertTrue(out.contains("Group:                    -\n"), out);
    }

    @Test
    void aSourceWithSeveralRelationshipsIsRefusedByTheAgentWithItsHint() {
        copyMode.putRelationship("db", "db-copy", NONE, 0);
        copyMode.putRelationship("db", "db-copy2", NONE, 0);
        FakeAgent.Result r = agent.run("flashcopy", "relationship", "db");
        assertEquals(1, r.exit());
        assertEquals("error: \"db\" is the source of 2 relationships\nhint: name the relationship by its target\n",
                r.err());
    }

    @Test
    void withdrawOfACompleteCopyConfirmsWithoutAWarning() {
        copyMode.putRelationship("db", "db-copy", BACKGROUND, 16384);
        FakeAgent.Result r = agent.run("flashcopy", "withdraw", "db-copy");
        assertEquals(0, r.exit(), r.err());
        assertFalse(agent.last(WithdrawRequest.class).getForce());
        assertEquals("relationship \"db\" -> \"db-copy\" withdrawn: \"db-copy\" is a complete copy\n", r.out());
        assertEquals("", r.err());
        assertTrue(copyMode.relationships.isEmpty());
    }

    @Test
    void withdrawOfAnIncompleteCopyWithoutForceShowsTheAgentsRefusal() {
        copyMode.putRelationship("db", "db-copy", BACKGROUND, 4096);
        FakeAgent.Result r = agent.run("flashcopy", "withdraw", "db-copy");
        assertEquals(1, r.exit());
        assertEquals("error: 12288 regions of \"db-copy\" are not copied yet\nhint: wait for the background copy, or"
                + " withdraw with --force to keep an incomplete copy\n", r.err());
        assertTrue(copyMode.relationships.containsKey("db-copy"));
    }

    @Test
    void forcedWithdrawOfAnIncompleteCopySucceedsAndWarnsThatTheTargetIsIncomplete() {
        copyMode.putRelationship("db", "db-copy", BACKGROUND, 4096);
        FakeAgent.Result r = agent.run("flashcopy", "withdraw", "db-copy", "--force");
        assertEquals(0, r.exit(), r.err());
        assertTrue(agent.last(WithdrawRequest.class).getForce());
        assertEquals("relationship \"db\" -> \"db-copy\" withdrawn: \"db-copy\" is an incomplete copy\n", r.out());
        assertEquals("warning: \"db-copy\" is an incomplete copy: 4096 of 16384 regions were copied before the"
                + " withdraw, so it is not a usable image of \"db\"; establish a relationship onto it again for a"
                + " complete copy\n", r.err());
    }

    @Test
    void forcedWithdrawWithJsonKeepsStdoutJsonAndStillWarnsOnStderr() throws Exception {
        copyMode.putRelationship("db", "db-copy", NONE, 0);
        FakeAgent.Result r = agent.run("-o", "json", "flashcopy", "withdraw", "db-copy", "--force");
        assertEquals(0, r.exit(), r.err());
        WithdrawResponse printed = parse(r.out(), WithdrawResponse.newBuilder()).build();
        assertFalse(printed.getTargetComplete());
        assertEquals("db-copy", printed.getRelationship().getTarget());
        assertTrue(r.err().startsWith("warning: \"db-copy\" is an incomplete copy: 0 of 16384 regions"), r.err());
    }

    @Test
    void reflashConfirmsTheNewPointInTimeAndWhatIsLeftToCopy() {
        copyMode.relationships.put("db-copy", copyMode.putRelationship("db", "db-copy", ALL, 16384).toBuilder()
                .setSourceChangedRegions(5).setTargetChangedRegions(2).build());
        FakeAgent.Result r = agent.run("flashcopy", "reflash", "db");
        assertEquals(0, r.exit(), r.err());
        assertEquals("db", agent.last(RelationshipRef.class).getName());
        assertEquals("relationship \"db\" -> \"db-copy\" re-flashed at 2027-01-15T08:00:00Z: 7 of 16384 regions to"
                + " copy\n", r.out());
    }

    @Test
    void reflashOfAGroupsPairOnItsOwnWarnsThatTheGroupLosesItsPointInTime() {
        copyMode.relationships.put("db-copy", copyMode.putRelationship("db", "db-copy", ALL, 16384).toBuilder()
                .setGroup("db nightly").build());
        FakeAgent.Result r = agent.run("flashcopy", "reflash", "db-copy");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("relationship \"db\" -> \"db-copy\" re-flashed at "), r.out());
        assertEquals("warning: \"db-copy\" was re-flashed on its own, so FlashCopy group \"db nightly\" no longer holds"
                + " one point in time; flash the whole group instead ('csctl flashcopy-group flash \"db nightly\"')\n",
                r.err());
    }

    @Test
    void withdrawOfAGroupsPairWarnsThatThePairIsDefinedAgain() {
        copyMode.relationships.put("db-copy", copyMode.putRelationship("db", "db-copy", BACKGROUND, 16384).toBuilder()
                .setGroup("nightly").build());
        FakeAgent.Result r = agent.run("flashcopy", "withdraw", "db-copy");
        assertEquals(0, r.exit(), r.err());
        assertEquals("relationship \"db\" -> \"db-copy\" withdrawn: \"db-copy\" is a complete copy\n", r.out());
        assertEquals("warning: \"db\" -> \"db-copy\" was a pair of FlashCopy group \"nightly\": the pair is Defined until"
                + " the group is flashed again; to end every relationship of the group together, terminate it"
                + " ('csctl flashcopy-group terminate nightly')\n", r.err());
    }

    @Test
    void reflashOfANonPersistentRelationshipShowsTheAgentsRefusal() {
        copyMode.putRelationship("db", "db-copy", BACKGROUND, 0);
        FakeAgent.Result r = agent.run("flashcopy", "reflash", "db-copy");
        assertEquals(1, r.exit());
        assertEquals("error: the relationship is not persistent\nhint: establish it again with --persistent\n",
                r.err());
    }

    @Test
    void backgroundCopyConfirmsTheStateAndProgress() throws Exception {
        copyMode.putRelationship("db", "db-copy", NONE, 4096);
        FakeAgent.Result r = agent.run("flashcopy", "background-copy", "db-copy");
        assertEquals(0, r.exit(), r.err());
        assertEquals("relationship \"db\" -> \"db-copy\" copying in the background: Copying, 25% copied\n", r.out());
        Relationship json = parse(agent.run("-o", "json", "flashcopy", "background-copy", "db-copy").out(),
                Relationship.newBuilder()).build();
        assertTrue(json.getOptions().getBackgroundCopy());
    }
}
