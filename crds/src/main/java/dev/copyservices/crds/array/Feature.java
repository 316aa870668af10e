package dev.copyservices.crds.array;

/** The seeds' premium features, here plain feature gates (no licence keys). */
public enum Feature {
    FlashCopy, VolumeCopy, RemoteMirror
}
