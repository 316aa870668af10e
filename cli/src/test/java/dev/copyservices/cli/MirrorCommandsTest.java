package dev.copyservices.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import dev.copyservices.api.agent.v1.ActivateMirroringRequest;
import dev.copyservices.api.agent.v1.CopyPriority;
import dev.copyservices.api.agent.v1.CreateMirrorRequest;
import dev.copyservices.api.agent.v1.DeactivateMirroringRequest;
import dev.copyservices.api.agent.v1.GetMirroringRequest;
import dev.copyservices.api.agent.v1.ListMirrorsRequest;
import dev.copyservices.api.agent.v1.ListMirrorsResponse;
import dev.copyservices.api.agent.v1.ListSecondaryCandidatesRequest;
import dev.copyservices.api.agent.v1.Mirror;
import dev.copyservices.api.agent.v1.MirrorRef;
import dev.copyservices.api.agent.v1.MirrorRole;
import dev.copyservices.api.agent.v1.MirrorState;
import dev.copyservices.api.agent.v1.MirroringStatus;
import dev.copyservices.api.agent.v1.ResyncMethod;
import dev.copyservices.api.agent.v1.SecondaryCandidate;
import dev.copyservices.api.agent.v1.WriteMode;
import io.grpc.Status;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code csctl mirror}: what activate, deactivate, status, create, list and show send and print, in both
 * formats, and how the agent's refusals come through. The commands on named mirrors (suspend, resume, set,
 * remove, test, promote, demote) are in MirrorChangeCommandsTest, the questions in MirrorConfirmationTest.
 */
class MirrorCommandsTest {

    private static final String INCONSISTENT = "the secondary holds old and new data mixed until this resync"
            + " completes; it is not usable for disaster recovery";

    private final FakeAgent agent = new FakeAgent();
    private final FakeMirror mirrors = agent.mirror;

    @AfterEach
    void stop() {
        agent.close();
    }

    static <T extends com.google.protobuf.Message.Builder> T parse(String json, T into) throws Exception {
        JsonFormat.parser().merge(json, into);
        return into;
    }

    // ---- activate, deactivate, status

    @Test
    void activateSendsActivateMirroringAndConfirms() {
        FakeAgent.Result r = agent.run("mirror", "activate");
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of(ActivateMirroringRequest.getDefaultInstance()), agent.requests);
        assertEquals("mirroring activated: mirrors may exist on this agent\n", r.out());
        assertEquals("", r.err());
    }

    @Test
    void activateOnAnAgentWithMirroringDisabledWarnsThatNewMirrorsAreRefused() {
        mirrors.status = mirrors.status.toBuilder().setEnabled(false).build();
        FakeAgent.Result r = agent.run("mirror", "activate");
        assertEquals(0, r.exit(), r.err());
        assertEquals("warning: the agent runs with --disable-feature mirror: it refuses new mirrors until it runs"
                + " without it\n", r.err());
    }

    @Test
    void deactivateSendsDeactivateMirroringAndConfirms() {
        FakeAgent.Result r = agent.run("mirror", "deactivate");
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of(DeactivateMirroringRequest.getDefaultInstance()), agent.requests);
        assertEquals("mirroring deactivated: no mirror can exist on this agent until it is activated again\n",
                r.out());
    }

    @Test
    void deactivateRefusedByTheAgentIsItsErrorWithItsHint() {
        agent.failure = FakeAgent.error(Status.Code.FAILED_PRECONDITION, "MIRRORS_EXIST", "2 mirrors exist on this"
                + " agent", "remove them first ('csctl mirror remove NAME...')");
        FakeAgent.Result r = agent.run("mirror", "deactivate");
        assertEquals(1, r.exit());
        assertEquals("", r.out());
        assertEquals("error: 2 mirrors exist on this agent\nhint: remove them first ('csctl mirror remove"
                + " NAME...')\n", r.err());
    }

    @Test
    void activateAndDeactivateWithJsonPrintTheStatus() throws Exception {
        FakeAgent.Result r = agent.run("-o", "json", "mirror", "activate");
        assertEquals(0, r.exit(), r.err());
        assertTrue(parse(r.out(), MirroringStatus.newBuilder()).getActivated(), r.out());
        r = agent.run("-o", "json", "mirror", "deactivate");
        assertFalse(parse(r.out(), MirroringStatus.newBuilder()).getActivated(), r.out());
    }

    @Test
    void statusShowsActivationEndpointPartnerAndCount() {
        mirrors.status = MirroringStatus.newBuilder().setActivated(true).setEnabled(true)
                .setReplicationEndpoint("array-a.example:7401").setPartnerArray("array-b")
                .setPartnerArrayId("id-array-b").setMirrors(2).setMaxMirrors(8).build();
        FakeAgent.Result r = agent.run("mirror", "status");
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of(GetMirroringRequest.getDefaultInstance()), agent.requests);
        assertEquals("""
                Activated:             yes
                Enabled:               yes
                Replication endpoint:  array-a.example:7401
                Partner array:         array-b (id-array-b)
                Mirrors:               2 of at most 8
                """, r.out());
    }

    @Test
    void statusShowsEachConsistencyGroupWithItsStateAndVolumes() {
        mirrors.status = mirrors.status.toBuilder().setActivated(true).addConsistencyGroups(
                dev.copyservices.api.agent.v1.ConsistencyGroupStatus.newBuilder().setName("nightly")
                        .addVolumes("db").addVolumes("logs").setState(MirrorState.SYNCHRONIZING)).build();
        FakeAgent.Result r = agent.run("mirror", "status");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("Consistency group nightly:  Synchronizing (db, logs)\n"), r.out());
    }

    @Test
    void statusSaysWhatIsMissingOnAFreshOrDisabledAgent() {
        mirrors.status = MirroringStatus.getDefaultInstance();
        assertEquals("""
                Activated:             no (activate with 'csctl mirror activate')
                Enabled:               no (the agent runs with --disable-feature mirror: existing mirrors keep\
                 working, new ones are refused)
                Replication endpoint:  - (this agent has no replication listener)
                Partner array:         - (none yet)
                Mirrors:               0
                """, agent.run("mirror", "status").out());
    }

    @Test
    void statusWithJsonIncludesFieldsThatAreFalseOrZero() throws Exception {
        mirrors.status = MirroringStatus.getDefaultInstance();
        String json = agent.run("-o", "json", "mirror", "status").out();
        assertTrue(json.contains("\"activated\": false") && json.contains("\"mirrors\": 0"), json);
        assertEquals(MirroringStatus.getDefaultInstance(), parse(json, MirroringStatus.newBuilder()).build());
    }

    // ---- create

    @Test
    void createWithYesLooksForAnExistingMirrorThenSendsPrimaryPeerAndSecondaryOnly() {
        FakeAgent.Result r = agent.run("mirror", "create", "db", "--peer", "array-b.example:7401", "--secondary",
                "db-copy", "--yes");
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of(ListMirrorsRequest.getDefaultInstance(), CreateMirrorRequest.newBuilder()
                .setPrimary("db").setPeer("array-b.example:7401").setSecondary("db-copy").build()), agent.requests,
                "no --mode, --priority or --resync leaves the defaults to the agent");
        assertEquals("mirror \"db\" -> \"db-copy\" on array-b created: Synchronizing, 0% copied, sync, priority"
                + " Medium, resync Manual\n", r.out());
        assertEquals("", r.err());
    }

    @Test
    void createSendsPeerSecondaryModeAndGroup() {
        FakeAgent.Result r = agent.run("mirror", "create", "db", "--peer", " [fd00::2]:7401 ", "--secondary", "db copy",
                "--mode", "ASYNC", "--consistency-group", "nightly", "--priority", "high", "--resync", "Automatic",
                "-y");
        assertEquals(0, r.exit(), r.err());
        assertEquals(CreateMirrorRequest.newBuilder().setPrimary("db").setPeer("[fd00::2]:7401")
                .setSecondary("db copy").setWriteMode(WriteMode.ASYNCHRONOUS).setConsistencyGroup("nightly")
                .setSyncPriority(CopyPriority.COPY_PRIORITY_HIGH).setResyncMethod(ResyncMethod.AUTOMATIC).build(),
                agent.last(CreateMirrorRequest.class));
        assertEquals("mirror \"db\" -> \"db copy\" on array-b created: Synchronizing, 0% copied, async+cg:nightly,"
                + " priority High, resync Automatic\n", r.out());
    }

    @Test
    void createSendsSyncModeWhenGivenAndAnEmptyGroupAsNoGroup() {
        assertEquals(0, agent.run("mirror", "create", "db", "--peer", "b:1", "--secondary", "db-copy", "--mode",
                "sync", "--consistency-group", "", "--yes").exit());
        CreateMirrorRequest sent = agent.last(CreateMirrorRequest.class);
        assertEquals(WriteMode.SYNCHRONOUS, sent.getWriteMode());
        assertEquals("", sent.getConsistencyGroup());
    }

    @Test
    void creatingAnExistingMirrorAgainSaysItExistsWithoutAskingAndThatNothingStarted() {
        mirrors.put("db", "db-copy", MirrorState.SYNCHRONIZED, 100);
        // no --yes and nothing on stdin: a mirror that exists overwrites nothing, so there is nothing to ask
        FakeAgent.Result r = agent.run("mirror", "create", "db", "--peer", "array-b.example:7401", "--secondary",
                "db-copy", "--mode", "async");
        assertEquals(0, r.exit(), r.err());
        assertEquals("db", agent.last(CreateMirrorRequest.class).getPrimary());
        assertEquals("mirror \"db\" -> \"db-copy\" on array-b already exists: Synchronized, sync, priority Medium,"
                + " resync Manual\n", r.out());
        assertEquals("warning: \"db\" was mirrored already: no new synchronization was started, and the mirror keeps"
                + " its settings; change them with 'csctl mirror set db ...'\n", r.err());
    }

    @Test
    void createWithJsonPrintsTheMirror() throws Exception {
        FakeAgent.Result r = agent.run("-o", "json", "mirror", "create", "db", "--peer", "b:1", "--secondary",
                "db-copy", "--yes");
        assertEquals(0, r.exit(), r.err());
        assertEquals(mirrors.mirrors.get("db"), parse(r.out(), Mirror.newBuilder()).build());
        assertTrue(r.out().contains("\"state\": \"SYNCHRONIZING\""), r.out());
    }

    @Test
    void createRefusedByTheAgentIsItsErrorWithItsHint() {
        agent.failure = FakeAgent.error(Status.Code.FAILED_PRECONDITION, "PEER_UNREACHABLE", "the peer at b:1 cannot"
                + " be reached", "check the peer's replication endpoint with 'csctl mirror status' there");
        FakeAgent.Result r = agent.run("mirror", "create", "db", "--peer", "b:1", "--secondary", "db-copy", "-y");
        assertEquals(1, r.exit());
        assertEquals("", r.out());
        assertEquals("error: the peer at b:1 cannot be reached\nhint: check the peer's replication endpoint with"
                + " 'csctl mirror status' there\n", r.err());
    }

    @Test
    void anAgentWithoutMirroringIsReportedAsNotOfferingTheCommand() {
        agent.failure = Status.UNIMPLEMENTED.withDescription("Method not found").asRuntimeException();
        FakeAgent.Result r = agent.run("mirror", "list");
        assertEquals(1, r.exit());
        assertTrue(r.err().endsWith(" does not offer this command; use a csctl that matches the agent's version\n"),
                r.err());
    }

    // ---- candidates

    @Test
    void candidatesSendsPrimaryAndPeerAndPrintsTheEligibleVolumesWithTheirSize() {
        mirrors.candidates = mirrors.candidates.toBuilder()
                .addCandidates(SecondaryCandidate.newBuilder().setVolume("db-copy").setSizeBytes(FakeMirror.GIB))
                .addCandidates(SecondaryCandidate.newBuilder().setVolume("spare").setSizeBytes(2 * FakeMirror.GIB))
                .build();
        FakeAgent.Result r = agent.run("mirror", "candidates", "db", "--peer", "b:7401");
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of(ListSecondaryCandidatesRequest.newBuilder().setPrimary("db").setPeer("b:7401").build()),
                agent.requests);
        assertTrue(r.out().startsWith("VOLUME"), r.out());
        assertTrue(r.out().contains("db-copy") && r.out().contains("1 GiB"), r.out());
        assertTrue(r.out().contains("spare") && r.out().contains("2 GiB"), r.out());
        assertEquals("", r.err());
    }

    @Test
    void candidatesWithNoneSaysSoAndHowToMakeOne() {
        FakeAgent.Result r = agent.run("mirror", "candidates", "db", "--peer", "b:7401");
        assertEquals(0, r.exit(), r.err());
        assertEquals("", r.out());
        assertEquals("no volume on array \"array-b\" can be the secondary of \"db\": create a volume there at least"
                + " as large ('csctl volume create')\n", r.err());
    }

    @Test
    void candidatesWithJsonPrintsTheResponse() throws Exception {
        mirrors.candidates = mirrors.candidates.toBuilder()
                .addCandidates(SecondaryCandidate.newBuilder().setVolume("db-copy").setSizeBytes(FakeMirror.GIB))
                .build();
        FakeAgent.Result r = agent.run("-o", "json", "mirror", "candidates", "db", "--peer", "b:7401");
        assertEquals(0, r.exit(), r.err());
        assertEquals(mirrors.candidates, parse(r.out(),
                dev.copyservices.api.agent.v1.ListSecondaryCandidatesResponse.newBuilder()).build());
    }

    @Test
    void candidatesWithoutPeerIsAUsageError() {
        FakeAgent.Result r = agent.run("mirror", "candidates", "db");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--peer"), r.err());
        assertTrue(agent.requests.isEmpty());
    }

    // ---- list

    @Test
    void listShowsOneRowPerMirrorSortedByVolume() {
        mirrors.put("web", "web-copy", MirrorState.SUSPENDED, 99);
        mirrors.put("db", "db-copy", MirrorState.SYNCHRONIZING, 45.2);
        mirrors.put("logs", "logs-copy", MirrorState.SYNCHRONIZED, 100);
        mirrors.change("logs", m -> m.toBuilder().setRole(MirrorRole.SECONDARY).setPeerRole(MirrorRole.PRIMARY)
                .setPeerArray("array-a").build());
        FakeAgent.Result r = agent.run("mirror", "list");
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of(ListMirrorsRequest.getDefaultInstance()), agent.requests);
        assertEquals("""
                VOLUME  ROLE       STATE          PEER               MODE  PROGRESS  LAG  OUT-OF-SYNC
                db      Primary    Synchronizing  array-b:db-copy    sync  45.2%     -    561.15 MiB
                logs    Secondary  Synchronized   array-a:logs-copy  sync  -         -    0 B
                web     Primary    Suspended      array-b:web-copy   sync  -         -    10.24 MiB
                """, r.out());
        assertEquals("", r.err());
    }

    @Test
    void listShowsLagOnlyForAsynchronousMirrors() {
        mirrors.put("db", "db-copy", MirrorState.SYNCHRONIZED, 100);
        mirrors.change("db", m -> m.toBuilder().setLagSeconds(7).build());
        mirrors.put("logs", "logs-copy", MirrorState.SYNCHRONIZED, 100);
        mirrors.change("logs", m -> m.toBuilder().setWriteMode(WriteMode.ASYNCHRONOUS).setLagSeconds(1.23).build());
        mirrors.put("web", "web-copy", MirrorState.SYNCHRONIZED, 100);
        mirrors.change("web", m -> m.toBuilder().setWriteMode(WriteMode.ASYNCHRONOUS).setConsistencyGroup("nightly")
                .setLagSeconds(0).build());
        assertEquals("""
                VOLUME  ROLE     STATE         PEER               MODE              PROGRESS  LAG   OUT-OF-SYNC
                db      Primary  Synchronized  array-b:db-copy    sync              -         -     0 B
                logs    Primary  Synchronized  array-b:logs-copy  async             -         1.3s  0 B
                web     Primary  Synchronized  array-b:web-copy   async+cg:nightly  -         0s    0 B
                """, agent.run("mirror", "list").out());
    }

    @Test
    void listWarnsOnStderrAboutEachInconsistentSecondaryInBothFormats() throws Exception {
        mirrors.put("db", "db-copy", MirrorState.SYNCHRONIZING, 50);
        mirrors.change("db", m -> m.toBuilder().setSecondaryInconsistent(true).build());
        mirrors.put("logs", "logs-copy", MirrorState.SYNCHRONIZED, 100);
        FakeAgent.Result table = agent.run("mirror", "list");
        assertEquals(0, table.exit(), table.err());
        assertEquals("warning: \"db\": " + INCONSISTENT + "\n", table.err());
        FakeAgent.Result json = agent.run("-o", "json", "mirror", "list");
        assertEquals("warning: \"db\": " + INCONSISTENT + "\n", json.err());
        assertTrue(parse(json.out(), ListMirrorsResponse.newBuilder()).getMirrors(0).getSecondaryInconsistent());
    }

    @Test
    void noMirrorsIsANoteOnStderr() {
        FakeAgent.Result r = agent.run("mirror", "list");
        assertEquals(0, r.exit());
        assertEquals("", r.out());
        assertEquals("no mirrors\n", r.err());
    }

    @Test
    void listWithJsonIsAnObjectWithAMirrorsArray() throws Exception {
        assertEquals("{\n  \"mirrors\": []\n}\n", agent.run("-o", "json", "mirror", "list").out());
        Mirror db = mirrors.put("db", "db-copy", MirrorState.SYNCHRONIZING, 10);
        String json = agent.run("mirror", "list", "-o", "json").out();
        assertEquals(List.of(db), parse(json, ListMirrorsResponse.newBuilder()).getMirrorsList());
        assertTrue(json.contains("\"writeMode\": \"SYNCHRONOUS\""), json);
    }

    // ---- show

    @Test
    void showOfASynchronizingMirrorGivesEveryFieldAndTheProgress() {
        mirrors.put("db", "db-copy", MirrorState.SYNCHRONIZING, 45.2);
        mirrors.change("db", m -> m.toBuilder().setReason("initial synchronization").setBytesSent(512L << 20)
                .setSyncPriority(CopyPriority.COPY_PRIORITY_HIGH).setResyncMethod(ResyncMethod.AUTOMATIC).build());
        FakeAgent.Result r = agent.run("mirror", "show", "db");
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of(MirrorRef.newBuilder().setVolume("db").build()), agent.requests);
        assertEquals("""
                Volume:             db (id-db)
                Mirror ID:          m-db
                Role:               Primary
                State:              Synchronizing
                Reason:             initial synchronization
                Progress:           45.2% (561.15 MiB left to copy)
                Peer:
                  Array:            array-b (id-array-b)
                  Endpoint:         array-b.example:7401
                  Volume:           db-copy
                  Role:             Secondary (as last heard)
                  Reachable:        yes
                Write mode:         sync (Metro Mirroring)
                Consistency group:  -
                Sync priority:      High
                Resync:             Automatic
                Generation:         1
                Capacity:           1 GiB
                Out of sync:        561.15 MiB
                Last synchronized:  never
                Created:            2023-11-14T22:13:20Z
                Bytes sent:         512 MiB
                """, r.out());
        assertEquals("", r.err());
    }

    @Test
    void showOnATerminalDrawsAProgressBar() {
        agent.terminal = true;
        mirrors.put("db", "db-copy", MirrorState.SYNCHRONIZING, 45.2);
        String out = agent.run("mirror", "show", "db").out();
        assertTrue(out.contains("\nProgress:           [#########...........]  45.2%  561.15 MiB left to copy\n"), out);
    }

    @Test
    void showOfAnAsynchronousMirrorGivesTheLagAndItsGroup() {
        mirrors.put("db", "db-copy", MirrorState.SYNCHRONIZED, 100);
        mirrors.change("db", m -> m.toBuilder().setWriteMode(WriteMode.ASYNCHRONOUS).setConsistencyGroup("nightly")
                .setLagSeconds(125).build());
        String out = agent.run("mirror", "show", "db").out();
        assertTrue(out.contains("\nWrite mode:         async (Global Mirroring)\nConsistency group:  nightly\n"), out);
        assertTrue(out.contains("\nLag:                125 seconds (about 2 minutes 5 seconds)\n"), out);
        assertTrue(out.contains("\nLast synchronized:  2023-11-14T23:13:20Z\n"), out);
        assertFalse(out.contains("Progress"), out);
    }

    @Test
    void showOfAnInconsistentSecondarySaysItIsNotUsableForDisasterRecovery() {
        mirrors.put("db", "db-copy", MirrorState.SYNCHRONIZING, 97);
        mirrors.change("db", m -> m.toBuilder().setSecondaryInconsistent(true).setPeerReachable(false).build());
        FakeAgent.Result r = agent.run("mirror", "show", "db");
        assertTrue(r.out().contains("\nState:              Synchronizing\nWarning:            " + INCONSISTENT + "\n"),
                r.out());
        assertTrue(r.out().contains("\n  Reachable:        no\n"), r.out());
        assertEquals("", r.err(), "said once, in the block");
    }

    @Test
    void showWithJsonPrintsTheMirrorAndWarnsAboutAnInconsistentSecondaryOnStderr() throws Exception {
        agent.terminal = true;
        mirrors.put("db", "db-copy", MirrorState.SYNCHRONIZING, 97);
        Mirror db = mirrors.change("db", m -> m.toBuilder().setSecondaryInconsistent(true).build());
        FakeAgent.Result r = agent.run("-o", "json", "mirror", "show", "db");
        assertEquals(db, parse(r.out(), Mirror.newBuilder()).build());
        assertFalse(r.out().contains("#"), r.out());
        assertEquals("warning: \"db\": " + INCONSISTENT + "\n", r.err());
    }

    @Test
    void showOfAnUnknownMirrorIsTheAgentsErrorWithItsHint() {
        FakeAgent.Result r = agent.run("mirror", "show", "nope");
        assertEquals(1, r.exit());
        assertEquals("", r.out());
        assertEquals("error: \"nope\" is not a member of a mirror on this agent\nhint: list the mirrors with 'csctl"
                + " mirror list'\n", r.err());
    }
}
