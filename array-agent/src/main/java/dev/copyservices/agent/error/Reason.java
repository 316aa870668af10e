package dev.copyservices.agent.error;

/**
 * Why an engine refused or failed a request. The category decides the gRPC status code (and later
 * the Kubernetes condition); the name itself travels as {@code ErrorDetail.reason}, so it is stable.
 */
public enum Reason {
    INVALID_NAME(Category.INVALID_ARGUMENT),
    INVALID_SIZE(Category.INVALID_ARGUMENT),
    INVALID_ATTRIBUTE(Category.INVALID_ARGUMENT),
    SHRINK_NOT_SUPPORTED(Category.INVALID_ARGUMENT),
    INVALID_REPOSITORY(Category.INVALID_ARGUMENT),
    INVALID_THRESHOLD(Category.INVALID_ARGUMENT),
    NOT_A_STANDARD_VOLUME(Category.FAILED_PRECONDITION),
    FLASHCOPY_NOT_FOUND(Category.NOT_FOUND),
    FLASHCOPY_STATE(Category.FAILED_PRECONDITION),
    FLASHCOPY_LIMIT_REACHED(Category.RESOURCE_EXHAUSTED),
    FEATURE_DISABLED(Category.FAILED_PRECONDITION),
    INVALID_COPY_OPTIONS(Category.INVALID_ARGUMENT),
    TARGET_TOO_SMALL(Category.FAILED_PRECONDITION),
    VOLUME_IN_RELATIONSHIP(Category.FAILED_PRECONDITION),
    PERSISTENT_TARGET(Category.FAILED_PRECONDITION),
    RELATIONSHIP_NOT_FOUND(Category.NOT_FOUND),
    RELATIONSHIP_AMBIGUOUS(Category.INVALID_ARGUMENT),
    RELATIONSHIP_STATE(Category.FAILED_PRECONDITION),
    BACKGROUND_COPY_INCOMPLETE(Category.FAILED_PRECONDITION),
    GROUP_NOT_FOUND(Category.NOT_FOUND),
    GROUP_EXISTS(Category.ALREADY_EXISTS),
    GROUP_STATE(Category.FAILED_PRECONDITION),
    INCREMENTAL_MISMATCH(Category.FAILED_PRECONDITION),
    VOLUMECOPY_NOT_FOUND(Category.NOT_FOUND),
    VOLUMECOPY_STATE(Category.FAILED_PRECONDITION),
    VOLUMECOPY_INELIGIBLE(Category.FAILED_PRECONDITION),
    INVALID_COPY_REQUEST(Category.INVALID_ARGUMENT),
    VOLUME_IN_COPY(Category.FAILED_PRECONDITION),
    VOLUME_NOT_FOUND(Category.NOT_FOUND),
    VOLUME_EXISTS(Category.ALREADY_EXISTS),
    VOLUME_IN_USE(Category.FAILED_PRECONDITION),
    VOLUME_LIMIT_REACHED(Category.RESOURCE_EXHAUSTED),
    POOL_FULL(Category.RESOURCE_EXHAUSTED),
    POOL_IO_ERROR(Category.INTERNAL),
    EVENT_READER_TOO_SLOW(Category.RESOURCE_EXHAUSTED),
    AGENT_STOPPING(Category.UNAVAILABLE);

    /** Kinds of failure a client treats alike; mirrors the gRPC codes the API promises. */
    public enum Category {
        INVALID_ARGUMENT,
        NOT_FOUND,
        ALREADY_EXISTS,
        FAILED_PRECONDITION,
        RESOURCE_EXHAUSTED,
        /** The agent cannot serve right now (e.g. it is stopping); the same request may work later. */
        UNAVAILABLE,
        INTERNAL
    }

    private final Category category;

    Reason(Category category) {
        this.category = category;
    }

    public Category category() {
        return category;
    }
}
