package dev.copyservices.agent.flashcopy;

import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;
import dev.copyservices.api.Sizes;
import java.util.Set;

/** The DS4000 rules for FlashCopy parameters and default names (DECISIONS.md, FlashCopy). */
final class FlashCopyRules {
    static final int DEFAULT_REPOSITORY_PERCENT = 20;
    static final int MAX_REPOSITORY_PERCENT = 1000;
    static final long MIN_REPOSITORY_BYTES = 8L << 20;
    static final int DEFAULT_WARNING_THRESHOLD = 50;
    static final int DEFAULT_CHUNK_BYTES = 16 << 10;
    private static final int NAME_LIMIT = 30;

    private FlashCopyRules() {
    }

    /** Chunk sizes a pool may use: a power of two from 512 bytes to the base's 64 KiB lock unit. */
    static void checkChunkBytes(int chunkBytes) {
        if (chunkBytes < 512 || chunkBytes > CowBase.LOCK_UNIT || Integer.bitCount(chunkBytes) != 1) {
            throw new IllegalArgumentException("the copy-on-write chunk size must be a power of two from 512 bytes"
                    + " to 64 KiB, not " + chunkBytes);
        }
    }

    static int warningThreshold(Integer requested) {
        int threshold = requested == null ? DEFAULT_WARNING_THRESHOLD : requested;
        if (threshold < 1 || threshold > 100) {
            throw new EngineException(Reason.INVALID_THRESHOLD, "a warning threshold of " + threshold
                    + "% is out of range", "give a percent from 1 to 100 (the default is 50)");
        }
        return threshold;
    }

    /**
     * Repository capacity in bytes, a whole number of chunks, at least 8 MiB (L2239): a percent of
     * the base (default 20%, L2708) or a size.
     */
    static long repositoryBytes(Integer percent, Long bytes, long baseSize, int chunkBytes) {
        if (percent != null && bytes != null) {
            throw new EngineException(Reason.INVALID_REPOSITORY, "both a repository percent and a repository size"
                    + " were given", "give one of them");
        }
        long wanted;
        if (bytes != null) {
            if (bytes < MIN_REPOSITORY_BYTES) {
                throw new EngineException(Reason.INVALID_REPOSITORY, "a repository of " + Sizes.format(bytes)
                        + " is too small", "give at least 8 MiB");
            }
            wanted = bytes;
        } else {
            int p = percent == null ? DEFAULT_REPOSITORY_PERCENT : percent;
            if (p < 1 || p > MAX_REPOSITORY_PERCENT) {
                throw new EngineException(Reason.INVALID_REPOSITORY, "a repository of " + p + "% of the base is out"
                        + " of range", "give a percent from 1 to " + MAX_REPOSITORY_PERCENT + " (the default is 20)");
            }
            wanted = Math.max(MIN_REPOSITORY_BYTES, Math.ceilDiv(baseSize * p, 100));
        }
        return Math.ceilDiv(wanted, chunkBytes) * chunkBytes;
    }

    /** The seed's default name: the base cut just enough to fit the suffix in 30 characters (L2683). */
    static String defaultName(String base, String suffix) {
        String cut = base.length() + suffix.length() > NAME_LIMIT ? base.substring(0, NAME_LIMIT - suffix.length())
                : base;
        return cut + suffix;
    }

    /** The lowest sequence number no FlashCopy of the base holds (L2673-2677, DECISIONS.md). */
    static int nextSequence(Set<Integer> taken, int maxPerBase) {
        for (int n = 1; n <= maxPerBase; n++) {
            if (!taken.contains(n)) {
                return n;
            }
        }
        throw new IllegalStateException("no free sequence number; the per-base limit is checked first");
    }

    /** The seed's management overhead estimate: 192 KiB plus base bytes / 2000 (L2287). */
    static long overheadEstimate(long baseBytes) {
        return (192L << 10) + baseBytes / 2000;
    }
}
