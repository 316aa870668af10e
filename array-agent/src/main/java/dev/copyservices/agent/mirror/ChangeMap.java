package dev.copyservices.agent.mirror;

import dev.copyservices.agent.flashcopy.GroupSync;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;

/**
 * A mirror member's change map (the file {@code mirror/<id>.map}, the seed's mirror log): which
 * regions may differ from the other member. Three bit sets, one bit per region:
 * <ul>
 * <li>changed, on disk: set, and durable, before a host write touches the region; cleared only once
 * the peer holds the region durably and it stayed untouched for a sweep. After a crash every region
 * a write may have reached is set, so a restart copies those and never the whole volume.
 * <li>to-copy, in memory: what a resync still has to send (a write that was not sent, a failed send).
 * Loaded as the changed set at start.
 * <li>touched, in memory: written since the last sweep, so hot regions keep their bit instead of
 * paying a sync on every sweep.
 * </ul>
 * The file is a header page and the changed bits. A set bit is durable when {@link #awaitDurable}
 * returns; a cleared bit need never be (a lost clear costs one region's copy).
 */
final class ChangeMap implements AutoCloseable {
    private static final int PAGE = 4096;
    private static final long MAGIC = 0x4353_4d49_524d_4150L; // "CSMIRMAP"

    private final FileChannel channel;
    private final long regions;
    private final int regionBytes;
    private final long[] changed;
    private final long[] toCopy;
    private final long[] touched;
    private final BitSet dirtyPages = new BitSet();
    private final GroupSync sync;
    private boolean lost;
    private long toCopyCount;

    private ChangeMap(FileChannel channel, long regions, int regionBytes, boolean lost) {
        this.channel = channel;
        this.regions = regions;
        this.regionBytes = regionBytes;
        int words = (int) Math.ceilDiv(regions, 64);
        this.changed = new long[words];
        this.toCopy = new long[words];
        this.touched = new long[words];
        this.lost = lost;
        this.sync = new GroupSync(this::writeAndSync);
    }

    /** A new map, durable when it returns; {@code allChanged} for a mirror that starts with a full copy. */
    static ChangeMap create(Path file, long capacity, int regionBytes, boolean allChanged) throws IOException {
        Files.deleteIfExists(file);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        ChangeMap map = new ChangeMap(channel, Math.ceilDiv(capacity, regionBytes), regionBytes, false);
        try {
            map.writeHeader();
            if (allChanged) {
                map.addChanged(map.all());
            }
            channel.force(true);
            return map;
        } catch (IOException | RuntimeException e) {
            map.close();
            throw e;
        }
    }

    /**
     * Opens the map of a mirror; a missing or unreadable file gives a map with every region changed and
     * {@link #lost()} set, because nothing then says which regions are equal (the seed's lost repository).
     */
    static ChangeMap open(Path file, long capacity, int regionBytes) throws IOException {
        long regions = Math.ceilDiv(capacity, regionBytes);
        if (!Files.exists(file)) {
            ChangeMap map = create(file, capacity, regionBytes, true);
            map.lost = true;
            return map;
        }
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        ByteBuffer header = ByteBuffer.allocate(PAGE).order(ByteOrder.LITTLE_ENDIAN);
        channel.read(header, 0);
        header.flip();
        boolean valid = header.remaining() >= 24 && header.getLong(0) == MAGIC && header.getLong(8) == regions
                && header.getInt(16) == regionBytes;
        ChangeMap map = new ChangeMap(channel, regions, regionBytes, !valid);
        if (!valid) {
            map.writeHeader();
            map.addChanged(map.all());
            return map;
        }
        ByteBuffer bits = ByteBuffer.allocate(map.changed.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        while (bits.hasRemaining() && channel.read(bits, PAGE + bits.position()) > 0) {
            // read until the file ends; missing words stay zero only if never written, which a create prevents
        }
        bits.flip();
        for (int i = 0; i < map.changed.length && bits.remaining() >= 8; i++) {
            map.changed[i] = bits.getLong();
        }
        map.changed[map.changed.length - 1] &= map.lastWordMask();
        System.arraycopy(map.changed, 0, map.toCopy, 0, map.changed.length);
        map.toCopyCount = count(map.toCopy);
        return map;
    }

    long regions() {
        return regions;
    }

    int regionBytes() {
        return regionBytes;
    }

    /** True when the map was missing or unreadable at open, so every region counts as changed. */
    boolean lost() {
        return lost;
    }

    /**
     * Records a host write to regions [first, last]; with {@code copyLater} they are also due for copy
     * (the write is not being sent). Returns true when a changed bit was newly set: the caller must
     * then {@link #awaitDurable} before it writes the data.
     */
    synchronized boolean recordWrite(long first, long last, boolean copyLater) {
        boolean newlySet = false;
        for (long r = first; r <= last; r++) {
            int word = (int) (r >>> 6);
            long bit = 1L << r;
            touched[word] |= bit;
            if ((changed[word] & bit) == 0) {
                changed[word] |= bit;
                dirtyPages.set(pageOf(word));
                newlySet = true;
            }
            if (copyLater && (toCopy[word] & bit) == 0) {
                toCopy[word] |= bit;
                toCopyCount++;
            }
        }
        return newlySet;
    }

    /** Returns once every changed bit set before the call is on disk. */
    void awaitDurable() throws IOException {
        sync.await();
    }

    /** Marks regions [first, last] due for copy again (a send failed); their changed bits are set already. */
    synchronized void copyAgain(long first, long last) {
        for (long r = first; r <= last; r++) {
            int word = (int) (r >>> 6);
            long bit = 1L << r;
            if ((toCopy[word] & bit) == 0) {
                toCopy[word] |= bit;
                toCopyCount++;
            }
        }
    }

    /** The first region at or after {@code from} that is due for copy, or -1. */
    synchronized long nextToCopy(long from) {
        for (long r = from; r < regions; ) {
            int word = (int) (r >>> 6);
            long bits = toCopy[word] & (-1L << r);
            if (bits != 0) {
                return ((long) word << 6) + Long.numberOfTrailingZeros(bits);
            }
            r = ((long) word + 1) << 6;
        }
        return -1;
    }

    /** Takes region {@code r} for a copy: clears its to-copy bit; false when it was not due. */
    synchronized boolean take(long r) {
        int word = (int) (r >>> 6);
        long bit = 1L << r;
        if ((toCopy[word] & bit) == 0) {
            return false;
        }
        toCopy[word] &= ~bit;
        toCopyCount--;
        return true;
    }

    synchronized long toCopyCount() {
        return toCopyCount;
    }

    /** Every region that may differ from the peer (changed or due), as words: what a hand-over sends. */
    synchronized long[] snapshot() {
        long[] words = new long[changed.length];
        for (int i = 0; i < words.length; i++) {
            words[i] = changed[i] | toCopy[i];
        }
        return words;
    }

    /** Adds regions (e.g. the peer's after a dual role) as changed and due; durable when it returns. */
    void addChanged(long[] words) throws IOException {
        synchronized (this) {
            for (int i = 0; i < changed.length && i < words.length; i++) {
                long add = words[i] & (i == changed.length - 1 ? lastWordMask() : -1L);
                if ((changed[i] | add) != changed[i]) {
                    changed[i] |= add;
                    dirtyPages.set(pageOf(i));
                }
                toCopyCount += Long.bitCount(add & ~toCopy[i]);
                toCopy[i] |= add;
            }
        }
        awaitDurable();
    }

    /** Forgets every change (the regions were handed to the peer, which has them durably). */
    void clearAll() throws IOException {
        synchronized (this) {
            java.util.Arrays.fill(changed, 0);
            java.util.Arrays.fill(toCopy, 0);
            java.util.Arrays.fill(touched, 0);
            toCopyCount = 0;
            dirtyPages.set(0, pageOf(changed.length - 1) + 1);
        }
        awaitDurable();
    }

    /**
     * First half of a sweep: the regions that may be cleared once the peer has made everything sent so
     * far durable (changed, not due, untouched since the last sweep); starts a new touched period.
     */
    synchronized long[] beginSweep() {
        return beginSweep(false);
    }

    /**
     * As {@link #beginSweep()}; with {@code includeDue}, regions due for copy are candidates too: a resync
     * about to copy them sweeps them once its final flush marker is acknowledged.
     */
    synchronized long[] beginSweep(boolean includeDue) {
        long[] candidates = new long[changed.length];
        for (int i = 0; i < changed.length; i++) {
            candidates[i] = changed[i] & (includeDue ? -1L : ~toCopy[i]) & ~touched[i];
            touched[i] = 0;
        }
        return candidates;
    }

    /** Second half: clears the candidates not written or made due meanwhile; returns how many. */
    long finishSweep(long[] candidates) throws IOException {
        long cleared = 0;
        synchronized (this) {
            for (int i = 0; i < changed.length; i++) {
                long clear = candidates[i] & changed[i] & ~toCopy[i] & ~touched[i];
                if (clear != 0) {
                    changed[i] &= ~clear;
                    dirtyPages.set(pageOf(i));
                    cleared += Long.bitCount(clear);
                }
            }
        }
        if (cleared > 0) {
            awaitDurable(); // not needed for safety; keeps the file close to memory for the next start
        }
        return cleared;
    }

    synchronized long changedCount() {
        return count(changed);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private long[] all() {
        long[] words = new long[changed.length];
        java.util.Arrays.fill(words, -1L);
        words[words.length - 1] = lastWordMask();
        return words;
    }

    private long lastWordMask() {
        int used = (int) (regions & 63);
        return used == 0 ? -1L : (1L << used) - 1;
    }

    private static int pageOf(int word) {
        return word / (PAGE / 8);
    }

    private static long count(long[] words) {
        long n = 0;
        for (long w : words) {
            n += Long.bitCount(w);
        }
        return n;
    }

    private void writeHeader() throws IOException {
        ByteBuffer header = ByteBuffer.allocate(PAGE).order(ByteOrder.LITTLE_ENDIAN);
        header.putLong(MAGIC).putLong(regions).putInt(regionBytes).position(PAGE).flip();
        while (header.hasRemaining()) {
            channel.write(header, header.position());
        }
        ByteBuffer zeroes = ByteBuffer.allocate(Math.max(8, changed.length * 8));
        channel.write(zeroes, PAGE);
    }

    /** The group sync's action: writes the pages with changed bits, then syncs the file. */
    private void writeAndSync() throws IOException {
        ByteBuffer pages;
        int[] indexes;
        synchronized (this) {
            indexes = dirtyPages.stream().toArray();
            dirtyPages.clear();
            pages = ByteBuffer.allocate(indexes.length * PAGE).order(ByteOrder.LITTLE_ENDIAN);
            for (int page : indexes) {
                int firstWord = page * (PAGE / 8);
                for (int w = firstWord; w < firstWord + PAGE / 8; w++) {
                    pages.putLong(w < changed.length ? changed[w] : 0);
                }
            }
        }
        try {
            for (int i = 0; i < indexes.length; i++) {
                ByteBuffer one = pages.slice(i * PAGE, PAGE);
                long position = PAGE + (long) indexes[i] * PAGE;
                while (one.hasRemaining()) {
                    channel.write(one, position + one.position());
                }
            }
            channel.force(false);
        } catch (IOException | RuntimeException e) {
            synchronized (this) {
                for (int page : indexes) {
                    dirtyPages.set(page);
                }
            }
            throw e;
        }
    }
}
