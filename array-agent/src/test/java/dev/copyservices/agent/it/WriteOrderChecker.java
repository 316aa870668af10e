package dev.copyservices.agent.it;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/**
 * Decides whether what a set of volumes holds is a prefix of one global write order, as a consistency
 * group must keep it. A writer issues sequence-numbered records to (volume, slot) places one at a time,
 * each after the previous was acknowledged, and tells this checker about each. Each record is a
 * self-describing 4 KiB block: magic, run, sequence, volume, slot, filler and a CRC, so that a torn,
 * misplaced or foreign block is told from a record. The state read back is a prefix if some N exists
 * such that every slot holds exactly its last write with sequence &lt;= N, or zeroes if it had none.
 */
public final class WriteOrderChecker {
    public static final int RECORD_BYTES = 4096;
    private static final byte[] MAGIC = "CSWORDR1".getBytes(StandardCharsets.US_ASCII);
    private static final int CRC_AT = RECORD_BYTES - 4;

    /** One write of the global order; sequences start at 1. */
    public record Write(long seq, int volume, int slot) {
        @Override
        public String toString() {
            return "write #" + seq + " (volume " + volume + ", slot " + slot + ")";
        }
    }

    /** What a slot was found to hold: zeroes, a record of this run, or something else ({@code problem}). */
    public record Found(Write record, long run, String problem) {
        static final Found ZEROES = new Found(null, 0, null);

        boolean zeroes() {
            return record == null && problem == null;
        }
    }

    /** Reads one slot of one volume: RECORD_BYTES bytes. */
    @FunctionalInterface
    public interface SlotReader {
        byte[] read(int volume, int slot) throws IOException;
    }

    /**
     * The outcome: the range of N the state fits ({@code lowest} to {@code highest}), or why it fits
     * none ({@code failure}).
     */
    public record Verdict(long lowest, long highest, long issued, long acknowledged, String failure) {
        public boolean consistent() {
            return failure == null;
        }

        /** Acknowledged writes the state does not hold (allowed for asynchronous mirrors). */
        public long acknowledgedLost() {
            return consistent() ? Math.max(0, acknowledged - highest) : -1;
        }

        public Verdict assertConsistent(String context) {
            if (!consistent()) {
                throw new AssertionError(context + ": " + failure);
            }
            return this;
        }

        @Override
        public String toString() {
            return consistent() ? "a prefix of " + lowest + (highest > lowest ? " to " + highest : "") + " of "
                    + issued + " writes issued (" + acknowledged + " acknowledged)" : failure;
        }
    }

    private final long run;
    private final int volumes;
    private final int slots;
    private final List<Write> issued = new ArrayList<>();
    private long acknowledged;

    /** {@code run} tells this run's records from any other's (e.g. a previous round on reused volumes). */
    public WriteOrderChecker(long run, int volumes, int slots) {
        this.run = run;
        this.volumes = volumes;
        this.slots = slots;
    }

    /** Issues the next write of the order: call before sending it. */
    public synchronized Write next(int volume, int slot) {
        if (volume < 0 || volume >= volumes || slot < 0 || slot >= slots) {
            throw new IllegalArgumentException("no volume " + volume + " slot " + slot);
        }
        if (acknowledged < issued.size()) {
            throw new IllegalStateException("write #" + issued.size() + " is not acknowledged yet: one at a time");
        }
        Write write = new Write(issued.size() + 1, volume, slot);
        issued.add(write);
        return write;
    }

    /** The write was acknowledged by its volume. */
    public synchronized void acknowledged(Write write) {
        if (write.seq() != issued.size() || !issued.get(issued.size() - 1).equals(write)) {
            throw new IllegalStateException(write + " is not the write in flight");
        }
        acknowledged = write.seq();
    }

    public synchronized long issuedCount() {
        return issued.size();
    }

    public synchronized long acknowledgedCount() {
        return acknowledged;
    }

    public int volumes() {
        return volumes;
    }

    public int slots() {
        return slots;
    }

    /** The block to write for {@code write}. */
    public byte[] record(Write write) {
        return encode(run, write);
    }

    static byte[] encode(long run, Write write) {
        ByteBuffer block = ByteBuffer.allocate(RECORD_BYTES);
        block.put(MAGIC).putLong(run).putLong(write.seq()).putInt(write.volume()).putInt(write.slot());
        SplittableRandom filler = new SplittableRandom(run * 31 + write.seq());
        while (block.position() + 8 <= CRC_AT) {
            block.putLong(filler.nextLong());
        }
        CRC32C crc = new CRC32C();
        crc.update(block.array(), 0, CRC_AT);
        block.putInt(CRC_AT, (int) crc.getValue());
        return block.array();
    }

    static Found decode(byte[] block) {
        if (block.length != RECORD_BYTES) {
            return new Found(null, 0, block.length + " bytes instead of " + RECORD_BYTES);
        }
        if (Arrays.equals(block, new byte[RECORD_BYTES])) {
            return Found.ZEROES;
        }
        ByteBuffer b = ByteBuffer.wrap(block);
        CRC32C crc = new CRC32C();
        crc.update(block, 0, CRC_AT);
        if (!Arrays.equals(block, 0, MAGIC.length, MAGIC, 0, MAGIC.length) || b.getInt(CRC_AT) != (int) crc.getValue()) {
            return new Found(null, 0, "neither zeroes nor a whole record (torn or garbage; starts "
                    + HexFormat.of().formatHex(block, 0, 32) + ")");
        }
        long recordRun = b.getLong(8);
        Write write = new Write(b.getLong(16), b.getInt(24), b.getInt(28));
        byte[] expected = encode(recordRun, write);
        if (!Arrays.equals(block, expected)) {
            return new Found(null, recordRun, "a record of " + write + " with the wrong filler");
        }
        return new Found(write, recordRun, null);
    }

    /** Reads every slot of every volume and judges the state against the writes issued so far. */
    public synchronized Verdict check(SlotReader reader) throws IOException {
        List<List<Long>> writesTo = new ArrayList<>(); // per place, the sequences written there, ascending
        for (int i = 0; i < volumes * slots; i++) {
            writesTo.add(new ArrayList<>());
        }
        for (Write w : issued) {
            writesTo.get(w.volume() * slots + w.slot()).add(w.seq());
        }
        long lowest = 0; // N is at least the newest write present ...
        Write newestPresent = null;
        long highest = issued.size(); // ... and below the oldest write missing
        Write oldestMissing = null;
        String missingSlotHolds = null;
        for (int v = 0; v < volumes; v++) {
            for (int s = 0; s < slots; s++) {
                String where = "volume " + v + " slot " + s;
                Found found = decode(reader.read(v, s));
                if (found.problem() != null) {
                    return fail(where + " holds " + found.problem());
                }
                List<Long> written = writesTo.get(v * slots + s);
                long holds = 0;
                if (!found.zeroes()) {
                    Write r = found.record();
                    if (found.run() != run) {
                        return fail(where + " holds a record of another run (" + found.run() + ", this is " + run
                                + "): " + r);
                    }
                    if (r.volume() != v || r.slot() != s) {
                        return fail(where + " holds " + r + ", which was written elsewhere");
                    }
                    if (!written.contains(r.seq())) {
                        return fail(where + " holds " + r + ", which was never issued");
                    }
                    holds = r.seq();
                    if (holds > lowest) {
                        lowest = holds;
                        newestPresent = r;
                    }
                }
                for (long seq : written) {
                    if (seq > holds) {
                        if (seq - 1 < highest) {
                            highest = seq - 1;
                            oldestMissing = issued.get((int) seq - 1);
                            missingSlotHolds = holds == 0 ? "zeroes" : "write #" + holds;
                        }
                        break;
                    }
                }
            }
        }
        if (lowest > highest) {
            return fail("not a prefix of the write order: " + newestPresent + " is present but the earlier "
                    + oldestMissing + " is missing (that slot holds " + missingSlotHolds + ")");
        }
        return new Verdict(lowest, highest, issued.size(), acknowledged, null);
    }

    private Verdict fail(String why) {
        return new Verdict(-1, -1, issued.size(), acknowledged, why);
    }
}
