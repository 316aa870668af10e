package dev.copyservices.agent.pool;

import dev.copyservices.agent.pool.catalog.Catalog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * An owned pool directory and its catalog, the durable truth about the array. Every change of the
 * catalog goes through {@link #update}, one at a time, and is durable when it returns; the engines
 * change their in-memory state only after that, so memory never runs ahead of disk.
 */
public final class Pool implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Pool.class.getName());

    private final PoolDirectory directory;
    private Catalog catalog;

    private Pool(PoolDirectory directory, Catalog catalog) {
        this.directory = directory;
        this.catalog = catalog;
    }

    /**
     * Opens (or creates) the pool at {@code root}. The array keeps its id forever; name and site follow
     * what the agent was started with, so renaming an array is a restart with another --name.
     */
    public static Pool open(Path root, String arrayName, String site) throws IOException {
        PoolDirectory directory = PoolDirectory.open(root);
        try {
            Catalog loaded = directory.catalog().load().orElse(null);
            Pool pool = new Pool(directory, loaded);
            if (loaded == null) {
                pool.update(b -> b.setArrayId(UUID.randomUUID().toString()).setArrayName(arrayName).setSite(site));
                LOG.info("created a new pool in " + directory.root());
            } else if (!loaded.getArrayName().equals(arrayName) || !loaded.getSite().equals(site)) {
                pool.update(b -> b.setArrayName(arrayName).setSite(site));
            }
            return pool;
        } catch (IOException | RuntimeException e) {
            directory.close();
            throw e;
        }
    }

    public PoolDirectory directory() {
        return directory;
    }

    public synchronized Catalog catalog() {
        return catalog;
    }

    /** Applies {@code change} to a copy of the catalog and commits it; the catalog is unchanged on failure. */
    public synchronized Catalog update(Consumer<Catalog.Builder> change) throws IOException {
        Catalog.Builder builder = catalog == null ? Catalog.newBuilder() : catalog.toBuilder();
        change.accept(builder);
        Catalog next = builder.setGeneration(builder.getGeneration() + 1).build();
        directory.catalog().commit(next);
        catalog = next;
        return next;
    }

    @Override
    public void close() throws IOException {
        directory.close();
    }
}
