package dev.copyservices.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Duration;
import com.google.protobuf.util.JsonFormat;
import dev.copyservices.api.agent.v1.CopyPriority;
import dev.copyservices.api.agent.v1.CopyRef;
import dev.copyservices.api.agent.v1.CopyState;
import dev.copyservices.api.agent.v1.CreateCopyRequest;
import dev.copyservices.api.agent.v1.ListCopiesRequest;
import dev.copyservices.api.agent.v1.ListCopiesResponse;
import dev.copyservices.api.agent.v1.RecopyRequest;
import dev.copyservices.api.agent.v1.RemoveCopiesRequest;
import dev.copyservices.api.agent.v1.RemoveCopiesResponse;
import dev.copyservices.api.agent.v1.UpdateCopiesRequest;
import dev.copyservices.api.agent.v1.UpdateCopiesResponse;
import dev.copyservices.api.agent.v1.VolumeCopy;
import io.grpc.Status;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code csctl volumecopy}: what each command sends and prints, in both formats, and how the agent's
 * refusals come through. The questions of create, stop and recopy are in VolumeCopyConfirmationTest.
 */
class VolumeCopyCommandsTest {

    private static final long GIB = 1L << 30;
    private static final String NOT_A_FLASHCOPY = "\"db\" is not a FlashCopy: it takes no writes until the copy ends";

    private final FakeAgent agent = new FakeAgent();
    private final FakeVolumeCopy copies = agent.volumeCopy;

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

    // ---- create

    @Test
    void createWithYesLooksForAnExistingPairThenSendsSourceAndTargetWithoutAPriority() {
        FakeAgent.Result r = agent.run("volumecopy", "create", "--source", "db", "--target", "db-copy", "--yes");
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of(ListCopiesRequest.newBuilder().setVolume("db-copy").build(),
                CreateCopyRequest.newBuilder().setSource("db").setTarget("db-copy").build()), agent.requests);
        assertEquals(CopyPriority.COPY_PRIORITY_UNSPECIFIED, agent.last(CreateCopyRequest.class).getPriority(),
                "no --priority leaves the default to the agent");
        assertEquals("VolumeCopy \"db\" -> \"db-copy\" created: InProgress, 0% copied, priority Medium\n", r.out());
        assertEquals("", r.err());
    }

    @Test
    void createSendsThePriorityGivenInAnyLetterCase() {
        FakeAgent.Result r = agent.run("volumecopy", "create", "--source", "db", "--target", "db-copy", "--priority",
                "HigHest", "-y");
        assertEquals(0, r.exit(), r.err());
        assertEquals(CopyPriority.COPY_PRIORITY_HIGHEST, agent.last(CreateCopyRequest.class).getPriority());
        assertEquals("VolumeCopy \"db\" -> \"db-copy\" created: InProgress, 0% copied, priority Highest\n", r.out());
    }

    @Test
    void createPrintsEachWarningOfTheAgentOnStderr() {
        copies.warnings.add(NOT_A_FLASHCOPY);
        copies.warnings.add("second warning");
        FakeAgent.Result r = agent.run("volumecopy", "create", "--source", "db", "--target", "db-copy", "--yes");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("VolumeCopy \"db\" -> \"db-copy\" created: "), r.out());
        assertEquals("warning: " + NOT_A_FLASHCOPY + "\nwarning: second warning\n", r.err());
    }

    @Test
    void createWithJsonPrintsThePairOnStdoutAndStillWarnsOnStderr() throws Exception {
        copies.warnings.add(NOT_A_FLASHCOPY);
        FakeAgent.Result r = agent.run("-o", "json", "volumecopy", "create", "--source", "db", "--target", "db-copy",
                "--yes");
        assertEquals(0, r.exit(), r.err());
        VolumeCopy printed = parse(r.out(), VolumeCopy.newBuilder()).build();
        assertEquals(copies.pairs.get("db-copy").toBuilder().addWarnings(NOT_A_FLASHCOPY).build(), printed);
        assertTrue(r.out().contains("\"state\": \"COPY_IN_PROGRESS\""), r.out());
        assertEquals("warning: " + NOT_A_FLASHCOPY + "\n", r.err());
    }

    @Test
    void createBeyondTheCopySlotsSaysThePairWaitsAndItsPlaceInTheQueue() {
        copies.slots = 0;
        FakeAgent.Result r = agent.run("volumecopy", "create", "--source", "db", "--target", "db-copy", "--yes");
        assertEquals(0, r.exit(), r.err());
        assertEquals("VolumeCopy \"db\" -> \"db-copy\" created: Pending, number 1 in the queue, priority Medium\n",
                r.out());
    }

    @Test
    void creatingAnExistingPairAgainSaysItExistsAndThatNoNewCopyWasStarted() {
        copies.put("db", "db-copy", CopyState.COPY_COMPLETED, 100);
        // no --yes and nothing on stdin: a pair that exists overwrites nothing, so there is nothing to ask
        FakeAgent.Result r = agent.run("volumecopy", "create", "--source", "db", "--target", "db-copy");
        assertEquals(0, r.exit(), r.err());
        assertEquals("db-copy", agent.last(CreateCopyRequest.class).getTarget());
        assertEquals("VolumeCopy \"db\" -> \"db-copy\" already exists: Completed, priority Medium\n", r.out());
        assertEquals("warning: no new copy was started: \"db-copy\" keeps the copy of \"db\" this pair made or is"
                + " making; recopy it for the source's image as of now ('csctl volumecopy recopy db-copy')\n", r.err());
    }

    @Test
    void aTargetInAnotherPairIsRefusedByTheAgentWithItsHint() {
        agent.put("web", GIB);
        copies.put("web", "db-copy", CopyState.COPY_STOPPED, 10);
        FakeAgent.Result r = agent.run("volumecopy", "create", "--source", "db", "--target", "db-copy");
        assertEquals(1, r.exit());
        assertEquals("", r.out());
        assertEquals("error: \"db-copy\" is already the target of a VolumeCopy of \"web\"\nhint: remove that pair first"
                + " ('csctl volumecopy remove db-copy')\n", r.err());
        assertEquals("web", copies.pairs.get("db-copy").getSource());
    }

    @Test
    void anUnknownSourceIsTheAgentsErrorWithItsHint() {
        FakeAgent.Result r = agent.run("volumecopy", "create", "--source", "nope", "--target", "db-copy", "--yes");
        assertEquals(1, r.exit());
        assertEquals("error: volume \"nope\" does not exist\nhint: list the volumes with 'csctl volume list'\n",
                r.err());
        assertTrue(copies.pairs.isEmpty());
    }

    @Test
    void anAgentWithoutVolumeCopyIsReportedAsNotOfferingTheCommand() {
        agent.failure = Status.UNIMPLEMENTED.withDescription("Method not found").asRuntimeException();
        FakeAgent.Result r = agent.run("volumecopy", "list");
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("error: UNIMPLEMENTED: Method not found\nhint: the agent at "), r.err());
        assertTrue(r.err().endsWith(" does not offer this command; use a csctl that matches the agent's version\n"),
                r.err());
    }

    // ---- list

    @Test
    void listPrintsATableSortedByTargetWithProgressOnlyWhileCopying() {
        copies.put("web", "web-copy", CopyState.COPY_COMPLETED, 100);
        copies.put("db", "db-copy", CopyState.COPY_IN_PROGRESS, 45.2);
        copies.pairs.put("logs-copy", copies.put("logs", "logs-copy", CopyState.COPY_PENDING, 0).toBuilder()
                .setPriority(CopyPriority.COPY_PRIORITY_LOWEST).build());
        copies.pairs.put("old-copy", copies.put("old", "old-copy", CopyState.COPY_STOPPED, 30).toBuilder()
                .setTargetReadOnly(false).build());
        copies.put("bad", "bad-copy", CopyState.COPY_FAILED, 12);
        FakeAgent.Result r = agent.run("volumecopy", "list");
        assertEquals(0, r.exit(), r.err());
        assertEquals("""
                TARGET     SOURCE  STATE       PRIORITY  PROGRESS  READ-ONLY  COMPLETED
                bad-copy   bad     Failed      Medium    -         yes        -
                db-copy    db      InProgress  Medium    45.2%     yes        -
                logs-copy  logs    Pending     Lowest    -         yes        -
                old-copy   old     Stopped     Medium    -         no         -
                web-copy   web     Completed   Medium    -         yes        2023-11-14T23:13:20Z
                """, r.out());
        assertEquals(ListCopiesRequest.getDefaultInstance(), agent.last(ListCopiesRequest.class));
    }

    @Test
    void listSendsTheVolumeFilter() {
        copies.put("db", "db-copy", CopyState.COPY_IN_PROGRESS, 1);
        assertEquals(0, agent.run("volumecopy", "list", "--volume", "db").exit());
        assertEquals(ListCopiesRequest.newBuilder().setVolume("db").build(), agent.last(ListCopiesRequest.class));
    }

    @Test
    void noPairsIsANoteOnStderrThatNamesTheFilter() {
        FakeAgent.Result all = agent.run("volumecopy", "list");
        assertEquals(0, all.exit());
        assertEquals("", all.out());
        assertEquals("no VolumeCopy pairs\n", all.err());
        assertEquals("no VolumeCopy pairs of volume \"my db\"\n",
                agent.run("volumecopy", "list", "--volume", "my db").err());
    }

    @Test
    void listWithJsonIsAnObjectWithACopiesArray() throws Exception {
        assertEquals("{\n  \"copies\": []\n}\n", agent.run("-o", "json", "volumecopy", "list").out());
        copies.put("db", "db-copy", CopyState.COPY_COMPLETED, 100);
        String json = agent.run("volumecopy", "list", "-o", "json").out();
        assertEquals(copies.pairs.get("db-copy"), parse(json, ListCopiesResponse.newBuilder()).getCopies(0));
        assertTrue(json.contains("\"priority\": \"COPY_PRIORITY_MEDIUM\""), json);
    }

    // ---- show

    @Test
    void showOfACopyInProgressGivesIdsProgressAndTheEstimate() {
        copies.pairs.put("db-copy", copies.put("db", "db-copy", CopyState.COPY_IN_PROGRESS, 45.2).toBuilder()
                .setPriority(CopyPriority.COPY_PRIORITY_HIGH)
                .setEstimatedTimeLeft(Duration.newBuilder().setSeconds(330)).build());
        FakeAgent.Result r = agent.run("volumecopy", "show", "db-copy");
        assertEquals(0, r.exit(), r.err());
        assertEquals(CopyRef.newBuilder().setTarget("db-copy").build(), agent.last(CopyRef.class));
        assertEquals("""
                Source:            db (id-db)
                Target:            db-copy (id-db-copy)
                ID:                vc-db-copy
                State:             InProgress
                Progress:          462.85 MiB of 1 GiB (45.2%)
                Time left:         about 5 minutes 30 seconds
                Priority:          High
                Target read-only:  yes
                Created:           2023-11-14T22:13:20Z
                Started:           2023-11-14T22:14:20Z
                Completed:         -
                """, r.out());
    }

    @Test
    void showOnATerminalDrawsAProgressBar() {
        agent.terminal = true;
        copies.put("db", "db-copy", CopyState.COPY_IN_PROGRESS, 45.2);
        String out = agent.run("volumecopy", "show", "db-copy").out();
        assertTrue(out.contains("\nProgress:          [#########...........]  45.2%  462.85 MiB of 1 GiB\n"), out);
        assertTrue(out.contains("\nTime left:         not known yet\n"), out);
    }

    @Test
    void showOnATerminalWithJsonDrawsNothing() throws Exception {
        agent.terminal = true;
        copies.put("db", "db-copy", CopyState.COPY_IN_PROGRESS, 45.2);
        String out = agent.run("-o", "json", "volumecopy", "show", "db-copy").out();
        assertFalse(out.contains("#"), out);
        assertEquals(copies.pairs.get("db-copy"), parse(out, VolumeCopy.newBuilder()).build());
    }

    @Test
    void showOfAPendingPairGivesItsPlaceInTheQueueAndNoProgress() {
        copies.put("web", "web-copy", CopyState.COPY_PENDING, 0);
        copies.put("db", "db-copy", CopyState.COPY_PENDING, 0);
        agent.terminal = true;
        String out = agent.run("volumecopy", "show", "db-copy").out();
        assertTrue(out.contains("State:             Pending\nQueue position:    2\nPriority:"), out);
        assertFalse(out.contains("Progress") || out.contains("Time left") || out.contains("["), out);
        assertTrue(out.contains("Started:           -\n"), out);
    }

    @Test
    void showOfAFailedPairGivesTheFailureAndNoProgress() {
        copies.put("db", "db-copy", CopyState.COPY_FAILED, 12);
        String out = agent.run("volumecopy", "show", "db-copy").out();
        assertTrue(out.contains("State:             Failed\nFailure:           read of \"db\" failed at byte 128849018:"
                + " EIO\nPriority:"), out);
        assertFalse(out.contains("Progress") || out.contains("Queue position"), out);
    }

    @Test
    void showOfACompletedPairGivesWhenItCompleted() {
        copies.pairs.put("db-copy", copies.put("db", "db-copy", CopyState.COPY_COMPLETED, 100).toBuilder()
                .setTargetReadOnly(false).build());
        String out = agent.run("volumecopy", "show", "db-copy").out();
        assertTrue(out.contains("State:             Completed\nPriority:          Medium\nTarget read-only:  no\n"),
                out);
        assertTrue(out.endsWith("Completed:         2023-11-14T23:13:20Z\n"), out);
        assertFalse(out.contains("Failure") || out.contains("Progress"), out);
    }

    @Test
    void showOfAnUnknownTargetIsTheAgentsErrorWithItsHint() {
        FakeAgent.Result r = agent.run("volumecopy", "show", "db");
        assertEquals(1, r.exit());
        assertEquals("", r.out());
        assertEquals("error: \"db\" is not the target of a VolumeCopy pair\nhint: list the pairs with 'csctl volumecopy"
                + " list'\n", r.err());
    }

    // ---- stop and recopy with --yes (the questions are in VolumeCopyConfirmationTest)

    @Test
    void stopWithYesSendsOnlyTheStopConfirmsAndWarnsAboutAPartialCopy() {
        copies.put("db", "db-copy", CopyState.COPY_IN_PROGRESS, 45.2);
        FakeAgent.Result r = agent.run("volumecopy", "stop", "db-copy", "--yes");
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of(CopyRef.newBuilder().setTarget("db-copy").build()), agent.requests);
        assertEquals("VolumeCopy \"db\" -> \"db-copy\" stopped: Stopped, \"db\" takes writes again\n", r.out());
        assertEquals("warning: \"db-copy\" may hold a partial copy of \"db\"; recopy for a complete one ('csctl"
                + " volumecopy recopy db-copy')\n", r.err());
        assertEquals(CopyState.COPY_STOPPED, copies.pairs.get("db-copy").getState());
    }

    @Test
    void stopWithJsonPrintsThePair() throws Exception {
        copies.put("db", "db-copy", CopyState.COPY_PENDING, 0);
        FakeAgent.Result r = agent.run("-o", "json", "volumecopy", "stop", "db-copy", "-y");
        assertEquals(0, r.exit(), r.err());
        assertEquals(CopyState.COPY_STOPPED, parse(r.out(), VolumeCopy.newBuilder()).getState());
        assertTrue(r.err().startsWith("warning: \"db-copy\" may hold a partial copy"), r.err());
    }

    @Test
    void stopOfACompletedPairIsTheAgentsRefusalWithItsHint() {
        copies.put("db", "db-copy", CopyState.COPY_COMPLETED, 100);
        FakeAgent.Result r = agent.run("volumecopy", "stop", "db-copy", "--yes");
        assertEquals(1, r.exit());
        assertEquals("", r.out());
        assertEquals("error: the VolumeCopy onto \"db-copy\" is Completed: only a Pending, InProgress or Failed copy"
                + " can be stopped\nhint: nothing to stop; remove the pair with 'csctl volumecopy remove db-copy'\n",
                r.err());
    }

    @Test
    void recopyWithYesSendsThePriorityAndPrintsTheAgentsWarnings() {
        copies.put("db", "db-copy", CopyState.COPY_STOPPED, 30);
        copies.warnings.add(NOT_A_FLASHCOPY);
        FakeAgent.Result r = agent.run("volumecopy", "recopy", "db-copy", "--priority", "low", "--yes");
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of(RecopyRequest.newBuilder().setTarget("db-copy")
                .setPriority(CopyPriority.COPY_PRIORITY_LOW).build()), agent.requests);
        assertEquals("VolumeCopy \"db\" -> \"db-copy\" recopying: InProgress, 0% copied, priority Low\n", r.out());
        assertEquals("warning: " + NOT_A_FLASHCOPY + "\n", r.err());
    }

    @Test
    void recopyWithoutPriorityLeavesItToThePair() {
        copies.put("db", "db-copy", CopyState.COPY_COMPLETED, 100);
        FakeAgent.Result r = agent.run("volumecopy", "recopy", "db-copy", "-y");
        assertEquals(0, r.exit(), r.err());
        assertEquals(CopyPriority.COPY_PRIORITY_UNSPECIFIED, agent.last(RecopyRequest.class).getPriority());
        assertTrue(r.out().endsWith(", priority Medium\n"), r.out());
    }

    @Test
    void recopyOfARunningCopyIsTheAgentsRefusalWithItsHint() {
        copies.put("db", "db-copy", CopyState.COPY_IN_PROGRESS, 50);
        FakeAgent.Result r = agent.run("volumecopy", "recopy", "db-copy", "--yes");
        assertEquals(1, r.exit());
        assertEquals("error: the VolumeCopy onto \"db-copy\" is InProgress: only a Completed, Stopped or Failed copy"
                + " can be copied again\nhint: stop it first ('csctl volumecopy stop db-copy')\n", r.err());
    }

    // ---- remove

    @Test
    void removeSendsEveryTargetAndSaysTheDataStaysOnBothVolumes() {
        copies.put("db", "db-copy", CopyState.COPY_COMPLETED, 100);
        copies.put("web", "web copy", CopyState.COPY_STOPPED, 20);
        FakeAgent.Result r = agent.run("volumecopy", "remove", "db-copy", "web copy");
        assertEquals(0, r.exit(), r.err());
        assertEquals(RemoveCopiesRequest.newBuilder().addTargets("db-copy").addTargets("web copy").build(),
                agent.last(RemoveCopiesRequest.class));
        assertEquals("""
                VolumeCopy "db" -> "db-copy" removed: the data stays on "db" and "db-copy"
                VolumeCopy "web" -> "web copy" removed: the data stays on "web" and "web copy"
                """, r.out());
        assertEquals("", r.err());
        assertTrue(copies.pairs.isEmpty());
    }

    @Test
    void removeWithJsonPrintsTheRemovedPairs() throws Exception {
        VolumeCopy pair = copies.put("db", "db-copy", CopyState.COPY_FAILED, 5);
        FakeAgent.Result r = agent.run("-o", "json", "volumecopy", "remove", "db-copy");
        assertEquals(0, r.exit(), r.err());
        assertEquals(RemoveCopiesResponse.newBuilder().addRemoved(pair).build(),
                parse(r.out(), RemoveCopiesResponse.newBuilder()).build());
    }

    @Test
    void removeOfARunningCopyIsRefusedByTheAgentAndRemovesNothing() {
        copies.put("db", "db-copy", CopyState.COPY_COMPLETED, 100);
        copies.put("web", "web-copy", CopyState.COPY_IN_PROGRESS, 20);
        FakeAgent.Result r = agent.run("volumecopy", "remove", "db-copy", "web-copy");
        assertEquals(1, r.exit());
        assertEquals("", r.out());
        assertEquals("error: the VolumeCopy onto \"web-copy\" is InProgress: a copy that waits or runs cannot be"
                + " removed\nhint: stop it first ('csctl volumecopy stop web-copy')\n", r.err());
        assertEquals(2, copies.pairs.size());
    }

    // ---- set

    @Test
    void setSendsThePriorityAloneToEveryTarget() {
        copies.put("db", "db-copy", CopyState.COPY_IN_PROGRESS, 20);
        copies.put("web", "web-copy", CopyState.COPY_PENDING, 0);
        FakeAgent.Result r = agent.run("volumecopy", "set", "db-copy", "web-copy", "--priority", "lowest");
        assertEquals(0, r.exit(), r.err());
        UpdateCopiesRequest sent = agent.last(UpdateCopiesRequest.class);
        assertEquals(UpdateCopiesRequest.newBuilder().addTargets("db-copy").addTargets("web-copy")
                .setPriority(CopyPriority.COPY_PRIORITY_LOWEST).build(), sent);
        assertFalse(sent.hasTargetReadOnly(), "unset leaves the read-only setting as it is");
        assertEquals("""
                VolumeCopy "db" -> "db-copy" updated: priority Lowest, target read-only: yes
                VolumeCopy "web" -> "web-copy" updated: priority Lowest, target read-only: yes
                """, r.out());
    }

    @Test
    void setSendsTargetReadOnlyFalseAsASetFieldWithoutAPriority() {
        copies.put("db", "db-copy", CopyState.COPY_COMPLETED, 100);
        FakeAgent.Result r = agent.run("volumecopy", "set", "db-copy", "--target-read-only", "FALSE");
        assertEquals(0, r.exit(), r.err());
        UpdateCopiesRequest sent = agent.last(UpdateCopiesRequest.class);
        assertTrue(sent.hasTargetReadOnly());
        assertFalse(sent.getTargetReadOnly());
        assertEquals(CopyPriority.COPY_PRIORITY_UNSPECIFIED, sent.getPriority());
        assertEquals("VolumeCopy \"db\" -> \"db-copy\" updated: priority Medium, target read-only: no\n", r.out());
    }

    @Test
    void setSendsBothOptionsTogether() {
        copies.put("db", "db-copy", CopyState.COPY_STOPPED, 10);
        assertEquals(0, agent.run("volumecopy", "set", "db-copy", "--target-read-only", "true", "--priority",
                "Medium").exit());
        assertEquals(UpdateCopiesRequest.newBuilder().addTargets("db-copy")
                .setPriority(CopyPriority.COPY_PRIORITY_MEDIUM).setTargetReadOnly(true).build(),
                agent.last(UpdateCopiesRequest.class));
    }

    @Test
    void setWithJsonPrintsTheUpdatedPairs() throws Exception {
        copies.put("db", "db-copy", CopyState.COPY_COMPLETED, 100);
        FakeAgent.Result r = agent.run("-o", "json", "volumecopy", "set", "db-copy", "--priority", "high");
        assertEquals(0, r.exit(), r.err());
        UpdateCopiesResponse printed = parse(r.out(), UpdateCopiesResponse.newBuilder()).build();
        assertEquals(List.of(copies.pairs.get("db-copy")), printed.getCopiesList());
        assertEquals(CopyPriority.COPY_PRIORITY_HIGH, printed.getCopies(0).getPriority());
    }

    @Test
    void setOfTheReadOnlySettingWhileCopyingIsRefusedByTheAgentForAllPairs() {
        copies.put("db", "db-copy", CopyState.COPY_COMPLETED, 100);
        copies.put("web", "web-copy", CopyState.COPY_IN_PROGRESS, 20);
        FakeAgent.Result r = agent.run("volumecopy", "set", "db-copy", "web-copy", "--target-read-only", "false");
        assertEquals(1, r.exit());
        assertEquals("error: the VolumeCopy onto \"web-copy\" is InProgress: the target's read-only setting changes"
                + " only once the copy is Completed or Stopped\nhint: wait for the copy to complete, or stop it\n",
                r.err());
        assertTrue(copies.pairs.get("db-copy").getTargetReadOnly(), "all or none");
    }
}
