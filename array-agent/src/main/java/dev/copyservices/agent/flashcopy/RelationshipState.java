package dev.copyservices.agent.flashcopy;

/** A Copy-mode relationship as a person reads it. */
public enum RelationshipState {
    /** Background copy running. */
    COPYING,
    /** Every region is on the target; kept because the relationship is persistent. */
    COPIED,
    /** No background copy: regions are copied only when written on either side. */
    NO_BACKGROUND_COPY,
    /** A copy failed: the target image is lost and the target takes no I/O; the source goes on. */
    FAILED
}
