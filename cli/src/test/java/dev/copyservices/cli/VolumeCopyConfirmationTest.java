package dev.copyservices.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.api.agent.v1.CopyRef;
import dev.copyservices.api.agent.v1.CopyState;
import dev.copyservices.api.agent.v1.CreateCopyRequest;
import dev.copyservices.api.agent.v1.ListCopiesRequest;
import dev.copyservices.api.agent.v1.RecopyRequest;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code volumecopy create} and {@code recopy} overwrite the target, {@code stop} may leave it holding a
 * partial copy: each asks first, as {@code flashcopy reverse} does. Only y or yes go ahead; anything else,
 * a closed stdin (a pipe, a script) included, sends no change and exits 2. {@code --yes} does not ask.
 */
class VolumeCopyConfirmationTest {

    private static final long GIB = 1L << 30;
    private static final String CREATE_QUESTION = "Copy \"db\" onto \"db-copy\": the content of \"db-copy\" is"
            + " overwritten. Until the copy completes, \"db\" is read-only and \"db-copy\" takes no I/O. Continue?"
            + " [y/N] ";
    private static final String CREATE_REFUSAL = "error: copy of \"db\" onto \"db-copy\" not confirmed: nothing was"
            + " changed; give --yes to create without being asked\nhint: see 'csctl volumecopy create --help'\n";
    private static final String STOP_QUESTION = "Stop \"db\" -> \"db-copy\" (InProgress, 45.2% copied): \"db-copy\" may"
            + " be left holding a partial copy of \"db\", which is no usable image of it. Continue? [y/N] ";
    private static final String STOP_REFUSAL = "error: stop of \"db-copy\" not confirmed: nothing was changed; give"
            + " --yes to stop without being asked\nhint: see 'csctl volumecopy stop --help'\n";
    private static final String RECOPY_QUESTION = "Recopy \"db\" -> \"db-copy\": the content of \"db-copy\" is"
            + " overwritten with the image of \"db\" as of now. Continue? [y/N] ";
    private static final String RECOPY_REFUSAL = "error: recopy of \"db-copy\" not confirmed: nothing was changed; give"
            + " --yes to recopy without being asked\nhint: see 'csctl volumecopy recopy --help'\n";
    private static final CopyRef REF = CopyRef.newBuilder().setTarget("db-copy").build();

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

    private FakeAgent.Result create() {
        return agent.run("volumecopy", "create", "--source", "db", "--target", "db-copy");
    }

    // ---- create

    @Test
    void createAnsweredYesNamesTheOverwrittenTargetThenCreates() {
        agent.input = "y\n";
        FakeAgent.Result r = create();
        assertEquals(0, r.exit(), r.err());
        assertEquals(CREATE_QUESTION, r.err());
        assertEquals("VolumeCopy \"db\" -> \"db-copy\" created: InProgress, 0% copied, priority Medium\n", r.out());
        assertTrue(copies.pairs.containsKey("db-copy"));
    }

    @Test
    void createAnsweredAnythingElseIsRefusedAndSendsNoCreate() {
        for (String answer : new String[] {"n\n", "\n", "yep\n", "no\n"}) {
            agent.input = answer;
            FakeAgent.Result r = create();
            assertEquals(2, r.exit(), answer);
            assertEquals("", r.out());
            assertEquals(CREATE_QUESTION + CREATE_REFUSAL, r.err());
        }
        assertTrue(agent.requests.stream().allMatch(q -> q instanceof ListCopiesRequest), agent.requests.toString());
        assertTrue(copies.pairs.isEmpty());
    }

    @Test
    void createWithoutYesOnAPipeIsRefusedAndSendsNothing() {
        agent.input = "";
        FakeAgent.Result r = create();
        assertEquals(2, r.exit());
        assertEquals("", r.out());
        assertEquals(CREATE_QUESTION + "\n" + CREATE_REFUSAL, r.err());
        assertEquals(List.of(ListCopiesRequest.newBuilder().setVolume("db-copy").build()), agent.requests,
                "only the look for an existing pair, never a CreateCopy");
    }

    @Test
    void createWithYesDoesNotAsk() {
        agent.input = "n\n";
        FakeAgent.Result r = agent.run("volumecopy", "create", "--source", "db", "--target", "db-copy", "--yes");
        assertEquals(0, r.exit(), r.err());
        assertEquals("", r.err());
        assertEquals("db-copy", agent.last(CreateCopyRequest.class).getTarget());
    }

    // ---- stop

    @Test
    void stopAnsweredYesNamesTheSourceAndProgressThenStops() {
        copies.put("db", "db-copy", CopyState.COPY_IN_PROGRESS, 45.2);
        agent.input = "YES\n";
        FakeAgent.Result r = agent.run("volumecopy", "stop", "db-copy");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().startsWith(STOP_QUESTION + "warning: \"db-copy\" may hold a partial copy"), r.err());
        assertEquals(List.of(REF, REF), agent.requests, "a GetCopy for the question, then the StopCopy");
        assertEquals(CopyState.COPY_STOPPED, copies.pairs.get("db-copy").getState());
    }

    @Test
    void stopWithoutYesOnAPipeIsRefusedAndSendsNothing() {
        copies.put("db", "db-copy", CopyState.COPY_IN_PROGRESS, 45.2);
        agent.input = "";
        FakeAgent.Result r = agent.run("volumecopy", "stop", "db-copy");
        assertEquals(2, r.exit());
        assertEquals("", r.out());
        assertEquals(STOP_QUESTION + "\n" + STOP_REFUSAL, r.err());
        assertEquals(List.of(REF), agent.requests, "the read for the question alone");
        assertEquals(CopyState.COPY_IN_PROGRESS, copies.pairs.get("db-copy").getState());
    }

    @Test
    void stopAnsweredNoChangesNothing() {
        copies.put("db", "db-copy", CopyState.COPY_IN_PROGRESS, 45.2);
        agent.input = "n\n";
        FakeAgent.Result r = agent.run("volumecopy", "stop", "db-copy");
        assertEquals(2, r.exit());
        assertEquals(STOP_QUESTION + STOP_REFUSAL, r.err());
        assertEquals(CopyState.COPY_IN_PROGRESS, copies.pairs.get("db-copy").getState());
    }

    @Test
    void stopOfAPendingPairNamesItsPlaceInTheQueue() {
        copies.put("db", "db-copy", CopyState.COPY_PENDING, 0);
        agent.input = "";
        FakeAgent.Result r = agent.run("volumecopy", "stop", "db-copy");
        assertTrue(r.err().startsWith("Stop \"db\" -> \"db-copy\" (Pending, number 1 in the queue): "), r.err());
    }

    @Test
    void stopOfAnUnknownPairIsReportedBeforeAnyQuestion() {
        agent.input = "y\n";
        FakeAgent.Result r = agent.run("volumecopy", "stop", "nope");
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("error: \"nope\" is not the target of a VolumeCopy pair\n"), r.err());
    }

    // ---- recopy

    @Test
    void recopyAnsweredYesNamesTheSourceThenRecopies() {
        copies.put("db", "db-copy", CopyState.COPY_COMPLETED, 100);
        agent.input = " y \n";
        FakeAgent.Result r = agent.run("volumecopy", "recopy", "db-copy");
        assertEquals(0, r.exit(), r.err());
        assertEquals(RECOPY_QUESTION, r.err());
        assertEquals("VolumeCopy \"db\" -> \"db-copy\" recopying: InProgress, 0% copied, priority Medium\n", r.out());
        assertEquals(REF, agent.requests.get(0));
        assertEquals(RecopyRequest.newBuilder().setTarget("db-copy").build(), agent.requests.get(1));
    }

    @Test
    void recopyWithoutYesOnAPipeIsRefusedAndSendsNothing() {
        copies.put("db", "db-copy", CopyState.COPY_COMPLETED, 100);
        agent.input = "";
        FakeAgent.Result r = agent.run("volumecopy", "recopy", "db-copy", "--priority", "high");
        assertEquals(2, r.exit());
        assertEquals("", r.out());
        assertEquals(RECOPY_QUESTION + "\n" + RECOPY_REFUSAL, r.err());
        assertEquals(List.of(REF), agent.requests, "the read for the question alone, never a Recopy");
        assertEquals(CopyState.COPY_COMPLETED, copies.pairs.get("db-copy").getState());
    }

    @Test
    void recopyAnsweredNoChangesNothing() {
        copies.put("db", "db-copy", CopyState.COPY_STOPPED, 30);
        agent.input = "nope\n";
        FakeAgent.Result r = agent.run("volumecopy", "recopy", "db-copy");
        assertEquals(2, r.exit());
        assertEquals(RECOPY_QUESTION + RECOPY_REFUSAL, r.err());
        assertEquals(CopyState.COPY_STOPPED, copies.pairs.get("db-copy").getState());
    }

    @Test
    void recopyWithYesDoesNotAskOrReadFirst() {
        copies.put("db", "db-copy", CopyState.COPY_FAILED, 3);
        FakeAgent.Result r = agent.run("volumecopy", "recopy", "db-copy", "-y");
        assertEquals(0, r.exit(), r.err());
        assertEquals("", r.err());
        assertEquals(List.of(RecopyRequest.newBuilder().setTarget("db-copy").build()), agent.requests);
    }
}
