package dev.copyservices.crds.flashcopy;

/** Snapshot: a repository holds the originals. Copy: a target volume receives the image. */
public enum FlashCopyMode {
    Snapshot, Copy
}
