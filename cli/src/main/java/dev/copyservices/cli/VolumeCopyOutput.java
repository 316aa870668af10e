package dev.copyservices.cli;

import dev.copyservices.api.agent.v1.CopyPriority;
import dev.copyservices.api.agent.v1.CopyState;
import dev.copyservices.api.agent.v1.VolumeCopy;
import java.util.Comparator;
import java.util.List;

/**
 * The table and detail forms of VolumeCopy pairs. States and priorities are single capitalised words
 * (InProgress, Highest), like the other copy services' states, so that a column can be read with awk.
 */
final class VolumeCopyOutput {

    /** The priorities a user may give, slowest first: the order in which help and errors list them. */
    static final List<CopyPriority> PRIORITIES = List.of(CopyPriority.COPY_PRIORITY_LOWEST,
            CopyPriority.COPY_PRIORITY_LOW, CopyPriority.COPY_PRIORITY_MEDIUM, CopyPriority.COPY_PRIORITY_HIGH,
            CopyPriority.COPY_PRIORITY_HIGHEST);

    /** Characters between the brackets of the progress bar that {@code volumecopy show} draws on a terminal. */
    static final int BAR_WIDTH = 20;

    private VolumeCopyOutput() {
    }

    /** {@code volumecopy list}, sorted by target, the name a pair goes by. */
    static String table(List<VolumeCopy> copies) {
        Output.Table table = new Output.Table("TARGET", "SOURCE", "STATE", "PRIORITY", "PROGRESS", "READ-ONLY",
                "COMPLETED");
        copies.stream()
                .sorted(Comparator.comparing(VolumeCopy::getTarget))
                .forEach(c -> table.row(c.getTarget(), c.getSource(), state(c.getState()), priority(c.getPriority()),
                        c.getState() == CopyState.COPY_IN_PROGRESS
                                ? FlashCopyOutput.percent(c.getCopiedPercent()) : "-",
                        yesNo(c.getTargetReadOnly()), Output.time(c.hasCompleted(), c.getCompleted())));
        return table.render();
    }

    /**
     * {@code volumecopy show TARGET}. Progress and the estimate are shown only while the copy runs, the
     * queue position only while it waits, the failure when it failed: the contract sets them only then.
     * {@code terminal} draws the progress as a bar.
     */
    static String render(VolumeCopy c, boolean terminal) {
        Output.Details details = new Output.Details()
                .field("Source", withId(c.getSource(), c.getSourceId()))
                .field("Target", withId(c.getTarget(), c.getTargetId()))
                .field("ID", Output.orDash(c.getId()))
                .field("State", state(c.getState()));
        if (c.getState() == CopyState.COPY_FAILED || !c.getFailure().isEmpty()) {
            details.field("Failure", Output.orDash(c.getFailure()));
        }
        if (c.getState() == CopyState.COPY_PENDING) {
            details.field("Queue position", c.getQueuePosition() == 0 ? "-"
                    : Integer.toUnsignedString(c.getQueuePosition()));
        }
        if (c.getState() == CopyState.COPY_IN_PROGRESS) {
            String amounts = Output.bytes(c.getBytesCopied()) + " of " + Output.bytes(c.getBytesTotal());
            details.field("Progress", terminal
                    ? bar(c.getCopiedPercent(), BAR_WIDTH) + "  " + amounts
                    : amounts + " (" + FlashCopyOutput.percent(c.getCopiedPercent()) + ")");
            details.field("Time left", c.hasEstimatedTimeLeft()
                    ? "about " + FlashCopyOutput.duration(c.getEstimatedTimeLeft())
                    : "not known yet");
        }
        return details
                .field("Priority", priority(c.getPriority()))
                .field("Target read-only", yesNo(c.getTargetReadOnly()))
                .field("Created", Output.time(c.hasCreated(), c.getCreated()))
                .field("Started", Output.time(c.hasStarted(), c.getStarted()))
                .field("Completed", Output.time(c.hasCompleted(), c.getCompleted()))
                .render();
    }

    /**
     * A text progress bar and the percent, e.g. {@code [#########...........]  45.2%}: {@code width}
     * characters between the brackets, a {@code #} for each whole share copied. Rounded down like the
     * percent, so that the bar is full only when the copy is.
     */
    static String bar(double percent, int width) {
        if (width < 1) {
            throw new IllegalArgumentException("a progress bar needs a width of at least 1, not " + width);
        }
        double p = Double.isNaN(percent) ? 0 : Math.min(100, Math.max(0, percent));
        int done = (int) Math.floor(p * width / 100);
        return "[" + "#".repeat(done) + ".".repeat(width - done) + "]  " + FlashCopyOutput.percent(p);
    }

    /** How a pair is named in running text: {@code "db" -> "db-copy"}, the source first. */
    static String pair(VolumeCopy c) {
        return RelationshipOutput.pair(c.getSource(), c.getTarget());
    }

    static String state(CopyState state) {
        return switch (state) {
            case COPY_PENDING -> "Pending";
            case COPY_IN_PROGRESS -> "InProgress";
            case COPY_COMPLETED -> "Completed";
            case COPY_STOPPED -> "Stopped";
            case COPY_FAILED -> "Failed";
            case COPY_STATE_UNSPECIFIED -> "-";
            // a state from a newer agent: say so rather than guess
            case UNRECOGNIZED -> "unknown";
        };
    }

    /** The spelling users type after {@code --priority} (in any case) and read in every output. */
    static String priority(CopyPriority priority) {
        return switch (priority) {
            case COPY_PRIORITY_LOWEST -> "Lowest";
            case COPY_PRIORITY_LOW -> "Low";
            case COPY_PRIORITY_MEDIUM -> "Medium";
            case COPY_PRIORITY_HIGH -> "High";
            case COPY_PRIORITY_HIGHEST -> "Highest";
            case COPY_PRIORITY_UNSPECIFIED -> "-";
            case UNRECOGNIZED -> "unknown";
        };
    }

    /** A state with what a person wants to know next to it: the percent copied, or the place in the queue. */
    static String stateWithProgress(VolumeCopy c) {
        return switch (c.getState()) {
            case COPY_IN_PROGRESS -> "InProgress, " + FlashCopyOutput.percent(c.getCopiedPercent()) + " copied";
            case COPY_PENDING -> c.getQueuePosition() == 0 ? "Pending"
                    : "Pending, number " + Integer.toUnsignedString(c.getQueuePosition()) + " in the queue";
            default -> state(c.getState());
        };
    }

    /** Where a copy is, for {@code --wait}: Completed is done; Stopped and Failed end it. */
    static Progress.Step step(VolumeCopy c) {
        String state = state(c.getState());
        return switch (c.getState()) {
            case COPY_COMPLETED -> Progress.Step.done(state);
            case COPY_FAILED -> Progress.Step.ended(c.getCopiedPercent(), state, (c.getFailure().isBlank() ? ""
                    : c.getFailure() + "; ") + "fix the cause, then 'csctl volumecopy recopy "
                    + CommandGroup.shellWord(c.getTarget()) + "'");
            case COPY_STOPPED -> Progress.Step.ended(c.getCopiedPercent(), state, "someone stopped it; 'csctl"
                    + " volumecopy recopy " + CommandGroup.shellWord(c.getTarget()) + "' copies again");
            default -> Progress.Step.running(c.getState() == CopyState.COPY_IN_PROGRESS ? c.getCopiedPercent() : 0,
                    state, stateWithProgress(c));
        };
    }

    private static String withId(String name, String id) {
        return id.isEmpty() ? name : name + " (" + id + ")";
    }

    private static String yesNo(boolean b) {
        return b ? "yes" : "no";
    }
}
