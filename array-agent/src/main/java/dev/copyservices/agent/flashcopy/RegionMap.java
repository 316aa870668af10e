package dev.copyservices.agent.flashcopy;

import dev.copyservices.agent.volume.PositionalIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.zip.CRC32C;

/**
 * A Copy-mode relationship's change map (the file {@code <id>.fcmap}): one bit per region in each of
 * three bitmaps, COPIED (the region's image is physically on the target), SOURCE_CHANGED and
 * TARGET_CHANGED (written since the point in time; kept for incremental relationships).
 *
 * <p>The file holds two areas, each a header (magic, epoch, region count, CRC) and the three
 * bitmaps. Only the area whose epoch equals the catalog's is valid. Within it bits only ever go
 * from 0 to 1, so a torn page write can lose only bits whose setting had not yet returned, which
 * nobody relied on. A re-flash writes the next bitmaps into the other area, syncs, and the catalog
 * commit of epoch + 1 switches to it: the switch is atomic without a journal.
 *
 * <p>A bit reads as set ({@link #isSet}) only once it is durable, so the data path may act on it.
 */
final class RegionMap implements AutoCloseable {
    enum Kind { COPIED, SOURCE_CHANGED, TARGET_CHANGED }

    private static final int PAGE = 4096;
    private static final long MAGIC = 0x4353_4643_4d41_5031L; // "CSFCMAP1"
    private static final int KINDS = Kind.values().length;

    private final Path file;
    private final FileChannel channel;
    private final long regions;
    private final long bitmapBytes;
    private final long areaBytes;
    private final GroupSync sync;
    private final ByteBuffer page = ByteBuffer.allocate(PAGE).order(ByteOrder.LITTLE_ENDIAN);

    /** The active area's bits: written ones (pending) and durable ones, per kind. */
    private int area;
    private long[][] pending;
    private volatile AtomicLongArray[] durable;

    private RegionMap(Path file, FileChannel channel, long regions) {
        this.file = file;
        this.channel = channel;
        this.regions = regions;
        this.bitmapBytes = Math.ceilDiv(Math.ceilDiv(regions, 8), PAGE) * PAGE;
        this.areaBytes = PAGE + KINDS * bitmapBytes;
        this.sync = new GroupSync(() -> channel.force(false));
    }

    /** A new map, all bits clear, in area 0 with {@code epoch}; durable when it returns. */
    static RegionMap create(Path file, long regions, long epoch) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        RegionMap map = new RegionMap(file, channel, regions);
        try {
            long[][] empty = new long[KINDS][map.words()];
            map.writeArea(0, epoch, empty);
            channel.force(true);
            map.install(0, empty);
            return map;
        } catch (IOException | RuntimeException e) {
            map.close();
            throw e;
        }
    }

    /** Opens the map and reads the area carrying {@code epoch}, the catalog's. */
    static RegionMap open(Path file, long regions, long epoch) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        RegionMap map = new RegionMap(file, channel, regions);
        try {
            for (int candidate = 0; candidate < 2; candidate++) {
                if (map.headerEpoch(candidate) == epoch) {
                    map.install(candidate, map.readArea(candidate));
                    return map;
                }
            }
            throw new IOException("the change map " + file + " has no valid area for epoch " + epoch
                    + "; it was damaged outside the agent");
        } catch (IOException | RuntimeException e) {
            map.close();
            throw e;
        }
    }

    long regions() {
        return regions;
    }

    boolean isSet(Kind kind, long region) {
        return (durable[kind.ordinal()].get((int) (region >>> 6)) & (1L << region)) != 0;
    }

    /** True when every region in [from, to) has the bit durably. */
    boolean allSet(Kind kind, long from, long to) {
        AtomicLongArray bits = durable[kind.ordinal()];
        for (long r = from; r < to; r++) {
            if ((bits.get((int) (r >>> 6)) & (1L << r)) == 0) {
                return false;
            }
        }
        return true;
    }

    long count(Kind kind) {
        AtomicLongArray bits = durable[kind.ordinal()];
        long n = 0;
        for (int i = 0; i < bits.length(); i++) {
            n += Long.bitCount(bits.get(i));
        }
        return n;
    }

    /** The first region at or after {@code from} without the bit, or -1. */
    long firstClear(Kind kind, long from) {
        AtomicLongArray bits = durable[kind.ordinal()];
        for (long r = from; r < regions; ) {
            long word = bits.get((int) (r >>> 6)) | ((1L << (r & 63)) - 1); // ignore bits below r
            if (word != -1L) {
                long found = (r & ~63L) + Long.numberOfTrailingZeros(~word);
                return found < regions ? found : -1;
            }
            r = (r & ~63L) + 64;
        }
        return -1;
    }

    /** Sets the bits of [from, to) and returns once they are durable. */
    void markDurably(Kind kind, long from, long to) throws IOException {
        markDurably(kind, java.util.List.of(new long[] {from, to}));
    }

    /** Sets the bits of every [from, to) run with one sync, and returns once they are durable. */
    void markDurably(Kind kind, java.util.List<long[]> runs) throws IOException {
        if (runs.stream().allMatch(run -> run[0] >= run[1])) {
            return;
        }
        synchronized (this) {
            long[] bits = pending[kind.ordinal()];
            for (long[] run : runs) {
                for (long r = run[0]; r < run[1]; r++) {
                    bits[(int) (r >>> 6)] |= 1L << r;
                }
            }
            // pages written under the monitor, so an older snapshot of a page never lands after a newer one
            java.util.SortedSet<Long> pages = new java.util.TreeSet<>();
            for (long[] run : runs) {
                for (long p = run[0] / (PAGE * 8L); run[0] < run[1] && p <= (run[1] - 1) / (PAGE * 8L); p++) {
                    pages.add(p);
                }
            }
            for (long p : pages) {
                writePage(area, kind, (int) p, bits);
            }
        }
        sync.await();
        AtomicLongArray bits = durable[kind.ordinal()];
        for (long[] run : runs) {
            for (long r = run[0]; r < run[1]; r++) {
                bits.getAndAccumulate((int) (r >>> 6), 1L << r, (a, b) -> a | b);
            }
        }
    }

    /** The next epoch's bitmaps, written to the inactive area and durable; the switch comes with the catalog. */
    record Prepared(int area, long epoch, long[][] bits) {
        long count(Kind kind) {
            long n = 0;
            for (long word : bits[kind.ordinal()]) {
                n += Long.bitCount(word);
            }
            return n;
        }
    }

    /**
     * Writes the map of a new point in time into the inactive area. With {@code keepUnchanged}, a
     * region stays copied when neither side changed it since the last flash (an incremental
     * re-flash, or a reverse); otherwise every region must be copied again.
     */
    synchronized Prepared prepare(long epoch, boolean keepUnchanged) throws IOException {
        long[][] next = new long[KINDS][words()];
        if (keepUnchanged) {
            long[] copied = pending[Kind.COPIED.ordinal()];
            long[] source = pending[Kind.SOURCE_CHANGED.ordinal()];
            long[] target = pending[Kind.TARGET_CHANGED.ordinal()];
            for (int i = 0; i < words(); i++) {
                next[Kind.COPIED.ordinal()][i] = copied[i] & ~(source[i] | target[i]);
            }
        }
        int other = 1 - area;
        writeArea(other, epoch, next);
        channel.force(false);
        return new Prepared(other, epoch, next);
    }

    /** Makes a prepared area the active one; called once the catalog names its epoch. */
    synchronized void switchTo(Prepared prepared) {
        install(prepared.area(), prepared.bits());
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    Path file() {
        return file;
    }

    // ---- file layout --------------------------------------------------------------------------

    private int words() {
        return (int) Math.ceilDiv(regions, 64);
    }

    private void install(int activeArea, long[][] bits) {
        this.area = activeArea;
        this.pending = bits;
        AtomicLongArray[] copy = new AtomicLongArray[KINDS];
        for (int k = 0; k < KINDS; k++) {
            copy[k] = new AtomicLongArray(bits[k].clone());
        }
        this.durable = copy;
    }

    private long bitmapOffset(int areaIndex, Kind kind) {
        return areaIndex * areaBytes + PAGE + kind.ordinal() * bitmapBytes;
    }

    private void writePage(int areaIndex, Kind kind, int pageIndex, long[] bits) throws IOException {
        page.clear();
        int firstWord = pageIndex * (PAGE / 8);
        for (int i = 0; i < PAGE / 8; i++) {
            int w = firstWord + i;
            page.putLong(w < bits.length ? bits[w] : 0L);
        }
        page.flip();
        PositionalIo.writeFully(channel, page, bitmapOffset(areaIndex, kind) + (long) pageIndex * PAGE);
    }

    private void writeArea(int areaIndex, long epoch, long[][] bits) throws IOException {
        for (Kind kind : Kind.values()) {
            for (int p = 0; p < bitmapBytes / PAGE; p++) {
                writePage(areaIndex, kind, p, bits[kind.ordinal()]);
            }
        }
        ByteBuffer header = ByteBuffer.allocate(PAGE).order(ByteOrder.LITTLE_ENDIAN);
        header.putLong(MAGIC).putLong(epoch).putLong(regions);
        CRC32C crc = new CRC32C();
        crc.update(header.array(), 0, 24);
        header.putInt((int) crc.getValue());
        header.clear();
        PositionalIo.writeFully(channel, header, areaIndex * areaBytes);
    }

    /** The epoch of an area whose header is intact and matches this map, else -1. */
    private long headerEpoch(int areaIndex) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(28).order(ByteOrder.LITTLE_ENDIAN);
        PositionalIo.readFully(channel, header, areaIndex * areaBytes);
        CRC32C crc = new CRC32C();
        crc.update(header.array(), 0, 24);
        header.flip();
        long magic = header.getLong();
        long epoch = header.getLong();
        long count = header.getLong();
        int stored = header.getInt();
        return magic == MAGIC && count == regions && stored == (int) crc.getValue() ? epoch : -1;
    }

    private long[][] readArea(int areaIndex) throws IOException {
        long[][] bits = new long[KINDS][words()];
        ByteBuffer buffer = ByteBuffer.allocate((int) bitmapBytes).order(ByteOrder.LITTLE_ENDIAN);
        for (Kind kind : Kind.values()) {
            buffer.clear();
            PositionalIo.readFully(channel, buffer, bitmapOffset(areaIndex, kind));
            buffer.flip();
            for (int i = 0; i < words(); i++) {
                bits[kind.ordinal()][i] = buffer.getLong();
            }
            if (words() > 0) { // bits past the last region are never set; clear any from a damaged page
                long tail = regions & 63;
                if (tail != 0) {
                    bits[kind.ordinal()][words() - 1] &= (1L << tail) - 1;
                }
            }
        }
        return bits;
    }
}
