package dev.copyservices.agent.flashcopy;

/** A FlashCopy group's state, after Copy Services Manager's FlashCopy session states. */
public enum GroupState {
    /** Not every pair has a relationship. */
    DEFINED,
    /** A flash is being prepared (checks, change maps) before its point in time. */
    PREPARING,
    /** Every pair has a relationship: the targets hold the group's point-in-time image. */
    TARGET_AVAILABLE,
    /** A terminate is withdrawing the relationships. */
    TERMINATING
}
