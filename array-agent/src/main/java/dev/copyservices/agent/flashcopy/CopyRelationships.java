package dev.copyservices.agent.flashcopy;

import java.util.List;

/** SKELETON: FlashCopy in Copy mode, relationships. Being built. */
public final class CopyRelationships {
    /** Idempotent on (source, target, options). */
    public RelationshipInfo establish(String source, String target, CopyOptions options) {
        throw new UnsupportedOperationException("being built");
    }

    /** {@code name}: the target, or a source with exactly one relationship. */
    public RelationshipInfo reflash(String name) {
        throw new UnsupportedOperationException("being built");
    }

    public RelationshipInfo reverse(String name) {
        throw new UnsupportedOperationException("being built");
    }

    public RelationshipInfo startBackgroundCopy(String name) {
        throw new UnsupportedOperationException("being built");
    }

    public WithdrawResult withdraw(String name, boolean force) {
        throw new UnsupportedOperationException("being built");
    }

    public RelationshipInfo get(String name) {
        throw new UnsupportedOperationException("being built");
    }

    /** {@code volume} and {@code group} filter when not empty; sorted by target name. */
    public List<RelationshipInfo> list(String volume, String group) {
        throw new UnsupportedOperationException("being built");
    }

    public int count() {
        return 0;
    }
}
