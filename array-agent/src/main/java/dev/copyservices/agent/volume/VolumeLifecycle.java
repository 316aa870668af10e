package dev.copyservices.agent.volume;

import dev.copyservices.agent.pool.catalog.VolumeRecord;

/**
 * What another engine adds to the life of volumes it builds on (the FlashCopy engine: the
 * copy-on-write path of a base, and the cascade of a base's deletion). Called by VolumeEngine.
 */
public interface VolumeLifecycle {
    /** The device a standard volume's exports write through, around its data file. */
    VolumeDevice wrapStandard(VolumeRecord record, VolumeDevice file);

    /** After the catalog stopped naming {@code record}, before its device closes. */
    void deleted(VolumeRecord record);

    /** Throws an EngineException when another engine still needs the volume (a copy relationship). */
    default void checkDeletable(VolumeRecord record) {
    }

    /** Throws an EngineException when another engine needs the volume to keep its size. */
    default void checkResizable(VolumeRecord record, long newSize) {
    }

    VolumeLifecycle NONE = new VolumeLifecycle() {
        @Override
        public VolumeDevice wrapStandard(VolumeRecord record, VolumeDevice file) {
            return file;
        }

        @Override
        public void deleted(VolumeRecord record) {
        }
    };
}
