package dev.copyservices.agent.nbd;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * What the NBD server serves: the volumes of the pool, looked up by export name. Every look-up names
 * the client's address, so that the registry can keep a volume from clients it is not attached to.
 */
public interface ExportRegistry {
    /** A line of NBD_OPT_LIST. */
    record ExportSummary(String name, String description) {
    }

    /** The exports {@code client} may open. */
    List<ExportSummary> list(InetAddress client);

    /** Size and flags for NBD_OPT_INFO without taking a hold; empty when there is no such export. */
    Optional<ExportSummaryInfo> info(String name, InetAddress client) throws ExportRefusedException;

    record ExportSummaryInfo(String name, long size, boolean readOnly) {
    }

    /**
     * Takes a hold on an export for one connection. {@code onRevoke} is run (from any thread) when
     * the export goes away under the connection (a forced delete) or the client loses access to it
     * (its host is detached); the connection must then close.
     *
     * @return empty when there is no such export
     * @throws ExportRefusedException when the export exists but the client may not open it
     */
    Optional<Export> open(String name, InetAddress client, Runnable onRevoke) throws ExportRefusedException;
}
