package dev.copyservices.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.agent.it.WriteOrderChecker.Verdict;
import dev.copyservices.agent.it.WriteOrderChecker.Write;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Hand-made histories and states: prefixes pass, anything else fails naming what is wrong. */
class WriteOrderCheckerTest {
    private static final long RUN = 42;

    private WriteOrderChecker checker;
    private final List<Write> history = new ArrayList<>();
    /** [volume][slot], null for zeroes. */
    private byte[][][] state;

    /** #1 v0s0, #2 v1s0, #3 v0s1, #4 v0s0, #5 v1s2, #6 v1s0: two volumes of three slots. */
    @BeforeEach
    void history() {
        checker = new WriteOrderChecker(RUN, 2, 3);
        int[][] places = {{0, 0}, {1, 0}, {0, 1}, {0, 0}, {1, 2}, {1, 0}};
        for (int[] p : places) {
            Write w = checker.next(p[0], p[1]);
            checker.acknowledged(w);
            history.add(w);
        }
        state = new byte[2][3][];
    }

    /** Puts in each slot its last write of the first {@code n}. */
    private void prefix(int n) {
        state = new byte[2][3][];
        for (Write w : history.subList(0, n)) {
            put(w);
        }
    }

    private void put(Write w) {
        state[w.volume()][w.slot()] = checker.record(w);
    }

    private Verdict check() throws Exception {
        return checker.check((v, s) -> state[v][s] == null ? new byte[WriteOrderChecker.RECORD_BYTES]
                : state[v][s].clone());
    }

    @Test
    void everyPrefixPasses() throws Exception {
        for (int n = 0; n <= history.size(); n++) {
            prefix(n);
            Verdict verdict = check();
            assertTrue(verdict.consistent(), "prefix " + n + ": " + verdict);
            assertTrue(verdict.lowest() <= n && n <= verdict.highest(), "prefix " + n + ": " + verdict);
            assertEquals(6 - verdict.highest(), verdict.acknowledgedLost());
        }
        prefix(3); // #3 then #4 overwrites slot v0s0: after #3 the state also fits nothing else
        assertEquals(3, check().lowest());
        assertEquals(3, check().highest());
        prefix(4); // #5 goes to an empty slot, so holding #4 alone fits N = 4 only
        assertEquals(4, check().highest());
    }

    @Test
    void aLaterWriteWithoutAnEarlierOneFailsNamingBoth() throws Exception {
        prefix(3);
        state[1][0] = null; // #2 lost while #3 arrived
        Verdict verdict = check();
        assertFalse(verdict.consistent());
        assertEquals("not a prefix of the write order: write #3 (volume 0, slot 1) is present but the earlier"
                + " write #2 (volume 1, slot 0) is missing (that slot holds zeroes)", verdict.failure());
        AssertionError e = assertThrows(AssertionError.class, () -> verdict.assertConsistent("round 1"));
        assertTrue(e.getMessage().startsWith("round 1: not a prefix"), e.getMessage());
    }

    @Test
    void anOldValueUnderANewerWriteElsewhereFails() throws Exception {
        prefix(5);
        put(history.get(0)); // v0s0 holds #1 again, though #4 overwrote it before #5
        assertEquals("not a prefix of the write order: write #5 (volume 1, slot 2) is present but the earlier"
                + " write #4 (volume 0, slot 0) is missing (that slot holds write #1)", check().failure());
    }

    @Test
    void theNewestWriteToASlotWithoutItsPredecessorsElsewhereFails() throws Exception {
        prefix(1);
        put(history.get(5)); // #6 arrived with only #1 before it
        assertTrue(check().failure().contains("write #6 (volume 1, slot 0) is present but the earlier write #3"),
                check().failure());
    }

    @Test
    void tornGarbageMisplacedForeignAndUnissuedRecordsFail() throws Exception {
        prefix(6);
        byte[] torn = checker.record(history.get(5));
        System.arraycopy(new byte[512], 0, torn, 2048, 512); // half old, half new
        state[1][0] = torn;
        assertTrue(check().failure().startsWith("volume 1 slot 0 holds neither zeroes nor a whole record"),
                check().failure());

        prefix(6);
        byte[] garbage = new byte[WriteOrderChecker.RECORD_BYTES];
        new Random(1).nextBytes(garbage);
        state[0][2] = garbage;
        assertTrue(check().failure().startsWith("volume 0 slot 2 holds neither zeroes"), check().failure());

        prefix(6);
        state[0][2] = checker.record(history.get(2)); // #3 belongs to v0s1
        assertEquals("volume 0 slot 2 holds write #3 (volume 0, slot 1), which was written elsewhere",
                check().failure());

        prefix(6);
        state[0][1] = WriteOrderChecker.encode(RUN + 1, history.get(2));
        assertTrue(check().failure().startsWith("volume 0 slot 1 holds a record of another run"), check().failure());

        prefix(6);
        state[0][1] = checker.record(new Write(7, 0, 1));
        assertEquals("volume 0 slot 1 holds write #7 (volume 0, slot 1), which was never issued", check().failure());
    }

    @Test
    void theWriteInFlightMayOrMayNotBeThere() throws Exception {
        Write inFlight = checker.next(0, 2); // #7, never acknowledged
        prefix(6);
        Verdict without = check();
        assertTrue(without.consistent() && without.highest() == 6, without.toString());
        put(inFlight);
        Verdict with = check();
        assertTrue(with.consistent() && with.lowest() == 7, with.toString());
        assertEquals(0, with.acknowledgedLost());
    }

    @Test
    void writesGoOneAtATime() {
        Write w = checker.next(0, 0);
        assertThrows(IllegalStateException.class, () -> checker.next(0, 1));
        assertThrows(IllegalStateException.class, () -> checker.acknowledged(history.get(0)));
        checker.acknowledged(w);
        assertThrows(IllegalArgumentException.class, () -> checker.next(2, 0));
        assertThrows(IllegalArgumentException.class, () -> checker.next(0, 3));
    }

    @Test
    void recordsRoundTrip() {
        Write w = new Write(123_456_789_012L, 3, 77);
        WriteOrderChecker.Found found = WriteOrderChecker.decode(WriteOrderChecker.encode(RUN, w));
        assertEquals(w, found.record());
        assertEquals(RUN, found.run());
        assertTrue(WriteOrderChecker.decode(new byte[WriteOrderChecker.RECORD_BYTES]).zeroes());
    }
}
