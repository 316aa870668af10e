package dev.copyservices.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.api.agent.v1.ChangeRoleRequest;
import dev.copyservices.api.agent.v1.CreateMirrorRequest;
import dev.copyservices.api.agent.v1.ListMirrorsRequest;
import dev.copyservices.api.agent.v1.MirrorRef;
import dev.copyservices.api.agent.v1.MirrorRole;
import dev.copyservices.api.agent.v1.MirrorState;
import dev.copyservices.api.agent.v1.MirrorsRequest;
import dev.copyservices.api.agent.v1.WriteMode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code mirror create} overwrites the secondary, {@code remove} ends the relationship, {@code suspend} lets
 * the secondary fall behind, {@code promote} and {@code demote} swap which volume follows which: each asks
 * first. Only y or yes go ahead; anything else, a closed stdin (a pipe, a script) included, sends no change
 * and exits 2. {@code --yes} does not ask.
 */
class MirrorConfirmationTest {

    private static final String CREATE_QUESTION = "Mirror \"db\" onto \"db-copy\" at array-b.example:7401: the"
            + " content of \"db-copy\" is overwritten by a full synchronization from \"db\", and from then on the"
            + " writes to \"db\" are sent there. Continue?";

    private static final MirrorRef DB = MirrorRef.newBuilder().setVolume("db").build();

    private final FakeAgent agent = new FakeAgent();
    private final FakeMirror mirrors = agent.mirror;

    @AfterEach
    void stop() {
        agent.close();
    }

    private static String refusal(String what, String command) {
        return "error: " + what + " not confirmed: nothing was changed; give --yes to " + command + " without being"
                + " asked\nhint: see 'csctl mirror " + command + " --help'\n";
    }

    private void assertRefusedOnAPipe(FakeAgent.Result r, String question, String what, String command) {
        assertEquals(2, r.exit(), r.err());
        assertEquals("", r.out());
        assertEquals(question + " [y/N] \n" + refusal(what, command), r.err());
    }

    // ---- create

    private FakeAgent.Result create(String... more) {
        List<String> args = new ArrayList<>(List.of("mirror", "create", "db", "--peer",
                "array-b.example:7401", "--secondary", "db-copy"));
        args.addAll(List.of(more));
        return agent.run(args.toArray(String[]::new));
    }

    @Test
    void createWithoutYesOnAPipeIsRefusedAfterTheLookForAnExistingMirror() {
        assertRefusedOnAPipe(create(), CREATE_QUESTION, "mirror of \"db\" onto \"db-copy\"", "create");
        assertEquals(List.of(ListMirrorsRequest.getDefaultInstance()), agent.requests, "never a CreateMirror");
        assertTrue(mirrors.mirrors.isEmpty());
    }

    @Test
    void createAnsweredYesNamesTheOverwrittenSecondaryThenCreates() {
        agent.input = "yes\n";
        FakeAgent.Result r = create("--mode", "async");
        assertEquals(0, r.exit(), r.err());
        assertEquals(CREATE_QUESTION + " [y/N] ", r.err());
        assertEquals(WriteMode.ASYNCHRONOUS, agent.last(CreateMirrorRequest.class).getWriteMode());
    }

    @Test
    void createAnsweredAnythingElseSendsNoCreate() {
        for (String answer : new String[] {"n\n", "\n", "Yes please\n", "no\n"}) {
            agent.input = answer;
            FakeAgent.Result r = create();
            assertEquals(2, r.exit(), answer);
            assertEquals(CREATE_QUESTION + " [y/N] " + refusal("mirror of \"db\" onto \"db-copy\"", "create"),
                    r.err());
        }
        assertTrue(agent.requests.stream().allMatch(q -> q instanceof ListMirrorsRequest), agent.requests.toString());
    }

    @Test
    void createWithYesDoesNotAsk() {
        agent.input = "n\n";
        FakeAgent.Result r = create("-y");
        assertEquals(0, r.exit(), r.err());
        assertEquals("", r.err());
        assertEquals("db-copy", agent.last(CreateMirrorRequest.class).getSecondary());
    }

    // ---- remove

    @Test
    void removeWithoutYesOnAPipeIsRefusedAndSendsNothing() {
        mirrors.put("db", "db-copy", MirrorState.SYNCHRONIZED, 100);
        assertRefusedOnAPipe(agent.run("mirror", "remove", "db"), "Remove the mirror of \"db\": replication ends,"
                + " and the data stays on both volumes. Continue?", "removal of \"db\"", "remove");
        assertTrue(agent.requests.isEmpty(), agent.requests.toString());
        assertTrue(mirrors.mirrors.containsKey("db"));
    }

    @Test
    void removeOfSeveralNamesThemAllAndGoesAheadOnY() {
        mirrors.put("db", "db-copy", MirrorState.SYNCHRONIZED, 100);
        mirrors.put("logs", "logs-copy", MirrorState.SYNCHRONIZED, 100);
        mirrors.put("web", "web-copy", MirrorState.SYNCHRONIZED, 100);
        agent.input = "y\n";
        FakeAgent.Result r = agent.run("mirror", "remove", "db", "logs", "web");
        assertEquals(0, r.exit(), r.err());
        assertEquals("Remove the mirrors of \"db\", \"logs\" and \"web\": replication ends, and the data stays on both"
                + " volumes of each. Continue? [y/N] ", r.err());
        assertTrue(mirrors.mirrors.isEmpty());
    }

    // ---- suspend

    @Test
    void suspendWithoutYesOnAPipeIsRefusedAndSendsNoSuspend() {
        mirrors.put("db", "db-copy", MirrorState.SYNCHRONIZED, 100);
        assertRefusedOnAPipe(agent.run("mirror", "suspend", "db"), "Suspend the mirror of \"db\": writes are no"
                + " longer sent to the secondary, which falls behind until resumed. Continue?", "suspension of \"db\"",
                "suspend");
        assertEquals(List.of(ListMirrorsRequest.getDefaultInstance()), agent.requests, "the read for the question");
        assertEquals(MirrorState.SYNCHRONIZED, mirrors.mirrors.get("db").getState());
    }

    @Test
    void suspendNamesTheRestOfTheConsistencyGroupThatGoesAlong() {
        for (String volume : new String[] {"db", "logs", "web", "other"}) {
            mirrors.put(volume, volume + "-copy", MirrorState.SYNCHRONIZED, 100);
            mirrors.change(volume, m -> m.toBuilder().setWriteMode(WriteMode.ASYNCHRONOUS)
                    .setConsistencyGroup(volume.equals("other") ? "weekly" : "nightly").build());
        }
        agent.input = "y\n";
        FakeAgent.Result r = agent.run("mirror", "suspend", "logs");
        assertEquals(0, r.exit(), r.err());
        assertEquals("Suspend the mirror of \"logs\", and with it the rest of consistency group \"nightly\" (\"db\" and"
                + " \"web\"): writes are no longer sent to the secondary, which falls behind until resumed. Continue?"
                + " [y/N] ", r.err());
        assertEquals(MirrorsRequest.newBuilder().addVolumes("logs").build(), agent.last(MirrorsRequest.class));
    }

    @Test
    void suspendMemberOnlyNeitherReadsNorNamesTheGroup() {
        mirrors.put("db", "db-copy", MirrorState.SYNCHRONIZED, 100);
        mirrors.put("logs", "logs-copy", MirrorState.SYNCHRONIZED, 100);
        mirrors.change("db", m -> m.toBuilder().setConsistencyGroup("nightly").build());
        mirrors.change("logs", m -> m.toBuilder().setConsistencyGroup("nightly").build());
        assertRefusedOnAPipe(agent.run("mirror", "suspend", "db", "logs", "--member-only"), "Suspend the mirrors of"
                + " \"db\" and \"logs\": writes are no longer sent to the secondaries, which fall behind until resumed."
                + " Continue?", "suspension of \"db\" and \"logs\"", "suspend");
        assertTrue(agent.requests.isEmpty(), agent.requests.toString());
    }

    // ---- promote and demote

    @Test
    void promoteAlwaysAsksAndNamesThePeerThatBecomesSecondary() {
        mirrors.put("db-copy", "db", MirrorState.SYNCHRONIZED, 100);
        mirrors.change("db-copy", m -> m.toBuilder().setRole(MirrorRole.SECONDARY).setPeerRole(MirrorRole.PRIMARY)
                .setPeerArray("array-a").build());
        assertRefusedOnAPipe(agent.run("mirror", "promote", "db-copy"), "Promote \"db-copy\" to primary: \"db\" on"
                + " array-a becomes secondary in the same step, and the content of \"db\" follows \"db-copy\" from then"
                + " on. Continue?", "promotion of \"db-copy\"", "promote");
        assertEquals(List.of(MirrorRef.newBuilder().setVolume("db-copy").build()), agent.requests,
                "the read for the question alone, never a ChangeRole");
        assertEquals(MirrorRole.SECONDARY, mirrors.mirrors.get("db-copy").getRole());
    }

    @Test
    void demoteAnsweredYesNamesThePeerThatBecomesPrimaryThenDemotes() {
        mirrors.put("db", "db-copy", MirrorState.SYNCHRONIZED, 100);
        agent.input = "Y\n";
        FakeAgent.Result r = agent.run("mirror", "demote", "db");
        assertEquals(0, r.exit(), r.err());
        assertEquals("Demote \"db\" to secondary: \"db-copy\" on array-b becomes primary in the same step, and the"
                + " content of \"db\" follows \"db-copy\" from then on. Continue? [y/N] ", r.err());
        assertEquals(List.of(DB, ChangeRoleRequest.newBuilder().setVolume("db").setRole(MirrorRole.SECONDARY)
                .build()), agent.requests);
    }

    @Test
    void forcedPromotionWithThePeerUnreachableSaysBothWillBePrimary() {
        mirrors.put("db-copy", "db", MirrorState.UNRESPONSIVE, 100);
        mirrors.change("db-copy", m -> m.toBuilder().setRole(MirrorRole.SECONDARY).setPeerRole(MirrorRole.PRIMARY)
                .setPeerArray("array-a").setPeerReachable(false).build());
        assertRefusedOnAPipe(agent.run("mirror", "promote", "db-copy", "--force"), "Promote \"db-copy\" to primary"
                + " without its peer: array-a cannot be reached, so \"db\" keeps its role there, and both members are"
                + " primary (DualPrimary) when it returns. Continue?", "promotion of \"db-copy\"", "promote");
        assertEquals(MirrorRole.SECONDARY, mirrors.mirrors.get("db-copy").getRole());
    }

    @Test
    void forcedDemotionWithThePeerReachableSaysWhatForceWouldLeadTo() {
        mirrors.put("db", "db-copy", MirrorState.SYNCHRONIZED, 100);
        assertRefusedOnAPipe(agent.run("mirror", "demote", "db", "--force"), "Demote \"db\" to secondary: \"db-copy\""
                + " on array-b becomes primary in the same step, and the content of \"db\" follows \"db-copy\" from"
                + " then on. With --force the role changes even if array-b cannot be reached; both members are then"
                + " secondary (DualSecondary) when it returns. Continue?", "demotion of \"db\"", "demote");
    }

    @Test
    void demoteInDualPrimarySaysThePeerStaysPrimary() {
        mirrors.put("db", "db-copy", MirrorState.DUAL_PRIMARY, 100);
        mirrors.change("db", m -> m.toBuilder().setPeerRole(MirrorRole.PRIMARY).build());
        FakeAgent.Result r = agent.run("mirror", "demote", "db");
        assertTrue(r.err().startsWith("Demote \"db\" to secondary: \"db-copy\" on array-b stays primary, and the"
                + " content of \"db\" follows \"db-copy\" from then on. Continue?"), r.err());
    }

    @Test
    void roleChangeOfAnUnknownMirrorIsReportedBeforeAnyQuestion() {
        agent.input = "y\n";
        FakeAgent.Result r = agent.run("mirror", "promote", "nope");
        assertEquals(1, r.exit());
        assertEquals("error: \"nope\" is not a member of a mirror on this agent\nhint: list the mirrors with 'csctl"
                + " mirror list'\n", r.err());
    }

    @Test
    void promoteAndDemoteWithYesDoNotAskOrReadFirst() {
        mirrors.put("db", "db-copy", MirrorState.SYNCHRONIZED, 100);
        agent.input = "n\n";
        assertEquals("", agent.run("mirror", "demote", "db", "--yes").err());
        assertEquals("", agent.run("mirror", "promote", "db", "-y").err());
        assertTrue(agent.requests.stream().allMatch(q -> q instanceof ChangeRoleRequest), agent.requests.toString());
        assertEquals(2, agent.requests.size());
    }
}
