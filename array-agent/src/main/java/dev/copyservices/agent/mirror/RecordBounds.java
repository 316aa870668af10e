package dev.copyservices.agent.mirror;

/**
 * Whether a replication record's byte range lies within the secondary volume. Offsets and lengths
 * are uint64 on the wire, so as Java longs they may be negative, and their sum may overflow: a plain
 * {@code offset + length > size} lets such a record through.
 */
final class RecordBounds {
    private RecordBounds() {
    }

    /** Why [offset, offset + length) is not within a volume of {@code volumeSize} bytes; null when it is. */
    static String outside(String what, long offset, long length, long volumeSize) {
        if (offset < 0 || length < 0 || offset > volumeSize || length > volumeSize - offset) {
            return what + " of " + Long.toUnsignedString(length) + " bytes at offset " + Long.toUnsignedString(offset)
                    + " lies outside the secondary volume of " + volumeSize + " bytes";
        }
        return null;
    }
}
