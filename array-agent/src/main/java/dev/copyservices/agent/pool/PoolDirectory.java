package dev.copyservices.agent.pool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The pool's directory and what lives in it:
 * <pre>
 *   pool.lock            held while an agent owns the pool; names that agent's pid
 *   catalog.pb           the catalog (see CatalogStore)
 *   volumes/ID.data      one sparse file per standard volume
 *   volumes/ID.repo      one repository file per FlashCopy
 *   events.log           the recent events (see events.EventLog)
 * </pre>
 * Exactly one agent may own a pool: a second one sharing the files would corrupt both views.
 */
public final class PoolDirectory implements AutoCloseable {
    private static final String LOCK = "pool.lock";
    private static final String VOLUMES = "volumes";
    private static final String DATA_SUFFIX = ".data";
    private static final String REPOSITORY_SUFFIX = ".repo";
    private static final String CHANGE_MAP_SUFFIX = ".fcmap";
    private static final String EVENTS = "events.log";

    private final Path root;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final CatalogStore catalog;

    private PoolDirectory(Path root, FileChannel lockChannel, FileLock lock) {
        this.root = root;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.catalog = new CatalogStore(root);
    }

    /** Creates the directory if missing and takes ownership of it. */
    public static PoolDirectory open(Path root) throws IOException {
        Path absolute = root.toAbsolutePath().normalize();
        Files.createDirectories(absolute.resolve(VOLUMES));
        FileChannel channel = FileChannel.open(absolute.resolve(LOCK), StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException heldInThisProcess) {
            lock = null;
        }
        if (lock == null) {
            String owner = new String(Files.readAllBytes(absolute.resolve(LOCK)), StandardCharsets.UTF_8).trim();
            channel.close();
            throw new IOException("the pool " + absolute + " is in use by another agent (pid " + owner
                    + "); stop that agent or give this one another --pool-dir");
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
        return new PoolDirectory(absolute, channel, lock);
    }

    public Path root() {
        return root;
    }

    public CatalogStore catalog() {
        return catalog;
    }

    public Path volumeFile(String id) {
        return root.resolve(VOLUMES).resolve(id + DATA_SUFFIX);
    }

    public Path repositoryFile(String id) {
        return root.resolve(VOLUMES).resolve(id + REPOSITORY_SUFFIX);
    }

    /** A Copy-mode FlashCopy relationship's change map (which regions are copied, which changed). */
    public Path changeMapFile(String relationshipId) {
        return root.resolve(VOLUMES).resolve(relationshipId + CHANGE_MAP_SUFFIX);
    }

    public Set<String> changeMapFileIds() throws IOException {
        return fileIds(CHANGE_MAP_SUFFIX);
    }

    /** Removes a relationship's change map durably (after the catalog stopped naming it). */
    public void deleteChangeMapFile(String relationshipId) throws IOException {
        Files.deleteIfExists(changeMapFile(relationshipId));
        CatalogStore.syncDirectory(root.resolve(VOLUMES));
    }

    /** The event log; it lives with the pool so event numbering continues for the life of the pool. */
    public Path eventLogFile() {
        return root.resolve(EVENTS);
    }

    /** Ids of the data files present, to find the ones the catalog no longer names. */
    public Set<String> dataFileIds() throws IOException {
        return fileIds(DATA_SUFFIX);
    }

    /** Ids of the repository files present, to find the ones the catalog no longer names. */
    public Set<String> repositoryFileIds() throws IOException {
        return fileIds(REPOSITORY_SUFFIX);
    }

    private Set<String> fileIds(String suffix) throws IOException {
        Set<String> ids = new HashSet<>();
        try (Stream<Path> files = Files.list(root.resolve(VOLUMES))) {
            files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(suffix))
                    .forEach(n -> ids.add(n.substring(0, n.length() - suffix.length())));
        }
        return ids;
    }

    /** Removes a FlashCopy's repository file durably (after the catalog stopped naming it). */
    public void deleteRepositoryFile(String id) throws IOException {
        Files.deleteIfExists(repositoryFile(id));
        CatalogStore.syncDirectory(root.resolve(VOLUMES));
    }

    /** Removes a volume's data file durably (after the catalog stopped naming it). */
    public void deleteVolumeFile(String id) throws IOException {
        Files.deleteIfExists(volumeFile(id));
        CatalogStore.syncDirectory(root.resolve(VOLUMES));
    }

    /** Makes a new data file's directory entry durable before the catalog names it. */
    public void syncVolumesDirectory() throws IOException {
        CatalogStore.syncDirectory(root.resolve(VOLUMES));
    }

    public FileStore fileStore() throws IOException {
        return Files.getFileStore(root);
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            lockChannel.close();
        }
    }
}
