package dev.copyservices.csi.common;

import dev.copyservices.csi.v1.VolumeCapability;
import dev.copyservices.csi.v1.VolumeCapability.AccessMode.Mode;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which volume capabilities the driver serves. A volume is attached over NBD by one node at a time,
 * so the single-node access modes are served, for block and filesystem (ext4, xfs) access alike;
 * multi-node modes would need a cluster file system or coordinated block access and are refused.
 */
public final class VolumeCapabilities {
    public static final Set<String> FILE_SYSTEMS = Set.of("ext4", "xfs");
    public static final String DEFAULT_FILE_SYSTEM = "ext4";
    private static final Set<Mode> MODES = Set.of(Mode.SINGLE_NODE_WRITER, Mode.SINGLE_NODE_READER_ONLY,
            Mode.SINGLE_NODE_SINGLE_WRITER, Mode.SINGLE_NODE_MULTI_WRITER);

    private VolumeCapabilities() {
    }

    /** Why the driver cannot serve this capability, or empty when it can. */
    public static Optional<String> unsupported(VolumeCapability capability) {
        if (!capability.hasBlock() && !capability.hasMount()) {
            return Optional.of("a volume capability needs an access type: block or mount");
        }
        if (!capability.hasAccessMode()) {
            return Optional.of("a volume capability needs an access mode");
        }
        Mode mode = capability.getAccessMode().getMode();
        if (!MODES.contains(mode)) {
            return Optional.of("access mode " + mode + " is not supported: a volume is attached by one node at a time;"
                    + " use SINGLE_NODE_WRITER, SINGLE_NODE_READER_ONLY, SINGLE_NODE_SINGLE_WRITER or"
                    + " SINGLE_NODE_MULTI_WRITER");
        }
        if (capability.hasMount()) {
            String fsType = capability.getMount().getFsType();
            if (!fsType.isEmpty() && !FILE_SYSTEMS.contains(fsType)) {
                return Optional.of("file system type '" + fsType + "' is not supported; use ext4 (the default) or xfs");
            }
        }
        return Optional.empty();
    }

    /** Throws INVALID_ARGUMENT unless every capability is present and served. */
    public static void requireSupported(List<VolumeCapability> capabilities) {
        if (capabilities.isEmpty()) {
            throw CsiError.invalid("volume_capabilities are missing; give at least one");
        }
        for (VolumeCapability capability : capabilities) {
            unsupported(capability).ifPresent(why -> {
                throw CsiError.invalid(why);
            });
        }
    }

    public static boolean readOnlyMode(VolumeCapability capability) {
        return capability.getAccessMode().getMode() == Mode.SINGLE_NODE_READER_ONLY;
    }

    public static String fileSystem(VolumeCapability capability) {
        String fsType = capability.getMount().getFsType();
        return fsType.isEmpty() ? DEFAULT_FILE_SYSTEM : fsType;
    }
}
