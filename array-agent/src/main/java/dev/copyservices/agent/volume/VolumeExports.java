package dev.copyservices.agent.volume;

import dev.copyservices.agent.nbd.Export;
import dev.copyservices.agent.nbd.ExportRefusedException;
import dev.copyservices.agent.nbd.ExportRegistry;
import dev.copyservices.agent.pool.catalog.VolumeRecord;
import dev.copyservices.api.Sizes;
import java.net.InetAddress;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The volumes of a {@link VolumeEngine} as the NBD server sees them: each export is open only to
 * clients at the addresses of the hosts the volume is attached to. A client that is not attached is
 * told so, with the command that attaches it; the export list shows it only what it may open.
 */
final class VolumeExports implements ExportRegistry {
    private final VolumeEngine engine;

    VolumeExports(VolumeEngine engine) {
        this.engine = engine;
    }

    @Override
    public List<ExportSummary> list(InetAddress client) {
        return engine.volumes().stream()
                .map(Volume::record)
                .filter(r -> allows(r, client))
                .map(r -> new ExportSummary(r.getName(), Sizes.format(r.getSizeBytes())
                        + (r.getReadOnly() ? " read-only" : "") + " volume"))
                .sorted(Comparator.comparing(ExportSummary::name))
                .toList();
    }

    @Override
    public Optional<ExportSummaryInfo> info(String name, InetAddress client) throws ExportRefusedException {
        Volume volume = engine.byName(name);
        if (volume == null) {
            return Optional.empty();
        }
        check(volume.record(), client);
        return Optional.of(new ExportSummaryInfo(name, volume.device().size(), volume.record().getReadOnly()));
    }

    @Override
    public Optional<Export> open(String name, InetAddress client, Runnable onRevoke) throws ExportRefusedException {
        synchronized (engine.controlLock()) { // a delete or detach cannot slip between the check and the hold
            Volume volume = engine.byName(name);
            if (volume == null) {
                return Optional.empty();
            }
            check(volume.record(), client);
            return Optional.of(volume.hold(client, onRevoke));
        }
    }

    private boolean allows(VolumeRecord record, InetAddress client) {
        return !engine.hostMappingEnforced() || HostMapping.allows(record, client);
    }

    private void check(VolumeRecord record, InetAddress client) throws ExportRefusedException {
        if (!allows(record, client)) {
            throw new ExportRefusedException(HostMapping.refusal(record, client));
        }
    }
}
