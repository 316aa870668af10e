package dev.copyservices.crds.common;

/**
 * The seeds' five copy priorities: how much of the array's capacity a background copy or a mirror's
 * synchronization may take from host I/O.
 */
public enum CopyPriority {
    Lowest, Low, Medium, High, Highest
}
