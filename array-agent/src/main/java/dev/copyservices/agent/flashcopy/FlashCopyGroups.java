package dev.copyservices.agent.flashcopy;

import java.util.List;

/** SKELETON: FlashCopy groups (CSM FlashCopy sessions). Being built. */
public final class FlashCopyGroups {
    public GroupInfo create(String name, CopyOptions options) {
        throw new UnsupportedOperationException("being built");
    }

    public GroupInfo addPair(String group, String source, String target) {
        throw new UnsupportedOperationException("being built");
    }

    public GroupInfo removePair(String group, String source, String target) {
        throw new UnsupportedOperationException("being built");
    }

    public GroupInfo flash(String name) {
        throw new UnsupportedOperationException("being built");
    }

    public GroupInfo startBackgroundCopy(String name) {
        throw new UnsupportedOperationException("being built");
    }

    public GroupInfo terminate(String name, boolean force) {
        throw new UnsupportedOperationException("being built");
    }

    public GroupInfo discover(String name) {
        throw new UnsupportedOperationException("being built");
    }

    public GroupInfo get(String name) {
        throw new UnsupportedOperationException("being built");
    }

    /** Sorted by name. */
    public List<GroupInfo> list() {
        throw new UnsupportedOperationException("being built");
    }

    /** A Defined group only. */
    public void delete(String name) {
        throw new UnsupportedOperationException("being built");
    }

    public int count() {
        return 0;
    }
}
