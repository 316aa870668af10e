package dev.copyservices.crds.flashcopy;

/** What happens when a Snapshot-mode repository fills up (the seeds' repository-full policy). */
public enum FullPolicy {
    /** The FlashCopy fails; writes to the base go on. */
    FailFlashCopy,
    /** Writes to the base fail; the FlashCopy stays valid. */
    FailBaseWrites
}
