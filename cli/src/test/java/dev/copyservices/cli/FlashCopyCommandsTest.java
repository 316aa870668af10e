package dev.copyservices.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import dev.copyservices.api.agent.v1.CreateFlashCopyRequest;
import dev.copyservices.api.agent.v1.DeleteFlashCopyRequest;
import dev.copyservices.api.agent.v1.FlashCopy;
import dev.copyservices.api.agent.v1.FlashCopyRef;
import dev.copyservices.api.agent.v1.FlashCopyState;
import dev.copyservices.api.agent.v1.FullPolicy;
import dev.copyservices.api.agent.v1.GrowRepositoryRequest;
import dev.copyservices.api.agent.v1.ListFlashCopiesRequest;
import dev.copyservices.api.agent.v1.ListFlashCopiesResponse;
import dev.copyservices.api.agent.v1.UpdateFlashCopyRequest;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code csctl flashcopy ...}: what each command sends and what it prints, as a table and as JSON. */
class FlashCopyCommandsTest {

    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;

    private final FakeAgent agent = new FakeAgent();

    @AfterEach
    void stop() {
        agent.close();
    }

    private static FlashCopy parse(String json) throws Exception {
        FlashCopy.Builder printed = FlashCopy.newBuilder();
        JsonFormat.parser().merge(json, printed);
        return printed.build();
    }

    @Test
    void createWithOnlyABaseLeavesEveryDefaultToTheAgent() {
        agent.put("db", GIB);
        FakeAgent.Result r = agent.run("flashcopy", "create", "db");
        assertEquals(0, r.exit(), r.err());
        CreateFlashCopyRequest sent = agent.last(CreateFlashCopyRequest.class);
        assertEquals(CreateFlashCopyRequest.newBuilder().setBase("db").build(), sent);
        assertFalse(sent.hasRepositoryPercent() || sent.hasRepositoryCapacityBytes() || sent.hasWarningThresholdPercent(),
                "defaults are asked for by leaving the optional fields unset");
        assertEquals("FlashCopy \"db-1\" of \"db\" created: repository \"db-R1\", 200 MiB\n", r.out());
        assertEquals("", r.err());
    }

    @Test
    void createSendsEveryGivenOption() {
        agent.put("db", GIB);
        FakeAgent.Result r = agent.run("flashcopy", "create", "db", "--name", "nightly", "--repository-name",
                "nightly repo", "--repository-percent", "30", "--warning-threshold", "80%", "--full-policy",
                "failbasewrites", "--attribute", "app=db");
        assertEquals(0, r.exit(), r.err());
        assertEquals(CreateFlashCopyRequest.newBuilder().setBase("db").setName("nightly").setRepositoryName("nightly repo")
                .setRepositoryPercent(30).setWarningThresholdPercent(80).setFullPolicy(FullPolicy.FAIL_BASE_WRITES)
                .putAttributes("app", "db").build(), agent.last(CreateFlashCopyRequest.class));
    }

    @Test
    void createWithARepositorySizeSendsBytes() {
        agent.put("db", GIB);
        FakeAgent.Result r = agent.run("flashcopy", "create", "db", "--repository-size", "1.5GiB");
        assertEquals(0, r.exit(), r.err());
        CreateFlashCopyRequest sent = agent.last(CreateFlashCopyRequest.class);
        assertEquals(3 * GIB / 2, sent.getRepositoryCapacityBytes());
        assertFalse(sent.hasRepositoryPercent());
        assertEquals("FlashCopy \"db-1\" of \"db\" created: repository \"db-R1\", 1.5 GiB\n", r.out());
    }

    @Test
    void createWithJsonPrintsTheFlashCopy() throws Exception {
        agent.put("db", GIB);
        FakeAgent.Result r = agent.run("-o", "json", "flashcopy", "create", "db");
        assertEquals(0, r.exit(), r.err());
        assertEquals(agent.flashCopies.get("db-1"), parse(r.out()));
        assertTrue(r.out().contains("\"fullPolicy\": \"FAIL_FLASH_COPY\""), r.out());
        assertTrue(r.out().contains("\"lifeEstimate\": \"108000s\""), r.out());
    }

    @Test
    void createOfAMissingBaseShowsTheAgentsError() {
        FakeAgent.Result r = agent.run("flashcopy", "create", "nope");
        assertEquals(1, r.exit());
        assertEquals("", r.out());
        assertEquals("error: volume \"nope\" does not exist\nhint: list the volumes with 'csctl volume list'\n", r.err());
    }

    @Test
    void listPrintsATableSortedByName() {
        agent.putFlashCopy("web-1", "web", "web-R1");
        FlashCopy full = agent.putFlashCopy("db-1", "db", "db-R1");
        agent.flashCopies.put("db-1", full.toBuilder().setState(FlashCopyState.FULL).setRepository(full.getRepository()
                .toBuilder().setUsedPercent(100).setThresholdExceeded(true).setFullPolicy(FullPolicy.FAIL_BASE_WRITES))
                .build());
        FakeAgent.Result r = agent.run("flashcopy", "list");
        assertEquals(0, r.exit(), r.err());
        assertEquals("""
                NAME   BASE  STATE    POINT-IN-TIME         REPOSITORY        USED   THRESHOLD       POLICY
                db-1   db    Full     2023-11-14T22:13:20Z  db-R1 (200 MiB)   100%   50% (exceeded)  FailBaseWrites
                web-1  web   Optimal  2023-11-14T22:13:20Z  web-R1 (200 MiB)  12.5%  50%             FailFlashCopy
                """, r.out());
        assertEquals("", agent.last(ListFlashCopiesRequest.class).getBase());
    }

    @Test
    void listSendsTheBaseFilter() {
        agent.putFlashCopy("db-1", "db", "db-R1");
        agent.putFlashCopy("web-1", "web", "web-R1");
        FakeAgent.Result r = agent.run("flashcopy", "list", "--base", "web");
        assertEquals("web", agent.last(ListFlashCopiesRequest.class).getBase());
        assertEquals(2, r.out().lines().count(), r.out());
        assertTrue(r.out().contains("web-1"), r.out());
    }

    @Test
    void emptyListSaysSoOnStderrOnly() {
        FakeAgent.Result all = agent.run("flashcopy", "list");
        assertEquals(0, all.exit());
        assertEquals("", all.out());
        assertEquals("no FlashCopies\n", all.err());
        assertEquals("no FlashCopies of \"db\"\n", agent.run("flashcopy", "list", "--base", "db").err());
    }

    @Test
    void listWithJsonIsAnObjectWithAFlashCopiesArray() throws Exception {
        assertEquals("{\n  \"flashCopies\": []\n}\n", agent.run("-o", "json", "flashcopy", "list").out());

        agent.putFlashCopy("db-1", "db", "db-R1");
        agent.putFlashCopy("db-2", "db", "db-R2");
        ListFlashCopiesResponse.Builder printed = ListFlashCopiesResponse.newBuilder();
        JsonFormat.parser().merge(agent.run("-o", "json", "flashcopy", "list").out(), printed);
        assertEquals(List.copyOf(agent.flashCopies.values()), printed.getFlashCopiesList());
    }

    @Test
    void showPrintsEveryFieldAndTheRepository() {
        agent.flashCopies.put("db-1", agent.putFlashCopy("db-1", "db", "db-R1").toBuilder().setNbdConnections(1).build());
        FakeAgent.Result r = agent.run("flashcopy", "show", "db-1");
        assertEquals(0, r.exit(), r.err());
        assertEquals("""
                Name:                  db-1
                ID:                    id-db-1
                Base:                  db
                State:                 Optimal
                Point in time:         2023-11-14T22:13:20Z
                Created:               2023-11-03T08:26:40Z
                Size:                  1 GiB (1073741824 bytes)
                Connections:           1
                Repository:
                  Name:                db-R1
                  Capacity:            200 MiB
                  Used:                25 MiB (12.5%)
                  Available:           175 MiB
                  Warning threshold:   50%
                  Threshold exceeded:  no
                  Full policy:         FailFlashCopy
                  Chunk size:          64 KiB
                  Overhead estimate:   716.29 KiB
                  Life estimate:       1 day 6 hours
                """, r.out());
        assertEquals("db-1", agent.last(FlashCopyRef.class).getName());
    }

    @Test
    void showOfAFailedFlashCopyGivesTheReasonAndNoLifeEstimate() {
        FlashCopy f = agent.putFlashCopy("db-1", "db", "db-R1");
        agent.flashCopies.put("db-1", f.toBuilder().setState(FlashCopyState.FAILED)
                .setFailure("the repository filled under FailFlashCopy")
                .setRepository(f.getRepository().toBuilder().clearLifeEstimate().setThresholdExceeded(true)).build());
        String out = agent.run("flashcopy", "show", "db-R1").out();
        assertTrue(out.contains("State:                 Failed\nFailure:               the repository filled under"
                + " FailFlashCopy\n"), out);
        assertTrue(out.contains("  Threshold exceeded:  yes\n"), out);
        assertTrue(out.endsWith("  Life estimate:       -\n"), out);
    }

    @Test
    void showWithJsonPrintsTheFlashCopy() throws Exception {
        agent.putFlashCopy("db-1", "db", "db-R1");
        FakeAgent.Result r = agent.run("flashcopy", "show", "db-1", "-o", "json");
        assertEquals(agent.flashCopies.get("db-1"), parse(r.out()));
        assertTrue(r.out().contains("\"pointInTime\": \"2023-11-14T22:13:20Z\""), r.out());
    }

    @Test
    void showOfAMissingFlashCopyShowsTheAgentsErrorAndHint() {
        FakeAgent.Result r = agent.run("flashcopy", "show", "nope");
        assertEquals(1, r.exit());
        assertEquals("error: FlashCopy \"nope\" does not exist\nhint: list the FlashCopies with 'csctl flashcopy list'\n",
                r.err());
    }

    @Test
    void disableSendsTheNameAndConfirms() throws Exception {
        agent.putFlashCopy("db-1", "db", "db-R1");
        FakeAgent.Result r = agent.run("flashcopy", "disable", "db-1");
        assertEquals(0, r.exit(), r.err());
        assertEquals("FlashCopy \"db-1\" disabled\n", r.out());
        assertEquals(FlashCopyState.DISABLED, parse(agent.run("-o", "json", "flashcopy", "disable", "db-1").out())
                .getState());
    }

    @Test
    void recreateConfirmsWithTheNewPointInTime() throws Exception {
        agent.putFlashCopy("db-1", "db", "db-R1");
        FakeAgent.Result r = agent.run("flashcopy", "recreate", "db-R1");
        assertEquals(0, r.exit(), r.err());
        assertEquals("db-R1", agent.last(FlashCopyRef.class).getName());
        assertEquals("FlashCopy \"db-1\" re-created: point in time 2027-01-15T08:00:00Z\n", r.out());
        FlashCopy json = parse(agent.run("-o", "json", "flashcopy", "recreate", "db-1").out());
        assertEquals(0, json.getRepository().getUsedBytes());
    }

    @Test
    void deleteSendsForceAndConfirms() {
        agent.putFlashCopy("db-1", "db", "db-R1");
        agent.putFlashCopy("db-2", "db", "db-R2");
        FakeAgent.Result r = agent.run("flashcopy", "delete", "db-1");
        assertEquals(0, r.exit(), r.err());
        assertFalse(agent.last(DeleteFlashCopyRequest.class).getForce());
        assertEquals("\"db-1\" deleted: the FlashCopy and its repository\n", r.out());

        FakeAgent.Result byRepository = agent.run("flashcopy", "delete", "db-R2");
        assertEquals("\"db-R2\" deleted: the FlashCopy and its repository\n", byRepository.out());

        agent.putFlashCopy("db-2", "db", "db-R2");
        FakeAgent.Result json = agent.run("-o", "json", "flashcopy", "delete", "db-2", "--force");
        assertTrue(agent.last(DeleteFlashCopyRequest.class).getForce());
        assertEquals("{\n}\n", json.out());
    }

    @Test
    void deleteRefusedByTheAgentShowsItsCorrectionAsHint() {
        agent.flashCopies.put("db-1", agent.putFlashCopy("db-1", "db", "db-R1").toBuilder().setNbdConnections(2).build());
        FakeAgent.Result r = agent.run("flashcopy", "delete", "db-1");
        assertEquals(1, r.exit());
        assertEquals("", r.out());
        assertEquals("error: FlashCopy \"db-1\" has 2 NBD connections\n"
                + "hint: disconnect the clients, or delete with --force to close their connections\n", r.err());
        assertTrue(agent.flashCopies.containsKey("db-1"));
    }

    @Test
    void growSendsBytesAndConfirmsTheNewCapacity() throws Exception {
        agent.putFlashCopy("db-1", "db", "db-R1");
        FakeAgent.Result r = agent.run("flashcopy", "repository", "grow", "db-1", "--by", "56MiB");
        assertEquals(0, r.exit(), r.err());
        assertEquals(GrowRepositoryRequest.newBuilder().setName("db-1").setByBytes(56 * MIB).build(),
                agent.last(GrowRepositoryRequest.class));
        assertEquals("repository \"db-R1\" of FlashCopy \"db-1\" grown to 256 MiB (231 MiB available)\n", r.out());

        FlashCopy json = parse(agent.run("-o", "json", "flashcopy", "repository", "grow", "db-1", "--by", "1024").out());
        assertEquals(256 * MIB + 1024, json.getRepository().getCapacityBytes());
    }

    @Test
    void setSendsOnlyWhatWasGiven() throws Exception {
        agent.putFlashCopy("db-1", "db", "db-R1");
        FakeAgent.Result r = agent.run("flashcopy", "set", "db-1", "--warning-threshold", "70");
        assertEquals(0, r.exit(), r.err());
        UpdateFlashCopyRequest sent = agent.last(UpdateFlashCopyRequest.class);
        assertEquals(UpdateFlashCopyRequest.newBuilder().setName("db-1").setWarningThresholdPercent(70).build(), sent);
        assertEquals(FullPolicy.FULL_POLICY_UNSPECIFIED, sent.getFullPolicy(), "an absent policy stays as it is");
        assertEquals("FlashCopy \"db-1\" updated: warning threshold 70%, full policy FailFlashCopy\n", r.out());

        FakeAgent.Result policy = agent.run("flashcopy", "set", "db-1", "--full-policy", "FAILBASEWRITES");
        assertFalse(agent.last(UpdateFlashCopyRequest.class).hasWarningThresholdPercent());
        assertEquals("FlashCopy \"db-1\" updated: warning threshold 70%, full policy FailBaseWrites\n", policy.out());

        FlashCopy json = parse(agent.run("-o", "json", "flashcopy", "set", "db-1", "--full-policy", "FailFlashCopy",
                "--warning-threshold", "100").out());
        assertEquals(100, json.getRepository().getWarningThresholdPercent());
        assertEquals(FullPolicy.FAIL_FLASH_COPY, json.getRepository().getFullPolicy());
    }
}
