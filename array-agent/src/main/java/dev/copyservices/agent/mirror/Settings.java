package dev.copyservices.agent.mirror;

import dev.copyservices.agent.error.EngineException;
import dev.copyservices.agent.error.Reason;
import dev.copyservices.agent.pool.catalog.MirrorRecord;
import dev.copyservices.agent.volumecopy.CopyPriority;
import dev.copyservices.api.agent.v1.MirrorSettings;
import dev.copyservices.api.agent.v1.ResyncMethod;
import dev.copyservices.api.agent.v1.WriteMode;

/** Settings defaults, checks and their record form. */
final class Settings {
    private Settings() {
    }

    static MirrorSettings defaults(MirrorSettings s) {
        MirrorSettings.Builder b = s.toBuilder();
        if (s.getWriteMode() == WriteMode.WRITE_MODE_UNSPECIFIED) {
            b.setWriteMode(WriteMode.SYNCHRONOUS); // L7592
        }
        if (s.getSyncPriority() == dev.copyservices.api.agent.v1.CopyPriority.COPY_PRIORITY_UNSPECIFIED) {
            b.setSyncPriority(dev.copyservices.api.agent.v1.CopyPriority.COPY_PRIORITY_MEDIUM);
        }
        if (s.getResyncMethod() == ResyncMethod.RESYNC_METHOD_UNSPECIFIED) {
            b.setResyncMethod(ResyncMethod.MANUAL);
        }
        return b.build();
    }

    static void check(MirrorSettings s) {
        if (s.getWriteMode() == WriteMode.SYNCHRONOUS && !s.getConsistencyGroup().isEmpty()) {
            throw new EngineException(Reason.INVALID_MIRROR_REQUEST, "a consistency group keeps the write order"
                    + " of asynchronous mirrors; a synchronous mirror cannot join one", "choose asynchronous mode"
                            + " with the group, or leave the group out");
        }
        String g = s.getConsistencyGroup();
        if (!g.isEmpty() && !g.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
            throw new EngineException(Reason.INVALID_MIRROR_REQUEST, "consistency group '" + g + "' is not a"
                    + " valid name", "use 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        if (s.getWriteMode() == WriteMode.UNRECOGNIZED || s.getResyncMethod() == ResyncMethod.UNRECOGNIZED
                || s.getSyncPriority() == dev.copyservices.api.agent.v1.CopyPriority.UNRECOGNIZED) {
            throw new EngineException(Reason.INVALID_MIRROR_REQUEST, "unknown setting value", "use the values"
                    + " the API lists");
        }
    }

    static final int MAX_LABELS = 32;

    /** Labels travel with the mirror to the peer and into both catalogs: bounded, and printable. */
    static void checkLabels(java.util.Map<String, String> labels) {
        if (labels.size() > MAX_LABELS) {
            throw new EngineException(Reason.INVALID_MIRROR_REQUEST, labels.size() + " labels were given; a mirror"
                    + " keeps at most " + MAX_LABELS, "leave out the labels the other site does not need");
        }
        for (var label : labels.entrySet()) {
            if (label.getKey().isEmpty() || label.getKey().length() > 253 || label.getValue().length() > 1024
                    || label.getKey().chars().anyMatch(c -> c < 0x21 || c == 0x7f)
                    || label.getValue().chars().anyMatch(Character::isISOControl)) {
                throw new EngineException(Reason.INVALID_MIRROR_REQUEST, "label '" + label.getKey() + "' is not"
                        + " valid", "use keys of 1-253 printable characters without spaces and values of at most"
                                + " 1024 characters without control characters");
            }
        }
    }

    static dev.copyservices.api.agent.v1.CopyPriority wire(CopyPriority p) {
        return dev.copyservices.api.agent.v1.CopyPriority.valueOf("COPY_PRIORITY_" + p.name());
    }

    static CopyPriority engineSide(dev.copyservices.api.agent.v1.CopyPriority p) {
        return CopyPriority.valueOf(p.name().substring("COPY_PRIORITY_".length()));
    }

    static MirrorSettings apply(MirrorSettings current, MirrorUpdate u) {
        MirrorSettings.Builder b = current.toBuilder();
        if (u.writeMode() != null && u.writeMode() != WriteMode.WRITE_MODE_UNSPECIFIED) {
            b.setWriteMode(u.writeMode());
            if (u.writeMode() == WriteMode.SYNCHRONOUS && u.consistencyGroup() == null) {
                b.clearConsistencyGroup(); // leaving async mode leaves its group
            }
        }
        if (u.consistencyGroup() != null) {
            b.setConsistencyGroup(u.consistencyGroup());
        }
        if (u.syncPriority() != null
                && u.syncPriority() != dev.copyservices.api.agent.v1.CopyPriority.COPY_PRIORITY_UNSPECIFIED) {
            b.setSyncPriority(u.syncPriority());
        }
        if (u.resyncMethod() != null && u.resyncMethod() != ResyncMethod.RESYNC_METHOD_UNSPECIFIED) {
            b.setResyncMethod(u.resyncMethod());
        }
        return b.build();
    }

    static MirrorSettings of(MirrorRecord r) {
        return MirrorSettings.newBuilder()
                .setWriteMode(r.getAsynchronous() ? WriteMode.ASYNCHRONOUS : WriteMode.SYNCHRONOUS)
                .setConsistencyGroup(r.getConsistencyGroup())
                .setSyncPriority(wire(CopyPriority.of(r.getPriority())))
                .setResyncMethod(r.getAutomaticResync() ? ResyncMethod.AUTOMATIC : ResyncMethod.MANUAL).build();
    }

    static MirrorRecord.Builder applyTo(MirrorRecord.Builder b, MirrorSettings s) {
        return b.setAsynchronous(s.getWriteMode() == WriteMode.ASYNCHRONOUS)
                .setConsistencyGroup(s.getConsistencyGroup())
                .setPriority(engineSide(s.getSyncPriority()).record())
                .setAutomaticResync(s.getResyncMethod() == ResyncMethod.AUTOMATIC);
    }

    static String describe(MirrorSettings s) {
        String mode = s.getWriteMode() == WriteMode.SYNCHRONOUS ? "synchronous (Metro Mirroring)"
                : s.getConsistencyGroup().isEmpty() ? "asynchronous (Global Copy)"
                        : "asynchronous in consistency group '" + s.getConsistencyGroup() + "' (Global Mirroring)";
        return mode + ", sync priority " + engineSide(s.getSyncPriority()).label()
                + ", resync " + (s.getResyncMethod() == ResyncMethod.AUTOMATIC ? "automatic" : "manual");
    }

}
