package dev.copyservices.cli;

import dev.copyservices.api.agent.v1.FlashCopy;
import dev.copyservices.api.agent.v1.FlashCopyState;
import dev.copyservices.api.agent.v1.FullPolicy;
import dev.copyservices.api.agent.v1.Repository;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The table forms of FlashCopies. States and policies use the DS4000 guide's words (Optimal,
 * FailFlashCopy), which is what a storage administrator reads in its documentation.
 */
final class FlashCopyOutput {

    private FlashCopyOutput() {
    }

    /** {@code flashcopy list}, sorted by name. */
    static String table(List<FlashCopy> flashCopies) {
        Output.Table table = new Output.Table("NAME", "BASE", "STATE", "POINT-IN-TIME", "REPOSITORY", "USED",
                "THRESHOLD", "POLICY");
        flashCopies.stream()
                .sorted(Comparator.comparing(FlashCopy::getName))
                .forEach(f -> {
                    Repository r = f.getRepository();
                    table.row(f.getName(), Output.orDash(f.getBase()), state(f.getState()),
                            Output.time(f.hasPointInTime(), f.getPointInTime()),
                            Output.orDash(r.getName()) + " (" + Output.bytes(r.getCapacityBytes()) + ")",
                            percent(r.getUsedPercent()), threshold(r), policy(r.getFullPolicy()));
                });
        return table.render();
    }

    /** {@code flashcopy show}. */
    static String render(FlashCopy f) {
        Repository r = f.getRepository();
        Output.Details details = new Output.Details()
                .field("Name", f.getName())
                .field("ID", Output.orDash(f.getId()))
                .field("Base", Output.orDash(f.getBase()))
                .field("State", state(f.getState()));
        if (f.getState() == FlashCopyState.FAILED || !f.getFailure().isEmpty()) {
            details.field("Failure", Output.orDash(f.getFailure()));
        }
        return details
                .field("Point in time", Output.time(f.hasPointInTime(), f.getPointInTime()))
                .field("Created", Output.time(f.hasCreated(), f.getCreated()))
                .field("Size", Output.bytes(f.getSizeBytes()) + " (" + Long.toUnsignedString(f.getSizeBytes())
                        + " bytes)")
                .field("Connections", Integer.toUnsignedString(f.getNbdConnections()))
                .section("Repository")
                .field("Name", Output.orDash(r.getName()))
                .field("Capacity", Output.bytes(r.getCapacityBytes()))
                .field("Used", Output.bytes(r.getUsedBytes()) + " (" + percent(r.getUsedPercent()) + ")")
                .field("Available", Output.bytes(r.getAvailableBytes()))
                .field("Warning threshold", Integer.toUnsignedString(r.getWarningThresholdPercent()) + "%")
                .field("Threshold exceeded", r.getThresholdExceeded() ? "yes" : "no")
                .field("Full policy", policy(r.getFullPolicy()))
                .field("Chunk size", Output.bytes(Integer.toUnsignedLong(r.getChunkBytes())))
                .field("Overhead estimate", Output.bytes(r.getOverheadEstimateBytes()))
                .field("Life estimate", r.hasLifeEstimate() ? duration(r.getLifeEstimate()) : "-")
                .end()
                .render();
    }

    static String state(FlashCopyState state) {
        return switch (state) {
            case OPTIMAL -> "Optimal";
            case DISABLED -> "Disabled";
            case FAILED -> "Failed";
            case FULL -> "Full";
            case FLASH_COPY_STATE_UNSPECIFIED -> "-";
            // a state from a newer agent: say so rather than guess
            case UNRECOGNIZED -> "unknown";
        };
    }

    /** The spelling users type after {@code --full-policy} and read in every output. */
    static String policy(FullPolicy policy) {
        return switch (policy) {
            case FAIL_FLASH_COPY -> "FailFlashCopy";
            case FAIL_BASE_WRITES -> "FailBaseWrites";
            case FULL_POLICY_UNSPECIFIED -> "-";
            case UNRECOGNIZED -> "unknown";
        };
    }

    /**
     * Used share with at most one decimal, e.g. {@code 12.5%}. Rounded down, so a repository never reads
     * 100% before it is full; a little use reads {@code <0.1%}, not 0%.
     */
    static String percent(double used) {
        if (Double.isNaN(used) || used <= 0) {
            return "0%";
        }
        if (used < 0.1) {
            return "<0.1%";
        }
        BigDecimal floored = BigDecimal.valueOf(used).setScale(1, RoundingMode.FLOOR).stripTrailingZeros();
        return floored.toPlainString() + "%";
    }

    /** Time as people say it: the two largest units, e.g. {@code 1 day 6 hours}, {@code 45 seconds}. */
    static String duration(com.google.protobuf.Duration d) {
        long seconds = d.getSeconds();
        if (seconds < 0) {
            return "-";
        }
        long[] amounts = {seconds / 86_400, seconds / 3600 % 24, seconds / 60 % 60, seconds % 60};
        String[] units = {"day", "hour", "minute", "second"};
        int first = 0;
        while (first < amounts.length - 1 && amounts[first] == 0) {
            first++;
        }
        List<String> parts = new ArrayList<>(2);
        parts.add(amount(amounts[first], units[first]));
        // only the next unit down: "3 days 5 seconds" reads as more precise than an estimate is
        if (first + 1 < amounts.length && amounts[first + 1] > 0) {
            parts.add(amount(amounts[first + 1], units[first + 1]));
        }
        return String.join(" ", parts);
    }

    private static String amount(long n, String unit) {
        return n + " " + unit + (n == 1 ? "" : "s");
    }

    private static String threshold(Repository r) {
        String percent = Integer.toUnsignedString(r.getWarningThresholdPercent()) + "%";
        return r.getThresholdExceeded() ? percent + " (exceeded)" : percent;
    }
}
