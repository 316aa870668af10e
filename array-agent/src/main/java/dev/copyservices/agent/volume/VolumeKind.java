package dev.copyservices.agent.volume;

/** What a volume is: its own data, or a FlashCopy's view of a base. */
public enum VolumeKind {
    STANDARD,
    FLASHCOPY
}
