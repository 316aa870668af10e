package dev.copyservices.cli;

import dev.copyservices.api.agent.v1.FlashCopyGroup;
import dev.copyservices.api.agent.v1.GroupPair;
import dev.copyservices.api.agent.v1.GroupState;
import dev.copyservices.api.agent.v1.PairState;
import java.util.Comparator;
import java.util.List;

/** The table and detail forms of FlashCopy groups, in Copy Services Manager's session words. */
final class GroupOutput {

    /**
     * The warning csctl gives with a group that is not consistent: which pairs may not share the group's
     * point in time, and why. A pair is discovered (adopted with a flash time nobody knows), or it was
     * re-flashed on its own with {@code flashcopy reflash} after the group's last flash.
     */
    static String notConsistent(FlashCopyGroup g) {
        List<String> pairs = g.getPairsList().stream()
                .filter(p -> p.hasRelationship() && !p.getConsistent())
                .map(p -> RelationshipOutput.pair(p.getSource(), p.getTarget())
                        + (p.getDiscovered() ? " (discovered)" : " (re-flashed on its own)"))
                .toList();
        String which = pairs.isEmpty()
                ? "the group's pairs are not proven consistent with each other"
                : "not every pair holds the group's point in time: " + String.join(", ", pairs);
        return which + "; flash the group to give every pair one point in time ('csctl flashcopy-group flash "
                + CommandGroup.shellWord(g.getName()) + "')";
    }

    private GroupOutput() {
    }

    /** {@code flashcopy-group list}, sorted by name. */
    static String table(List<FlashCopyGroup> groups) {
        Output.Table table = new Output.Table("NAME", "STATE", "PAIRS", "OPTIONS", "LAST-FLASH", "CONSISTENT",
                "COPIED");
        groups.stream()
                .sorted(Comparator.comparing(FlashCopyGroup::getName))
                .forEach(g -> table.row(g.getName(), state(g.getState()), Integer.toString(g.getPairsCount()),
                        RelationshipOutput.shortOptions(g.getOptions()), lastFlash(g), yesNo(g.getConsistent()),
                        FlashCopyOutput.percent(g.getCopiedPercent())));
        return table.render();
    }

    /** {@code flashcopy-group show}: the group's fields, then one row per pair. */
    static String render(FlashCopyGroup g) {
        String details = new Output.Details()
                .field("Name", g.getName())
                .field("State", state(g.getState()))
                .field("Options", RelationshipOutput.longOptions(g.getOptions()))
                .field("Created", Output.time(g.hasCreated(), g.getCreated()))
                .field("Last flash", lastFlash(g))
                .field("Consistent", yesNo(g.getConsistent()))
                .field("Copied", FlashCopyOutput.percent(g.getCopiedPercent()))
                .field("Pairs", Integer.toString(g.getPairsCount()))
                .render();
        if (g.getPairsCount() == 0) {
            return details;
        }
        return details + "\n" + pairs(g.getPairsList());
    }

    /** Pairs in the order the group keeps them, which is the order they were added. */
    static String pairs(List<GroupPair> pairs) {
        Output.Table table = new Output.Table("SOURCE", "TARGET", "STATE", "CONSISTENT", "FLASH-TIME", "COPIED");
        for (GroupPair p : pairs) {
            // a Defined pair has no relationship: consistency and copy progress do not apply yet
            boolean flashed = p.hasRelationship();
            table.row(p.getSource(), p.getTarget(), state(p.getState()),
                    !flashed ? "-" : p.getDiscovered() ? "no (discovered)" : yesNo(p.getConsistent()),
                    Output.time(p.hasFlashTime(), p.getFlashTime()),
                    flashed ? FlashCopyOutput.percent(p.getRelationship().getCopiedPercent()) : "-");
        }
        return table.render();
    }

    static String state(GroupState state) {
        return switch (state) {
            case GROUP_DEFINED -> "Defined";
            case GROUP_PREPARING -> "Preparing";
            case GROUP_TARGET_AVAILABLE -> "TargetAvailable";
            case GROUP_TERMINATING -> "Terminating";
            case GROUP_STATE_UNSPECIFIED -> "-";
            case UNRECOGNIZED -> "unknown";
        };
    }

    static String state(PairState state) {
        return switch (state) {
            case PAIR_DEFINED -> "Defined";
            case PAIR_TARGET_AVAILABLE -> "TargetAvailable";
            case PAIR_STATE_UNSPECIFIED -> "-";
            case UNRECOGNIZED -> "unknown";
        };
    }

    static String lastFlash(FlashCopyGroup g) {
        return g.hasLastFlash() ? Output.time(true, g.getLastFlash()) : "never";
    }

    private static String yesNo(boolean value) {
        return value ? "yes" : "no";
    }
}
