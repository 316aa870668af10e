package dev.copyservices.agent.pool;

import dev.copyservices.agent.pool.catalog.Catalog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * Stores the catalog as one small file replaced atomically: the new catalog is written beside the
 * old one, made durable, renamed over it, and the directory is made durable. A crash at any point
 * leaves either the old or the new catalog whole, never a mix. The file is framed with a magic, a
 * length and a CRC so that damage done by anything else is detected instead of half-read.
 */
public final class CatalogStore {
    static final String FILE = "catalog.pb";
    private static final String TEMP = "catalog.pb.tmp";
    private static final byte[] MAGIC = "CSCATLG1".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER = MAGIC.length + 4 + 4;

    private final Path dir;

    public CatalogStore(Path dir) {
        this.dir = dir;
    }

    /** The committed catalog, or empty for a new pool. */
    public Optional<Catalog> load() throws IOException {
        Files.deleteIfExists(dir.resolve(TEMP)); // an interrupted commit that never took effect
        Path file = dir.resolve(FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        if (bytes.length < HEADER || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new CorruptCatalogException(file, "it does not start with the catalog header");
        }
        buf.position(MAGIC.length);
        int length = buf.getInt();
        int crc = buf.getInt();
        if (length != bytes.length - HEADER) {
            throw new CorruptCatalogException(file, "its length field says " + length + " bytes but "
                    + (bytes.length - HEADER) + " follow");
        }
        CRC32C check = new CRC32C();
        check.update(bytes, HEADER, length);
        if ((int) check.getValue() != crc) {
            throw new CorruptCatalogException(file, "its checksum does not match");
        }
        return Optional.of(Catalog.parseFrom(ByteBuffer.wrap(bytes, HEADER, length)));
    }

    /** Replaces the catalog; when this returns, the new catalog survives a crash. */
    public void commit(Catalog catalog) throws IOException {
        byte[] payload = catalog.toByteArray();
        CRC32C crc = new CRC32C();
        crc.update(payload);
        ByteBuffer frame = ByteBuffer.allocate(HEADER + payload.length);
        frame.put(MAGIC).putInt(payload.length).putInt((int) crc.getValue()).put(payload).flip();

        Path temp = dir.resolve(TEMP);
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (frame.hasRemaining()) {
                out.write(frame);
            }
            out.force(true);
        }
        Files.move(temp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(dir);
    }

    /** Makes a rename or unlink in {@code directory} durable. */
    public static void syncDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** The catalog was damaged outside the agent; starting anyway would lose volumes silently. */
    public static final class CorruptCatalogException extends IOException {
        CorruptCatalogException(Path file, String why) {
            super("the catalog " + file + " is damaged: " + why + ". The agent will not start on it,"
                    + " to protect the volumes it names; restore the file from a backup");
        }
    }
}
