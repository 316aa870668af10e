package dev.copyservices.cli;

import static dev.copyservices.cli.MirrorCommandsTest.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.api.agent.v1.ChangeRoleRequest;
import dev.copyservices.api.agent.v1.CommunicationResult;
import dev.copyservices.api.agent.v1.CommunicationTest;
import dev.copyservices.api.agent.v1.CopyPriority;
import dev.copyservices.api.agent.v1.Mirror;
import dev.copyservices.api.agent.v1.MirrorRef;
import dev.copyservices.api.agent.v1.MirrorRole;
import dev.copyservices.api.agent.v1.MirrorState;
import dev.copyservices.api.agent.v1.MirrorsRequest;
import dev.copyservices.api.agent.v1.MirrorsResponse;
import dev.copyservices.api.agent.v1.ResyncMethod;
import dev.copyservices.api.agent.v1.UpdateMirrorsRequest;
import dev.copyservices.api.agent.v1.WriteMode;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code csctl mirror} on named mirrors: what suspend, resume, set, remove, test, promote and demote send
 * and print, in both formats, with {@code --yes} where they ask (the questions are in
 * MirrorConfirmationTest).
 */
class MirrorChangeCommandsTest {

    private final FakeAgent agent = new FakeAgent();
    private final FakeMirror mirrors = agent.mirror;

    @BeforeEach
    void twoMirrors() {
        mirrors.put("db", "db-copy", MirrorState.SYNCHRONIZED, 100);
        mirrors.put("logs", "logs-copy", MirrorState.SYNCHRONIZED, 100);
    }

    @AfterEach
    void stop() {
        agent.close();
    }

    // ---- suspend and resume

    @Test
    void suspendWithYesSendsTheNamesAloneAndConfirmsEachMirror() {
        FakeAgent.Result r = agent.run("mirror", "suspend", "db", "logs", "--yes");
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of(MirrorsRequest.newBuilder().addVolumes("db").addVolumes("logs").build()), agent.requests,
                "no read before a suspend that does not ask, and whole consistency groups");
        assertEquals("""
                mirror "db" -> "db-copy" on array-b suspended: Suspended
                mirror "logs" -> "logs-copy" on array-b suspended: Suspended
                """, r.out());
        assertEquals("", r.err());
    }

    @Test
    void suspendAndResumeSendMemberOnly() {
        assertEquals(0, agent.run("mirror", "suspend", "db", "--member-only", "-y").exit());
        assertEquals(MirrorsRequest.newBuilder().addVolumes("db").setMemberOnly(true).build(),
                agent.last(MirrorsRequest.class));
        assertEquals(0, agent.run("mirror", "resume", "db", "--member-only").exit());
        assertEquals(MirrorsRequest.newBuilder().addVolumes("db").setMemberOnly(true).build(),
                agent.last(MirrorsRequest.class));
    }

    @Test
    void suspendPrintsTheAgentsWarningsOnStderrInBothFormats() throws Exception {
        mirrors.warnings.add("the whole consistency group \"nightly\" was suspended: \"web\" too");
        FakeAgent.Result table = agent.run("mirror", "suspend", "db", "--yes");
        assertEquals("warning: the whole consistency group \"nightly\" was suspended: \"web\" too\n", table.err());
        FakeAgent.Result json = agent.run("-o", "json", "mirror", "suspend", "db", "--yes");
        assertEquals(table.err(), json.err());
        MirrorsResponse printed = parse(json.out(), MirrorsResponse.newBuilder()).build();
        assertEquals(MirrorState.SUSPENDED, printed.getMirrors(0).getState());
        assertEquals(mirrors.warnings, printed.getWarningsList());
    }

    @Test
    void resumeDoesNotAskAndSaysWhereEachMirrorIs() {
        mirrors.change("db", m -> m.toBuilder().setState(MirrorState.SUSPENDED).setProgressPercent(3).build());
        FakeAgent.Result r = agent.run("mirror", "resume", "db");
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of(MirrorsRequest.newBuilder().addVolumes("db").build()), agent.requests);
        assertEquals("mirror \"db\" -> \"db-copy\" on array-b resumed: Synchronizing, 3% copied\n", r.out());
    }

    @Test
    void resumeWarnsThatAnInconsistentSecondaryIsNotUsableForDisasterRecovery() {
        mirrors.change("db", m -> m.toBuilder().setState(MirrorState.UNSYNCHRONIZED).setSecondaryInconsistent(true)
                .build());
        FakeAgent.Result r = agent.run("-o", "json", "mirror", "resume", "db", "logs");
        assertEquals(0, r.exit(), r.err());
        assertEquals("warning: \"db\": " + MirrorOutput.INCONSISTENT + "\n", r.err());
    }

    // ---- set

    @Test
    void setSendsOnlyTheGivenSettingsToEveryMirror() {
        FakeAgent.Result r = agent.run("mirror", "set", "db", "logs", "--priority", "LOWEST");
        assertEquals(0, r.exit(), r.err());
        UpdateMirrorsRequest sent = agent.last(UpdateMirrorsRequest.class);
        assertEquals(UpdateMirrorsRequest.newBuilder().addVolumes("db").addVolumes("logs")
                .setSyncPriority(CopyPriority.COPY_PRIORITY_LOWEST).build(), sent);
        assertFalse(sent.hasConsistencyGroup(), "unset leaves the group as it is");
        assertEquals("""
                mirror "db" -> "db-copy" on array-b updated: sync, priority Lowest, resync Manual
                mirror "logs" -> "logs-copy" on array-b updated: sync, priority Lowest, resync Manual
                """, r.out());
    }

    @Test
    void setSendsModeGroupAndResyncTogether() {
        FakeAgent.Result r = agent.run("mirror", "set", "db", "--mode", "async", "--consistency-group", "nightly",
                "--resync", "automatic");
        assertEquals(0, r.exit(), r.err());
        assertEquals(UpdateMirrorsRequest.newBuilder().addVolumes("db").setWriteMode(WriteMode.ASYNCHRONOUS)
                .setConsistencyGroup("nightly").setResyncMethod(ResyncMethod.AUTOMATIC).build(),
                agent.last(UpdateMirrorsRequest.class));
        assertEquals("mirror \"db\" -> \"db-copy\" on array-b updated: async+cg:nightly, priority Medium, resync"
                + " Automatic\n", r.out());
    }

    @Test
    void setWithAnEmptyGroupSendsItSoThatTheMirrorsLeaveTheirGroup() {
        mirrors.change("db", m -> m.toBuilder().setWriteMode(WriteMode.ASYNCHRONOUS).setConsistencyGroup("nightly")
                .build());
        FakeAgent.Result r = agent.run("mirror", "set", "db", "--consistency-group", "");
        assertEquals(0, r.exit(), r.err());
        UpdateMirrorsRequest sent = agent.last(UpdateMirrorsRequest.class);
        assertTrue(sent.hasConsistencyGroup());
        assertEquals("", sent.getConsistencyGroup());
        assertEquals(WriteMode.WRITE_MODE_UNSPECIFIED, sent.getWriteMode());
        assertTrue(r.out().endsWith("updated: async, priority Medium, resync Manual\n"), r.out());
    }

    @Test
    void setToSyncMayTakeMirrorsOutOfTheirGroupInTheSameStep() {
        assertEquals(0, agent.run("mirror", "set", "db", "--mode", "sync", "--consistency-group", "").exit());
        assertEquals(UpdateMirrorsRequest.newBuilder().addVolumes("db").setWriteMode(WriteMode.SYNCHRONOUS)
                .setConsistencyGroup("").build(), agent.last(UpdateMirrorsRequest.class));
    }

    @Test
    void setWithJsonPrintsTheResponseAndTheWarningsGoToStderr() throws Exception {
        mirrors.warnings.add("\"db\" is the secondary here; the change was made on array-b");
        FakeAgent.Result r = agent.run("-o", "json", "mirror", "set", "db", "--priority", "high");
        assertEquals(0, r.exit(), r.err());
        MirrorsResponse printed = parse(r.out(), MirrorsResponse.newBuilder()).build();
        assertEquals(List.of(mirrors.mirrors.get("db")), printed.getMirrorsList());
        assertEquals("warning: \"db\" is the secondary here; the change was made on array-b\n", r.err());
    }

    // ---- remove

    @Test
    void removeWithYesSendsEveryNameAndSaysTheDataStays() {
        FakeAgent.Result r = agent.run("mirror", "remove", "db", "logs", "--yes");
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of(MirrorsRequest.newBuilder().addVolumes("db").addVolumes("logs").build()), agent.requests);
        assertEquals("""
                mirror "db" -> "db-copy" on array-b removed: the data stays on both volumes
                mirror "logs" -> "logs-copy" on array-b removed: the data stays on both volumes
                """, r.out());
        assertTrue(mirrors.mirrors.isEmpty());
    }

    @Test
    void removeThatCouldNotReachThePeerPassesOnTheAgentsWarning() throws Exception {
        mirrors.warnings.add("array-b cannot be reached: only this member was removed; remove \"db-copy\" on array-b");
        FakeAgent.Result r = agent.run("-o", "json", "mirror", "remove", "db", "-y");
        assertEquals(0, r.exit(), r.err());
        assertEquals("db", parse(r.out(), MirrorsResponse.newBuilder()).getMirrors(0).getVolume());
        assertEquals("warning: " + mirrors.warnings.get(0) + "\n", r.err());
    }

    // ---- test

    @Test
    void testPrintsTheResultAndTheThreeRoundTrips() {
        mirrors.communication = CommunicationTest.newBuilder().setResult(CommunicationResult.COMMUNICATION_PASSED)
                .setTestRoundTripMillis(1.234).setAverageRoundTripMillis(1.1).setMaximumAllowedRoundTripMillis(50)
                .build();
        FakeAgent.Result r = agent.run("mirror", "test", "db");
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of(MirrorRef.newBuilder().setVolume("db").build()), agent.requests);
        assertEquals("""
                Result:              Passed
                Test round trip:     1.23 ms
                Average round trip:  1.1 ms
                Maximum allowed:     50 ms
                """, r.out());
    }

    @Test
    void testCloseToTheMaximumIsAWarningThatStillExitsZero() {
        mirrors.communication = CommunicationTest.newBuilder().setResult(CommunicationResult.COMMUNICATION_WARNING)
                .setTestRoundTripMillis(48).setAverageRoundTripMillis(45.5).setMaximumAllowedRoundTripMillis(50)
                .build();
        FakeAgent.Result r = agent.run("mirror", "test", "db");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("Result:              Warning (Passed with Caution)\n"), r.out());
    }

    @Test
    void testExitsOneWhenFailedInBothFormatsAndGivesTheDetail() throws Exception {
        CommunicationTest failed = CommunicationTest.newBuilder().setResult(CommunicationResult.COMMUNICATION_FAILED)
                .setMaximumAllowedRoundTripMillis(50).setDetail("no answer from array-b.example:7401 within 5 s")
                .build();
        mirrors.communication = failed;
        FakeAgent.Result table = agent.run("mirror", "test", "db");
        assertEquals(1, table.exit());
        assertEquals("""
                Result:              Failed
                Test round trip:     -
                Average round trip:  -
                Maximum allowed:     50 ms
                Detail:              no answer from array-b.example:7401 within 5 s
                """, table.out());
        FakeAgent.Result json = agent.run("-o", "json", "mirror", "test", "db");
        assertEquals(1, json.exit());
        assertEquals(failed, parse(json.out(), CommunicationTest.newBuilder()).build());
    }

    // ---- promote and demote

    @Test
    void promoteWithYesSendsTheRoleWithoutForceAndSaysTheNewRole() {
        mirrors.change("db", m -> m.toBuilder().setRole(MirrorRole.SECONDARY).setPeerRole(MirrorRole.PRIMARY).build());
        FakeAgent.Result r = agent.run("mirror", "promote", "db", "--yes");
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of(ChangeRoleRequest.newBuilder().setVolume("db").setRole(MirrorRole.PRIMARY).build()),
                agent.requests, "no read before a role change that does not ask");
        assertEquals("mirror \"db\" -> \"db-copy\" on array-b promoted: now Primary, Synchronized, generation 2\n",
                r.out());
        assertEquals("", r.err());
    }

    @Test
    void demoteWithForceSendsForce() {
        FakeAgent.Result r = agent.run("mirror", "demote", "db", "--force", "-y");
        assertEquals(0, r.exit(), r.err());
        assertEquals(ChangeRoleRequest.newBuilder().setVolume("db").setRole(MirrorRole.SECONDARY).setForce(true)
                .build(), agent.last(ChangeRoleRequest.class));
        assertEquals("mirror \"db\" <- \"db-copy\" on array-b demoted: now Secondary, Synchronized, generation 2\n",
                r.out());
        assertEquals("", r.err(), "the peer took the other role: nothing to warn about");
    }

    @Test
    void aForcedPromotionWithoutThePeerWarnsOfTheDualRoleInBothFormats() throws Exception {
        mirrors.change("db", m -> m.toBuilder().setRole(MirrorRole.SECONDARY).setPeerRole(MirrorRole.PRIMARY)
                .setPeerReachable(false).setState(MirrorState.UNRESPONSIVE).build());
        FakeAgent.Result r = agent.run("mirror", "promote", "db", "--force", "--yes");
        assertEquals(0, r.exit(), r.err());
        assertEquals("mirror \"db\" <-> \"db-copy\" on array-b promoted: now Primary, Unresponsive, generation 2\n",
                r.out());
        String warning = "warning: array-b could not be reached: it does not know of the change, and both members are"
                + " primary (DualPrimary) when it returns\n";
        assertEquals(warning, r.err());
        FakeAgent.Result json = agent.run("-o", "json", "mirror", "demote", "db", "--force", "--yes");
        assertEquals(MirrorRole.SECONDARY, parse(json.out(), Mirror.newBuilder()).getRole());
        assertEquals(warning.replace("primary (DualPrimary)", "secondary (DualSecondary)"), json.err());
    }
}
