package dev.copyservices.agent.volume;

import dev.copyservices.agent.pool.Pool;
import dev.copyservices.agent.pool.catalog.VolumeKind;
import dev.copyservices.agent.pool.catalog.VolumeRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.logging.Logger;

/**
 * What a start does with the pool: opens every standard volume the catalog names and removes data
 * and repository files it does not name (left by a create or delete that crashed half way).
 * FlashCopy volumes are opened by the FlashCopy engine, which registers them. Work is per volume,
 * never per byte of a volume.
 */
final class VolumeRecovery {
    private static final Logger LOG = Logger.getLogger(VolumeRecovery.class.getName());

    private VolumeRecovery() {
    }

    static void recover(VolumeEngine engine, Pool pool, VolumeLifecycle lifecycle) throws IOException {
        Set<String> known = new HashSet<>();
        for (VolumeRecord record : pool.catalog().getVolumesList()) {
            known.add(record.getId());
            if (record.getKind() != VolumeKind.FLASHCOPY) {
                engine.register(record, lifecycle.wrapStandard(record, openData(pool, record)));
            }
        }
        for (String id : pool.directory().dataFileIds()) {
            if (!known.contains(id)) {
                LOG.info("removing data file " + id + " that no volume names (an interrupted create or delete)");
                pool.directory().deleteVolumeFile(id);
            }
        }
        for (String id : pool.directory().repositoryFileIds()) {
            if (!known.contains(id)) {
                LOG.info("removing repository file " + id + " that no FlashCopy names (an interrupted create"
                        + " or delete)");
                pool.directory().deleteRepositoryFile(id);
            }
        }
    }

    private static FileBlockDevice openData(Pool pool, VolumeRecord record) throws IOException {
        Path file = pool.directory().volumeFile(record.getId());
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "the data of volume '" + record.getName()
                    + "' is missing; it was removed outside the agent. Restore the file or the whole pool");
        }
        return FileBlockDevice.open(file, record.getSizeBytes());
    }
}
