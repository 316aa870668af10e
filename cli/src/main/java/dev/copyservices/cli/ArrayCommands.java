package dev.copyservices.cli;

import dev.copyservices.api.agent.v1.Array;
import dev.copyservices.api.agent.v1.Capacity;
import dev.copyservices.api.agent.v1.Counts;
import dev.copyservices.api.agent.v1.GetArrayRequest;
import dev.copyservices.api.agent.v1.Limits;
import dev.copyservices.api.agent.v1.Security;
import picocli.CommandLine.Command;

/** {@code csctl array ...}: the array behind the agent. */
@Command(name = "array", description = "Show the array behind the agent.")
final class ArrayCommands extends CommandGroup {

    @Command(name = "show", description = "Identity, NBD endpoint, capacity, limits and counts of the array,"
            + " FlashCopy relationships, groups and VolumeCopy pairs included; first, what needs attention.")
    int show() {
        Array array = root.client().arrays().getArray(GetArrayRequest.getDefaultInstance());
        Output out = root.output();
        if (out.structured()) {
            out.document(array);
            // the table shows these at the top; a script's reader sees them in its log
            array.getNeedsAttentionList().forEach(line -> root.warn("the array needs attention: " + line));
        } else {
            out.print(render(array));
        }
        return 0;
    }

    /** The table form of {@code array show}. */
    static String render(Array a) {
        Capacity c = a.getCapacity();
        Limits l = a.getLimits();
        Counts n = a.getCounts();
        String flashCopies = usedOfMax(n.getFlashcopies(), l.getMaxFlashcopies());
        if (l.getMaxFlashcopiesPerBase() > 0) {
            flashCopies += " (at most " + l.getMaxFlashcopiesPerBase() + " per base volume)";
        }
        Output.Details details = new Output.Details();
        // first: whoever looks at the array must see what needs them before anything else
        if (a.getNeedsAttentionCount() > 0) {
            details.field("NEEDS ATTENTION", String.join("\n", a.getNeedsAttentionList()));
        }
        details.field("Name", Output.orDash(a.getName()))
                .field("ID", Output.orDash(a.getId()))
                .field("Site", Output.orDash(a.getSite()))
                .field("Version", Output.orDash(a.getVersion()))
                .field("NBD endpoint", Output.orDash(a.getNbdEndpoint()))
                .field("Features", a.getEnabledFeaturesCount() == 0 ? "-"
                        : String.join(", ", a.getEnabledFeaturesList()));
        if (a.getFeaturesOutOfComplianceCount() > 0) {
            details.field("Out of compliance", String.join(", ", a.getFeaturesOutOfComplianceList())
                    + " (turned off while objects of them exist: those keep working, new ones are refused)");
        }
        details.field("Security", security(a.getSecurity()));
        return details
                .section("Capacity")
                .field("Pool", Output.bytes(c.getPoolTotalBytes()) + " total, " + Output.bytes(c.getPoolFreeBytes()) + " free")
                .field("Provisioned", Output.bytes(c.getProvisionedBytes()))
                .field("Allocated", Output.bytes(c.getAllocatedBytes()))
                .end()
                .section("Limits (used / max)")
                .field("Volumes", usedOfMax(n.getVolumes(), l.getMaxVolumes()))
                .field("FlashCopies", flashCopies)
                .field("Copies in progress", usedOfMax(n.getCopiesInProgress(), l.getMaxCopiesInProgress()))
                .field("VolumeCopies", Integer.toUnsignedString(n.getVolumeCopies()) + " (pairs in any state)")
                .field("Mirrors", usedOfMax(n.getMirrors(), l.getMaxMirrors()))
                .end()
                .section("FlashCopy Copy mode")
                .field("Relationships", Integer.toUnsignedString(n.getFlashcopyRelationships()))
                .field("Groups", Integer.toUnsignedString(n.getFlashcopyGroups()))
                .end()
                .render();
    }

    /** How the agent's ports are protected; an agent of before this field shows a dash. */
    static String security(Security s) {
        return switch (s.getMode()) {
            case "" -> "-";
            case "insecure-dev" -> "INSECURE (--insecure-dev): plaintext, anyone who reaches the agent may do anything";
            default -> "mutual TLS as " + s.getIdentity() + ", certificate valid until "
                    + Output.time(s.hasCertificateNotAfter(), s.getCertificateNotAfter()) + "; replication accepts "
                    + (s.getPeerSitesCount() == 0 ? "any array agent of the CA"
                            : "sites " + String.join(", ", s.getPeerSitesList()));
        };
    }

    private static String usedOfMax(int used, int max) {
        return Integer.toUnsignedString(used) + " / " + Integer.toUnsignedString(max);
    }
}
