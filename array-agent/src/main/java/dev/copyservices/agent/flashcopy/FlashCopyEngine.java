package dev.copyservices.agent.flashcopy;

import java.util.List;

/** FlashCopy in Snapshot mode: the control operations. (API skeleton; the engine follows.) */
public final class FlashCopyEngine {
    public FlashCopyInfo create(CreateFlashCopy request) {
        throw new UnsupportedOperationException();
    }

    /** By the FlashCopy's name or its repository's name. */
    public FlashCopyInfo get(String name) {
        throw new UnsupportedOperationException();
    }

    /** All FlashCopies, or those of {@code base} when it is not empty, by name. */
    public List<FlashCopyInfo> list(String base) {
        throw new UnsupportedOperationException();
    }

    public FlashCopyInfo disable(String name) {
        throw new UnsupportedOperationException();
    }

    public FlashCopyInfo recreate(String name) {
        throw new UnsupportedOperationException();
    }

    /** Deletes the FlashCopy and its repository; {@code name} may be either. */
    public void delete(String name, boolean force) {
        throw new UnsupportedOperationException();
    }

    public FlashCopyInfo growRepository(String name, long byBytes) {
        throw new UnsupportedOperationException();
    }

    /** Null leaves a setting as it is. */
    public FlashCopyInfo update(String name, Integer warningThresholdPercent, FullPolicy fullPolicy) {
        throw new UnsupportedOperationException();
    }

    public int count() {
        throw new UnsupportedOperationException();
    }
}
