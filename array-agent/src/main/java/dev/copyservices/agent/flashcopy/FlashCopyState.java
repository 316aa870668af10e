package dev.copyservices.agent.flashcopy;

/** States a user sees. FULL is derived: an OPTIMAL FlashCopy whose repository is 100% used. */
public enum FlashCopyState {
    OPTIMAL,
    DISABLED,
    FAILED,
    FULL
}
