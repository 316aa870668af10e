package dev.copyservices.agent.nbd;

import java.util.List;
import java.util.Optional;

/** What the NBD server serves: the volumes of the pool, looked up by export name. */
public interface ExportRegistry {
    /** A line of NBD_OPT_LIST. */
    record ExportSummary(String name, String description) {
    }

    List<ExportSummary> list();

    /** Size and flags for NBD_OPT_INFO without taking a hold. */
    Optional<ExportSummaryInfo> info(String name);

    record ExportSummaryInfo(String name, long size, boolean readOnly) {
    }

    /**
     * Takes a hold on an export for one connection. {@code onRevoke} is run (from any thread) when
     * the export goes away under the connection, e.g. a forced delete; the connection must then close.
     */
    Optional<Export> open(String name, Runnable onRevoke);
}
