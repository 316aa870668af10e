package dev.copyservices.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import dev.copyservices.api.agent.v1.CopyOptions;
import dev.copyservices.api.agent.v1.CreateGroupRequest;
import dev.copyservices.api.agent.v1.FlashCopyGroup;
import dev.copyservices.api.agent.v1.GetVolumeRequest;
import dev.copyservices.api.agent.v1.GroupPairRequest;
import dev.copyservices.api.agent.v1.GroupRef;
import dev.copyservices.api.agent.v1.ListGroupsResponse;
import dev.copyservices.api.agent.v1.TerminateGroupRequest;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code csctl flashcopy-group ...}: what each command sends and prints. */
class FlashCopyGroupCommandsTest {

    private static final long GIB = 1L << 30;
    private static final CopyOptions BACKGROUND_PERSISTENT = CopyOptions.newBuilder().setBackgroundCopy(true)
            .setPersistent(true).build();

    private final FakeAgent agent = new FakeAgent();

    @BeforeEach
    void volumes() {
        for (String name : new String[] {"db", "db-copy", "logs", "logs-copy"}) {
            agent.put(name, GIB);
        }
    }

    @AfterEach
    void stop() {
        agent.close();
    }

    private void run(String... args) {
        FakeAgent.Result r = agent.run(args);
        assertEquals(0, r.exit(), r.err());
    }

    /** A group "nightly" (background copy, persistent) with db and logs paired, flashed or not. */
    private void nightly(boolean flashed) {
        run("flashcopy-group", "create", "nightly", "--background-copy", "--persistent");
        run("flashcopy-group", "add", "nightly", "db", "db-copy");
        run("flashcopy-group", "add", "nightly", "logs", "logs-copy");
        if (flashed) {
            run("flashcopy-group", "flash", "nightly");
        }
    }

    @Test
    void createSendsTheNameAndOptionsAndConfirms() {
        FakeAgent.Result r = agent.run("flashcopy-group", "create", "nightly", "--background-copy", "--persistent");
        assertEquals(0, r.exit(), r.err());
        assertEquals(CreateGroupRequest.newBuilder().setName("nightly").setOptions(BACKGROUND_PERSISTENT).build(),
                agent.last(CreateGroupRequest.class));
        assertEquals("FlashCopy group \"nightly\" created: options background copy, persistent\n", r.out());
    }

    @Test
    void createOfAnExistingGroupShowsTheAgentsError() {
        run("flashcopy-group", "create", "nightly");
        FakeAgent.Result r = agent.run("flashcopy-group", "create", "nightly", "--incremental");
        assertEquals(1, r.exit());
        assertEquals("error: FlashCopy group \"nightly\" already exists\nhint: choose another name\n", r.err());
        assertTrue(agent.last(CreateGroupRequest.class).getOptions().getIncremental());
    }

    @Test
    void addAndRemoveSendGroupSourceAndTargetAndCountThePairs() {
        run("flashcopy-group", "create", "nightly");
        FakeAgent.Result added = agent.run("flashcopy-group", "add", "nightly", "db", "db-copy");
        assertEquals(GroupPairRequest.newBuilder().setGroup("nightly").setSource("db").setTarget("db-copy").build(),
                agent.last(GroupPairRequest.class));
        assertEquals("FlashCopy group \"nightly\" now has 1 pair: added \"db\" -> \"db-copy\"\n", added.out());

        run("flashcopy-group", "add", "nightly", "logs", "logs-copy");
        FakeAgent.Result removed = agent.run("flashcopy-group", "remove", "nightly", "db", "db-copy");
        assertEquals(0, removed.exit(), removed.err());
        assertEquals("FlashCopy group \"nightly\" now has 1 pair: removed \"db\" -> \"db-copy\"\n", removed.out());
    }

    @Test
    void flashConfirmsThePointInTimeAndEveryPairGetsARelationshipOfTheGroup() {
        nightly(false);
        FakeAgent.Result r = agent.run("flashcopy-group", "flash", "nightly");
        assertEquals(0, r.exit(), r.err());
        assertEquals(GroupRef.newBuilder().setName("nightly").build(), agent.last(GroupRef.class));
        assertEquals("FlashCopy group \"nightly\" flashed at 2023-11-14T22:13:20Z: TargetAvailable, 2 pairs\n", r.out());
        assertEquals("nightly", agent.copyMode.relationships.get("logs-copy").getGroup());
    }

    @Test
    void showPrintsTheGroupThenAPairTable() {
        nightly(true);
        agent.copyMode.relationships.put("db-copy", agent.copyMode.relationships.get("db-copy").toBuilder()
                .setCopiedRegions(8192).setCopiedPercent(50).build());
        FakeAgent.Result r = agent.run("flashcopy-group", "show", "nightly");
        assertEquals(0, r.exit(), r.err());
        assertEquals("""
                Name:        nightly
                State:       TargetAvailable
                Options:     background copy, persistent
                Created:     2023-11-14T22:13:20Z
                Last flash:  2023-11-14T22:13:20Z
                Consistent:  yes
                Copied:      25%
                Pairs:       2

                SOURCE  TARGET     STATE            CONSISTENT  FLASH-TIME            COPIED
                db      db-copy    TargetAvailable  yes         2023-11-14T22:13:20Z  50%
                logs    logs-copy  TargetAvailable  yes         2023-11-14T22:13:20Z  0%
                """, r.out());
        assertEquals("", r.err());
    }

    @Test
    void showOfAGroupNeverFlashedSaysNeverAndLeavesDefinedPairsBlank() {
        nightly(false);
        String out = agent.run("flashcopy-group", "show", "nightly").out();
        assertTrue(out.contains("Last flash:  never\n"), out);
        assertTrue(out.contains("db      db-copy    Defined  -           -           -\n"), out);
    }

    @Test
    void discoverAdoptsExistingRelationshipsAndWarnsThatTheyAreNotProvenConsistent() {
        nightly(false);
        agent.copyMode.putRelationship("db", "db-copy", BACKGROUND_PERSISTENT, 16384);
        FakeAgent.Result r = agent.run("flashcopy-group", "discover", "nightly");
        assertEquals(0, r.exit(), r.err());
        assertEquals("FlashCopy group \"nightly\" discovered: 1 of 2 pairs TargetAvailable, Defined\n", r.out());
        String warning = "warning: not every pair holds the group's point in time: \"db\" -> \"db-copy\" (discovered);"
                + " flash the group to give every pair one point in time ('csctl flashcopy-group flash nightly')\n";
        assertEquals(warning, r.err());

        FakeAgent.Result show = agent.run("flashcopy-group", "show", "nightly");
        assertTrue(show.out().contains("Consistent:  no\n"), show.out());
        assertTrue(show.out().contains("db      db-copy    TargetAvailable  no (discovered)  -           100%\n"),
                show.out());
        assertEquals(warning, show.err());
    }

    @Test
    void aPairReflashedOnItsOwnIsNamedAsTheReasonTheGroupIsNotConsistent() {
        nightly(true);
        // what the agent reports after 'csctl flashcopy reflash logs-copy': that pair's flash time moved on
        FlashCopyGroup g = agent.copyMode.groups.get("nightly");
        agent.copyMode.groups.put("nightly", g.toBuilder().setPairs(1, g.getPairs(1).toBuilder().setConsistent(false)
                .setFlashTime(FakeCopyMode.NEXT_FLASH)).build());

        FakeAgent.Result show = agent.run("flashcopy-group", "show", "nightly");
        assertEquals(0, show.exit(), show.err());
        assertTrue(show.out().contains("Consistent:  no\n"), show.out());
        assertTrue(show.out().contains("logs    logs-copy  TargetAvailable  no  "), show.out());
        assertEquals("warning: not every pair holds the group's point in time: \"logs\" -> \"logs-copy\" (re-flashed"
                + " on its own); flash the group to give every pair one point in time ('csctl flashcopy-group flash"
                + " nightly')\n", show.err());
    }

    @Test
    void theWarningQuotesAGroupNameWithASpaceInItsCommand() {
        run("flashcopy-group", "create", "db nightly");
        run("flashcopy-group", "add", "db nightly", "db", "db-copy");
        agent.copyMode.putRelationship("db", "db-copy", BACKGROUND_PERSISTENT, 16384);
        FakeAgent.Result r = agent.run("flashcopy-group", "discover", "db nightly");
        assertTrue(r.err().endsWith("('csctl flashcopy-group flash \"db nightly\"')\n"), r.err());
    }

    @Test
    void showWithJsonPrintsTheGroupAndStillWarnsOnStderr() throws Exception {
        nightly(false);
        agent.copyMode.putRelationship("db", "db-copy", BACKGROUND_PERSISTENT, 16384);
        run("flashcopy-group", "discover", "nightly");
        FakeAgent.Result r = agent.run("-o", "json", "flashcopy-group", "show", "nightly");
        FlashCopyGroup.Builder printed = FlashCopyGroup.newBuilder();
        JsonFormat.parser().merge(r.out(), printed);
        assertFalse(printed.getConsistent());
        assertTrue(printed.getPairs(0).getDiscovered());
        assertFalse(printed.hasLastFlash());
        assertTrue(r.err().startsWith("warning: not every pair holds the group's point in time: \"db\" ->"
                + " \"db-copy\" (discovered)"), r.err());
    }

    @Test
    void listPrintsATableSortedByName() {
        nightly(true);
        run("flashcopy-group", "create", "adhoc");
        FakeAgent.Result r = agent.run("flashcopy-group", "list");
        assertEquals(0, r.exit(), r.err());
        assertEquals("""
                NAME     STATE            PAIRS  OPTIONS        LAST-FLASH            CONSISTENT  COPIED
                adhoc    Defined          0      -              never                 yes         0%
                nightly  TargetAvailable  2      bg,persistent  2023-11-14T22:13:20Z  yes         0%
                """, r.out());
    }

    @Test
    void noGroupsIsANoteOnStderrAndJsonIsAnEmptyArray() {
        FakeAgent.Result r = agent.run("flashcopy-group", "list");
        assertEquals("", r.out());
        assertEquals("no FlashCopy groups\n", r.err());
        assertEquals("{\n  \"groups\": []\n}\n", agent.run("flashcopy-group", "list", "-o", "json").out());
    }

    @Test
    void listWithJsonCarriesEveryGroup() throws Exception {
        nightly(true);
        ListGroupsResponse.Builder printed = ListGroupsResponse.newBuilder();
        JsonFormat.parser().merge(agent.run("-o", "json", "flashcopy-group", "list").out(), printed);
        assertEquals(1, printed.getGroupsCount());
        assertEquals(2, printed.getGroups(0).getPairsCount());
    }

    @Test
    void terminateSendsForceAndConfirmsTheGroupIsDefinedAgain() {
        nightly(true);
        FakeAgent.Result r = agent.run("flashcopy-group", "terminate", "nightly", "--force");
        assertEquals(0, r.exit(), r.err());
        assertEquals(TerminateGroupRequest.newBuilder().setName("nightly").setForce(true).build(),
                agent.last(TerminateGroupRequest.class));
        assertEquals("FlashCopy group \"nightly\" terminated: Defined, 2 pairs\n", r.out());
        run("flashcopy-group", "terminate", "nightly");
        assertFalse(agent.last(TerminateGroupRequest.class).getForce());
    }

    @Test
    void aForcedTerminateWarnsAboutEachTargetItLeftIncomplete() {
        nightly(true);
        // db's copy completed; logs' is still running when the group is terminated
        agent.copyMode.putRelationship("db", "db-copy", BACKGROUND_PERSISTENT, 16384);
        agent.copyMode.putRelationship("logs", "logs-copy", BACKGROUND_PERSISTENT, 100);
        FakeAgent.Result r = agent.run("flashcopy-group", "terminate", "nightly", "--force");
        assertEquals(0, r.exit(), r.err());
        assertEquals("FlashCopy group \"nightly\" terminated: Defined, 2 pairs\n", r.out());
        assertEquals("warning: \"logs-copy\" is an incomplete copy: the terminate ended its relationship before every"
                + " region was copied, so it is not a usable image of \"logs\"; flash the group again for a complete"
                + " copy ('csctl volume show logs-copy' says what is missing)\n", r.err());
        // only the copy that was running is looked at
        assertEquals(GetVolumeRequest.newBuilder().setName("logs-copy").build(), agent.last(GetVolumeRequest.class));
        assertEquals(1, agent.requests.stream().filter(GetVolumeRequest.class::isInstance).count());
    }

    @Test
    void aForcedTerminateWarnsOnStderrWithJsonToo() throws Exception {
        nightly(true);
        FakeAgent.Result r = agent.run("-o", "json", "flashcopy-group", "terminate", "nightly", "--force");
        assertEquals(0, r.exit(), r.err());
        JsonFormat.parser().merge(r.out(), FlashCopyGroup.newBuilder());
        assertEquals(2, r.err().lines().filter(l -> l.startsWith("warning: ") && l.contains("is an incomplete copy"))
                .count(), r.err());
    }

    @Test
    void aForcedTerminateOfCompleteCopiesAndAPlainTerminateWarnOfNothingAndReadNothingMore() {
        nightly(true);
        agent.copyMode.putRelationship("db", "db-copy", BACKGROUND_PERSISTENT, 16384);
        agent.copyMode.putRelationship("logs", "logs-copy", BACKGROUND_PERSISTENT, 16384);
        int before = agent.requests.size();
        FakeAgent.Result forced = agent.run("flashcopy-group", "terminate", "nightly", "--force");
        assertEquals(0, forced.exit(), forced.err());
        assertEquals("", forced.err());
        assertEquals(List.of(GroupRef.class, TerminateGroupRequest.class), agent.requests.subList(before,
                agent.requests.size()).stream().map(Object::getClass).toList());

        run("flashcopy-group", "flash", "nightly");
        before = agent.requests.size();
        run("flashcopy-group", "terminate", "nightly");
        assertEquals(List.of(TerminateGroupRequest.class), agent.requests.subList(before, agent.requests.size())
                .stream().map(Object::getClass).toList(), "without --force nothing is left incomplete");
    }

    @Test
    void aTargetThatCannotBeReadAfterAForcedTerminateIsAWarningNotAFailure() {
        nightly(true);
        agent.copyMode.putRelationship("db", "db-copy", BACKGROUND_PERSISTENT, 16384);
        agent.volumes.remove("logs-copy");
        FakeAgent.Result r = agent.run("flashcopy-group", "terminate", "nightly", "--force");
        assertEquals(0, r.exit(), r.err());
        assertEquals("FlashCopy group \"nightly\" terminated: Defined, 2 pairs\n", r.out());
        assertTrue(r.err().startsWith("warning: \"logs-copy\" may be an incomplete copy: its copy was running when the"
                + " group was terminated, and csctl could not read the volume (NOT_FOUND: "), r.err());
        assertTrue(r.err().endsWith("; 'csctl volume show logs-copy' says\n"), r.err());
    }

    @Test
    void backgroundCopyConfirmsTheGroupsProgress() {
        nightly(true);
        FakeAgent.Result r = agent.run("flashcopy-group", "background-copy", "nightly");
        assertEquals(0, r.exit(), r.err());
        assertEquals("FlashCopy group \"nightly\" copying in the background: 0% copied\n", r.out());
    }

    @Test
    void deleteConfirmsAndARefusalShowsTheAgentsHint() {
        nightly(true);
        FakeAgent.Result refused = agent.run("flashcopy-group", "delete", "nightly");
        assertEquals(1, refused.exit());
        assertEquals("error: FlashCopy group \"nightly\" has relationships\nhint: terminate the group first\n",
                refused.err());

        run("flashcopy-group", "terminate", "nightly");
        FakeAgent.Result r = agent.run("flashcopy-group", "delete", "nightly");
        assertEquals(0, r.exit(), r.err());
        assertEquals("FlashCopy group \"nightly\" deleted\n", r.out());
        assertFalse(agent.copyMode.groups.containsKey("nightly"));

        run("flashcopy-group", "create", "adhoc");
        assertEquals("{\n}\n", agent.run("-o", "json", "flashcopy-group", "delete", "adhoc").out());
    }
}
