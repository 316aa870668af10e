package dev.copyservices.agent.flashcopy;

import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;

/**
 * How a Copy-mode relationship behaves (seeds 000-003): background copy, persistence and change
 * recording for incremental re-flashes.
 */
public record CopyOptions(boolean backgroundCopy, boolean persistent, boolean incremental) {
    /** Refuses combinations the seeds rule out: incremental needs persistent (seed 001). */
    public CopyOptions checked() {
        if (incremental && !persistent) {
            throw new EngineException(Reason.INVALID_COPY_OPTIONS, "an incremental relationship must be persistent:"
                    + " change recording lives as long as the relationship, and a non-persistent one ends when its"
                    + " copy completes", "add --persistent, or leave out --incremental");
        }
        return this;
    }
}
