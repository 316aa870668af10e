package dev.copyservices.agent.volumecopy;

import dev.copyservices.agent.volume.VolumeDevice;
import java.io.IOException;

/** How a copier moves a chunk. The engine's test seam: tests inject source read and target write errors. */
@FunctionalInterface
public interface CopyIo {
    void copy(VolumeDevice source, VolumeDevice target, long offset, int length) throws IOException;

    /** Inside the kernel where both volumes are plain files (see CowBase), else through a buffer. */
    CopyIo DIRECT = (source, target, offset, length) -> source.copyRangeTo(target, offset, length);
}
