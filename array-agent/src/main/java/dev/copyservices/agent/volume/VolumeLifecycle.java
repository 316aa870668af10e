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

    /**
     * Throws an EngineException when another engine needs the volume's data to stay as it is, before an
     * engine replaces it (re-creating or disabling a FlashCopy, flashing onto a target, a reverse).
     */
    default void checkDataChange(VolumeRecord record, String operation) {
    }

    /**
     * Throws an EngineException when the volume's data is not a usable image yet, before an engine takes
     * a point in time of it (a FlashCopy of it, a flash from it).
     */
    default void checkImageRead(VolumeRecord record, String operation) {
    }

    /** Several engines' lifecycles as one: standard devices are wrapped by each in turn, checks all run. */
    static VolumeLifecycle of(VolumeLifecycle... parts) {
        java.util.List<VolumeLifecycle> all = java.util.List.of(parts);
        return new VolumeLifecycle() {
            @Override
            public VolumeDevice wrapStandard(VolumeRecord record, VolumeDevice file) {
                VolumeDevice device = file;
                for (VolumeLifecycle part : all) {
                    device = part.wrapStandard(record, device);
                }
                return device;
            }

            @Override
            public void deleted(VolumeRecord record) {
                all.forEach(part -> part.deleted(record));
            }

            @Override
            public void checkDeletable(VolumeRecord record) {
                all.forEach(part -> part.checkDeletable(record));
            }

            @Override
            public void checkResizable(VolumeRecord record, long newSize) {
                all.forEach(part -> part.checkResizable(record, newSize));
            }

            @Override
            public void checkDataChange(VolumeRecord record, String operation) {
                all.forEach(part -> part.checkDataChange(record, operation));
            }

            @Override
            public void checkImageRead(VolumeRecord record, String operation) {
                all.forEach(part -> part.checkImageRead(record, operation));
            }
        };
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
