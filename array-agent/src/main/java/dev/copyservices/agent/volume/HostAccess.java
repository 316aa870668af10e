package dev.copyservices.agent.volume;

/**
 * What hosts (NBD clients) may do with a volume while another engine restricts it, e.g. the source
 * and target of a running VolumeCopy. The volume's own read-only flag is separate and still applies.
 */
public enum HostAccess {
    READ_WRITE,
    READ_ONLY,
    NONE;

    boolean allowsRead() {
        return this != NONE;
    }

    boolean allowsWrite() {
        return this == READ_WRITE;
    }

    /** The stricter of the two. */
    HostAccess and(HostAccess other) {
        return compareTo(other) >= 0 ? this : other;
    }
}
