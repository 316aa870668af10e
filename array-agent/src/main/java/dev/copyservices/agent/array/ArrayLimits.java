package dev.copyservices.agent.array;

/**
 * Per-array limits. Defaults follow the DS4000 guide (DECISIONS.md): 2048 volumes counting
 * repositories, copy targets and mirror volumes; 4 FlashCopies per base; FlashCopies at most half
 * the volumes; 8 copies in progress; 64 mirrors.
 */
public record ArrayLimits(int maxVolumes, int maxFlashCopiesPerBase, int maxFlashCopies, int maxCopiesInProgress,
        int maxMirrors) {

    public static final int DEFAULT_MAX_VOLUMES = 2048;

    public ArrayLimits {
        requirePositive("max volumes", maxVolumes);
        requirePositive("max FlashCopies per base", maxFlashCopiesPerBase);
        requirePositive("max FlashCopies", maxFlashCopies);
        requirePositive("max copies in progress", maxCopiesInProgress);
        requirePositive("max mirrors", maxMirrors);
    }

    public static ArrayLimits defaults() {
        return new ArrayLimits(DEFAULT_MAX_VOLUMES, 4, DEFAULT_MAX_VOLUMES / 2, 8, 64);
    }

    private static void requirePositive(String what, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(what + " must be at least 1, not " + value);
        }
    }
}
