package dev.copyservices.agent.events;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.copyservices.agent.pool.CatalogStore;
import dev.copyservices.api.agent.v1.Event;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Logger;
import java.util.zip.CRC32C;

/**
 * {@code events.log}: the magic {@code "CSEVLOG1"}, then one record per event, each a 4-byte length, a
 * 4-byte CRC32C of the payload and the payload (the API's {@code Event} message, whose field numbers
 * never change). Events are appended with a plain write and no fsync: once {@link #append} returns the
 * kernel holds the bytes, so a killed agent loses nothing; a power cut may lose the newest events.
 * A crash during an append leaves a torn last record, which {@link #open} drops. The file is kept
 * small by {@link #rewrite}, which replaces it whole the way the catalog is replaced (temporary file,
 * fsync, rename, directory fsync), so a crash leaves the old file or the new one.
 */
final class EventFile implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EventFile.class.getName());
    private static final byte[] MAGIC = "CSEVLOG1".getBytes(StandardCharsets.US_ASCII);
    private static final int RECORD_HEADER = 8;
    /** Far above any real event (publish caps its texts); a bigger length can only be damage. */
    static final int MAX_RECORD = 256 * 1024;

    private final Path file;
    private FileChannel channel;
    private long size;

    /** The file, open for appending, and the events it held. */
    record Loaded(EventFile file, List<Event> events) {
    }

    private EventFile(Path file) {
        this.file = file;
    }

    /**
     * Opens (or creates) the file and reads every whole record. A torn or damaged record ends the
     * readable part: it and what follows are cut off, so that new appends are not hidden behind it.
     * A file that does not start with the magic is not ours to trust: it is set aside and a new one started.
     */
    static Loaded open(Path file) throws IOException {
        Files.deleteIfExists(temp(file)); // a rewrite that never took effect
        EventFile events = new EventFile(file);
        List<Event> loaded = new ArrayList<>();
        if (!Files.exists(file)) {
            events.rewrite(List.of());
            return new Loaded(events, loaded);
        }
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length < MAGIC.length || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            Path aside = file.resolveSibling(file.getFileName() + ".damaged");
            Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
            LOG.warning(file + " does not start with the event log header; moved it to " + aside
                    + " and started a new event log (event numbers start again at 1)");
            events.rewrite(List.of());
            return new Loaded(events, loaded);
        }
        long good = parse(bytes, loaded);
        events.channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        events.size = bytes.length;
        if (good < bytes.length) {
            LOG.warning("dropping the last " + (bytes.length - good) + " bytes of " + file + ": a torn or damaged"
                    + " record (an interrupted write); " + loaded.size() + " event(s) before it are kept");
            events.channel.truncate(good);
            events.channel.force(false);
            events.size = good;
        }
        return new Loaded(events, loaded);
    }

    /** Reads whole, checked records into {@code into}; returns where the readable part ends. */
    private static long parse(byte[] bytes, List<Event> into) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        buf.position(MAGIC.length);
        while (buf.remaining() >= RECORD_HEADER) {
            int start = buf.position();
            int length = buf.getInt();
            int crc = buf.getInt();
            if (length < 0 || length > MAX_RECORD || length > buf.remaining()) {
                return start;
            }
            CRC32C check = new CRC32C();
            check.update(bytes, buf.position(), length);
            if ((int) check.getValue() != crc) {
                return start;
            }
            try {
                into.add(Event.parseFrom(ByteBuffer.wrap(bytes, buf.position(), length)));
            } catch (InvalidProtocolBufferException e) {
                return start;
            }
            buf.position(buf.position() + length);
        }
        return buf.position();
    }

    /** Appends one record; no fsync (see the class comment). */
    void append(Event event) throws IOException {
        ByteBuffer record = record(event);
        int length = record.remaining();
        while (record.hasRemaining()) {
            channel.write(record);
        }
        size += length;
    }

    /** Replaces the whole file with {@code events}; when this returns the new file survives a crash. */
    void rewrite(List<Event> events) throws IOException {
        Path temp = temp(file);
        long written = MAGIC.length;
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer magic = ByteBuffer.wrap(MAGIC);
            while (magic.hasRemaining()) {
                out.write(magic);
            }
            for (Event event : events) {
                ByteBuffer record = record(event);
                written += record.remaining();
                while (record.hasRemaining()) {
                    out.write(record);
                }
            }
            out.force(true);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        CatalogStore.syncDirectory(file.toAbsolutePath().getParent());
        // the old channel still points at the replaced file
        if (channel != null) {
            channel.close();
        }
        channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        size = written;
    }

    /** Bytes in the file, header included. */
    long size() {
        return size;
    }

    /** What {@code event} takes in the file. */
    static int recordSize(Event event) {
        return RECORD_HEADER + event.getSerializedSize();
    }

    private static ByteBuffer record(Event event) {
        byte[] payload = event.toByteArray();
        CRC32C crc = new CRC32C();
        crc.update(payload);
        return ByteBuffer.allocate(RECORD_HEADER + payload.length).putInt(payload.length)
                .putInt((int) crc.getValue()).put(payload).flip();
    }

    private static Path temp(Path file) {
        return file.resolveSibling(file.getFileName() + ".tmp");
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }
}
