package dev.copyservices.agent.flashcopy;

/** What a full repository does (DS4000 guide L2140-2182). */
public enum FullPolicy {
    /** The default: the FlashCopy fails, base I/O goes on. */
    FAIL_FLASH_COPY,
    /** Every base write is rejected until the repository grows; the image stays readable. */
    FAIL_BASE_WRITES
}
