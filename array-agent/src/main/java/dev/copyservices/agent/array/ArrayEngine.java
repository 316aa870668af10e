package dev.copyservices.agent.array;

import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;
import dev.copyservices.agent.pool.Pool;
import dev.copyservices.agent.pool.catalog.Catalog;
import dev.copyservices.agent.volume.VolumeEngine;
import java.io.IOException;
import java.nio.file.FileStore;
import java.util.List;
import java.util.function.Supplier;

/** Answers "what is this array": identity from the catalog, figures from the pool and the engines. */
public final class ArrayEngine {
    private final Pool pool;
    private final VolumeEngine volumes;
    private final Supplier<CopyServiceFigures> copies;
    private final ArrayLimits limits;
    private final String nbdEndpoint;
    private final List<String> enabledFeatures;

    /**
     * {@code copies} is asked at each {@link #info()}. A supplier rather than the copy engines: the array
     * needs only their figures, and a test can give them without building the engines.
     */
    public ArrayEngine(Pool pool, VolumeEngine volumes, Supplier<CopyServiceFigures> copies,
            ArrayLimits limits, String nbdEndpoint, List<String> enabledFeatures) {
        this.pool = pool;
        this.volumes = volumes;
        this.copies = copies;
        this.limits = limits;
        this.nbdEndpoint = nbdEndpoint;
        this.enabledFeatures = List.copyOf(enabledFeatures);
    }

    public ArrayInfo info() {
        Catalog catalog = pool.catalog();
        long total;
        long free;
        try {
            FileStore store = pool.directory().fileStore();
            total = store.getTotalSpace();
            free = store.getUsableSpace();
        } catch (IOException e) {
            throw new EngineException(Reason.POOL_IO_ERROR, "cannot read the pool's file system: " + e.getMessage(),
                    "check that the pool directory " + pool.directory().root() + " is still mounted", e);
        }
        return new ArrayInfo(catalog.getArrayId(), catalog.getArrayName(), catalog.getSite(), version(), nbdEndpoint,
                total, free, volumes.provisionedBytes(), volumes.allocatedBytes(), limits, volumes.count(),
                volumes.flashCopyCount(), copies.get(), enabledFeatures);
    }

    public static String version() {
        String version = ArrayEngine.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
