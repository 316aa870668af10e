package dev.copyservices.cli;

import dev.copyservices.api.agent.v1.CopyOptions;
import dev.copyservices.api.agent.v1.Relationship;
import dev.copyservices.api.agent.v1.RelationshipState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The table and detail forms of FlashCopy relationships (Copy mode). States are single words in the
 * style of Copy Services Manager (Copying, TargetAvailable), so that a column can be read with awk.
 */
final class RelationshipOutput {

    private RelationshipOutput() {
    }

    /** {@code flashcopy relationships}, sorted by target, the name a relationship goes by. */
    static String table(List<Relationship> relationships) {
        Output.Table table = new Output.Table("SOURCE", "TARGET", "STATE", "COPIED", "OPTIONS", "POINT-IN-TIME",
                "GROUP");
        relationships.stream()
                .sorted(Comparator.comparing(Relationship::getTarget))
                .forEach(r -> table.row(r.getSource(), r.getTarget(), state(r.getState()),
                        FlashCopyOutput.percent(r.getCopiedPercent()), shortOptions(r.getOptions()),
                        Output.time(r.hasPointInTime(), r.getPointInTime()), Output.orDash(r.getGroup())));
        return table.render();
    }

    /** {@code flashcopy relationship NAME}. */
    static String render(Relationship r) {
        Output.Details details = new Output.Details()
                .field("Source", r.getSource())
                .field("Target", r.getTarget())
                .field("ID", Output.orDash(r.getId()))
                .field("State", state(r.getState()));
        if (r.getState() == RelationshipState.RELATIONSHIP_FAILED || !r.getFailure().isEmpty()) {
            details.field("Failure", Output.orDash(r.getFailure()));
        }
        return details
                .field("Options", longOptions(r.getOptions()))
                .field("Group", Output.orDash(r.getGroup()))
                .field("Point in time", Output.time(r.hasPointInTime(), r.getPointInTime()))
                .field("Established", Output.time(r.hasEstablished(), r.getEstablished()))
                .field("Flash count", Long.toUnsignedString(r.getFlashCount()))
                .section("Regions")
                .field("Size", Output.bytes(Integer.toUnsignedLong(r.getRegionBytes())))
                .field("Count", Long.toUnsignedString(r.getRegions()))
                .field("Copied", regions(r.getCopiedRegions()) + " (" + FlashCopyOutput.percent(r.getCopiedPercent())
                        + ")")
                .field("Changed on source", r.getChangesTracked() ? regions(r.getSourceChangedRegions()) : "not tracked")
                .field("Changed on target", r.getChangesTracked() ? regions(r.getTargetChangedRegions()) : "not tracked")
                .field("To copy at last flash", regions(r.getRegionsToCopyAtFlash()))
                .end()
                .render();
    }

    /** How a relationship is named in running text: {@code "db" -> "db-copy"}. */
    static String pair(String source, String target) {
        return CommandGroup.quoted(source) + " -> " + CommandGroup.quoted(target);
    }

    static String pair(Relationship r) {
        return pair(r.getSource(), r.getTarget());
    }

    static String state(RelationshipState state) {
        return switch (state) {
            case RELATIONSHIP_COPYING -> "Copying";
            case RELATIONSHIP_COPIED -> "Copied";
            case RELATIONSHIP_NO_BACKGROUND_COPY -> "NoBackgroundCopy";
            case RELATIONSHIP_FAILED -> "Failed";
            case RELATIONSHIP_STATE_UNSPECIFIED -> "-";
            // a state from a newer agent: say so rather than guess
            case UNRECOGNIZED -> "unknown";
        };
    }

    /** For a table column: {@code bg,persistent,incremental}, or {@code -} for none. */
    static String shortOptions(CopyOptions o) {
        List<String> set = names(o, "bg");
        return set.isEmpty() ? "-" : String.join(",", set);
    }

    /** For a detail line and a confirmation: {@code background copy, persistent}, or {@code none}. */
    static String longOptions(CopyOptions o) {
        List<String> set = names(o, "background copy");
        return set.isEmpty() ? "none" : String.join(", ", set);
    }

    private static List<String> names(CopyOptions o, String backgroundCopy) {
        List<String> set = new ArrayList<>(3);
        if (o.getBackgroundCopy()) {
            set.add(backgroundCopy);
        }
        if (o.getPersistent()) {
            set.add("persistent");
        }
        if (o.getIncremental()) {
            set.add("incremental");
        }
        return set;
    }

    private static String regions(long count) {
        return Long.toUnsignedString(count) + (count == 1 ? " region" : " regions");
    }
}
