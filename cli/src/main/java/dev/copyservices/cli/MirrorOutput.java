package dev.copyservices.cli;

import dev.copyservices.api.agent.v1.CommunicationResult;
import dev.copyservices.api.agent.v1.CommunicationTest;
import dev.copyservices.api.agent.v1.Mirror;
import dev.copyservices.api.agent.v1.MirrorRole;
import dev.copyservices.api.agent.v1.MirrorState;
import dev.copyservices.api.agent.v1.MirroringStatus;
import dev.copyservices.api.agent.v1.ResyncMethod;
import dev.copyservices.api.agent.v1.WriteMode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The table and detail forms of mirrors, the mirroring status and a communication test. States, roles and
 * resync methods are single capitalised words (Synchronizing, DualPrimary, Automatic) and write modes the
 * words typed after {@code --mode}, so that a column can be read with awk.
 */
final class MirrorOutput {

    /** What {@code secondary_inconsistent} means for a person; said by show, list and resume. */
    static final String INCONSISTENT = "the secondary holds old and new data mixed until this resync completes;"
            + " it is not usable for disaster recovery";

    private MirrorOutput() {
    }

    /** {@code mirror list}, sorted by volume, the name a mirror goes by on this agent. */
    static String table(List<Mirror> mirrors) {
        Output.Table table = new Output.Table("VOLUME", "ROLE", "STATE", "PEER", "MODE", "PROGRESS", "LAG",
                "OUT-OF-SYNC");
        mirrors.stream()
                .sorted(Comparator.comparing(Mirror::getVolume))
                .forEach(m -> table.row(m.getVolume(), role(m.getRole()), state(m.getState()), peer(m), mode(m),
                        m.getState() == MirrorState.SYNCHRONIZING ? FlashCopyOutput.percent(m.getProgressPercent())
                                : "-",
                        asynchronous(m) ? lagCell(m.getLagSeconds()) : "-",
                        Output.bytes(m.getOutOfSyncBytes())));
        return table.render();
    }

    /**
     * {@code mirror show NAME}. The progress only while synchronizing, the lag only in the asynchronous
     * modes, the reason only when the agent gave one: the contract sets them only then. {@code terminal}
     * draws the progress as a bar.
     */
    static String render(Mirror m, boolean terminal) {
        Output.Details details = new Output.Details()
                .field("Volume", withId(m.getVolume(), m.getVolumeId()))
                .field("Mirror ID", Output.orDash(m.getId()))
                .field("Role", role(m.getRole()))
                .field("State", state(m.getState()));
        if (!m.getReason().isEmpty()) {
            details.field("Reason", m.getReason());
        }
        if (m.getSecondaryInconsistent()) {
            details.field("Warning", INCONSISTENT);
        }
        if (m.getState() == MirrorState.SYNCHRONIZING) {
            String left = Output.bytes(m.getOutOfSyncBytes()) + " left to copy";
            details.field("Progress", terminal
                    ? VolumeCopyOutput.bar(m.getProgressPercent(), VolumeCopyOutput.BAR_WIDTH) + "  " + left
                    : FlashCopyOutput.percent(m.getProgressPercent()) + " (" + left + ")");
        }
        details.section("Peer")
                .field("Array", withId(Output.orDash(m.getPeerArray()), m.getPeerArrayId()))
                .field("Endpoint", Output.orDash(m.getPeerEndpoint()))
                .field("Volume", Output.orDash(m.getPeerVolume()))
                .field("Role", m.getPeerRole() == MirrorRole.MIRROR_ROLE_UNSPECIFIED ? "-"
                        : role(m.getPeerRole()) + " (as last heard)")
                .field("Reachable", m.getPeerReachable() ? "yes" : "no")
                .end()
                .field("Write mode", mode(m.getWriteMode()) + modeName(m).map(n -> " (" + n + ")").orElse(""))
                .field("Consistency group", Output.orDash(m.getConsistencyGroup()))
                .field("Sync priority", VolumeCopyOutput.priority(m.getSyncPriority()))
                .field("Resync", resync(m.getResyncMethod()))
                .field("Generation", Long.toUnsignedString(m.getGeneration()))
                .field("Capacity", Output.bytes(m.getCapacityBytes()))
                .field("Out of sync", Output.bytes(m.getOutOfSyncBytes()));
        if (asynchronous(m)) {
            details.field("Lag", lag(m.getLagSeconds()));
        }
        return details
                .field("Last synchronized", m.hasLastSynchronized()
                        ? Output.time(true, m.getLastSynchronized()) : "never")
                .field("Created", Output.time(m.hasCreated(), m.getCreated()))
                .field("Bytes sent", Output.bytes(m.getBytesSent()))
                .render();
    }

    /** {@code mirror status}: whether this agent may hold mirrors, and with whom it mirrors. */
    static String render(MirroringStatus s) {
        Output.Details details = new Output.Details()
                .field("Activated", s.getActivated() ? "yes" : "no (activate with 'csctl mirror activate')")
                .field("Enabled", s.getEnabled() ? "yes" : "no (the agent runs with --disable-feature mirror: existing"
                        + " mirrors keep working, new ones are refused)")
                .field("Replication endpoint", s.getReplicationEndpoint().isEmpty()
                        ? "- (this agent has no replication listener)" : s.getReplicationEndpoint())
                .field("Partner array", s.getPartnerArray().isEmpty() && s.getPartnerArrayId().isEmpty()
                        ? "- (none yet)" : withId(Output.orDash(s.getPartnerArray()), s.getPartnerArrayId()))
                .field("Mirrors", Integer.toUnsignedString(s.getMirrors()) + (s.getMaxMirrors() == 0 ? ""
                        : " of at most " + Integer.toUnsignedString(s.getMaxMirrors())));
        for (var g : s.getConsistencyGroupsList()) {
            details.field("Consistency group " + g.getName(), state(g.getState()) + " (" + String.join(", ",
                    g.getVolumesList()) + ")");
        }
        return details.render();
    }

    /** {@code mirror test NAME}: the result, the three round trips and, when there is one, why. */
    static String render(CommunicationTest t) {
        Output.Details details = new Output.Details()
                .field("Result", result(t.getResult()))
                .field("Test round trip", millis(t.getTestRoundTripMillis()))
                .field("Average round trip", millis(t.getAverageRoundTripMillis()))
                .field("Maximum allowed", millis(t.getMaximumAllowedRoundTripMillis()));
        if (!t.getDetail().isEmpty()) {
            details.field("Detail", t.getDetail());
        }
        return details.render();
    }

    /**
     * How a mirror is named in running text, this agent's volume first, the arrow the way data flows:
     * {@code "db" -> "db-copy" on array-b} on the primary's agent, {@code "db-copy" <- "db" on array-a} on
     * the secondary's, {@code <->} while the roles are not one of each.
     */
    static String pair(Mirror m) {
        String arrow = switch (m.getRole()) {
            case PRIMARY -> m.getPeerRole() == MirrorRole.PRIMARY ? "<->" : "->";
            case SECONDARY -> m.getPeerRole() == MirrorRole.SECONDARY ? "<->" : "<-";
            default -> "<->";
        };
        String where = !m.getPeerArray().isEmpty() ? m.getPeerArray() : m.getPeerEndpoint();
        String peer = m.getPeerVolume().isEmpty() ? "its peer" : CommandGroup.quoted(m.getPeerVolume());
        return CommandGroup.quoted(m.getVolume()) + " " + arrow + " " + peer + (where.isEmpty() ? "" : " on " + where);
    }

    /** The PEER column: {@code array:volume}, a dash for what the agent does not know. */
    static String peer(Mirror m) {
        if (m.getPeerArray().isEmpty() && m.getPeerVolume().isEmpty()) {
            return "-";
        }
        return Output.orDash(m.getPeerArray()) + ":" + Output.orDash(m.getPeerVolume());
    }

    /** The MODE column: {@code sync}, {@code async}, or {@code async+cg:GROUP} for Global Mirroring. */
    static String mode(Mirror m) {
        String mode = mode(m.getWriteMode());
        return m.getWriteMode() == WriteMode.ASYNCHRONOUS && !m.getConsistencyGroup().isEmpty()
                ? mode + "+cg:" + m.getConsistencyGroup() : mode;
    }

    /** The spelling users type after {@code --mode} (in any case). */
    static String mode(WriteMode mode) {
        return switch (mode) {
            case SYNCHRONOUS -> "sync";
            case ASYNCHRONOUS -> "async";
            case WRITE_MODE_UNSPECIFIED -> "-";
            case UNRECOGNIZED -> "unknown";
        };
    }

    /** The storage administrator's name of a mirror's mode, if it has a known one. */
    static Optional<String> modeName(Mirror m) {
        return switch (m.getWriteMode()) {
            case SYNCHRONOUS -> Optional.of("Metro Mirroring");
            case ASYNCHRONOUS -> Optional.of(m.getConsistencyGroup().isEmpty() ? "Global Copy"
                    : "Global Mirroring");
            default -> Optional.empty();
        };
    }

    static String state(MirrorState state) {
        return switch (state) {
            case SYNCHRONIZING -> "Synchronizing";
            case SYNCHRONIZED -> "Synchronized";
            case SUSPENDED -> "Suspended";
            case UNSYNCHRONIZED -> "Unsynchronized";
            case DUAL_PRIMARY -> "DualPrimary";
            case DUAL_SECONDARY -> "DualSecondary";
            case UNRESPONSIVE -> "Unresponsive";
            case MIRROR_STATE_UNSPECIFIED -> "-";
            // a state from a newer agent: say so rather than guess
            case UNRECOGNIZED -> "unknown";
        };
    }

    /** A state with the percent copied next to it while synchronizing. */
    static String stateWithProgress(Mirror m) {
        return m.getState() == MirrorState.SYNCHRONIZING
                ? state(m.getState()) + ", " + FlashCopyOutput.percent(m.getProgressPercent()) + " copied"
                : state(m.getState());
    }

    /**
     * Where a synchronization or resync is, for {@code --wait}: Synchronized is done. Unsynchronized ends
     * it when the mirror resyncs manually (automatic resync resumes by itself when the link returns);
     * Suspended, a dual-role conflict and an unresponsive peer end it.
     */
    static Progress.Step step(Mirror m) {
        String state = state(m.getState());
        String mirror = CommandGroup.shellWord(m.getVolume());
        return switch (m.getState()) {
            case SYNCHRONIZED -> Progress.Step.done(state);
            case SYNCHRONIZING -> Progress.Step.running(m.getProgressPercent(), state, stateWithProgress(m));
            case UNSYNCHRONIZED -> m.getResyncMethod() == ResyncMethod.AUTOMATIC
                    ? Progress.Step.running(m.getProgressPercent(), state, state + ", resumes when the link returns")
                    : Progress.Step.ended(m.getProgressPercent(), state, "the link to the peer failed; check it with"
                            + " 'csctl mirror test " + mirror + "', then 'csctl mirror resume " + mirror + " --wait'");
            case SUSPENDED -> Progress.Step.ended(m.getProgressPercent(), state, "someone suspended it; 'csctl mirror"
                    + " resume " + mirror + " --wait' goes on");
            default -> Progress.Step.ended(m.getProgressPercent(), state, "'csctl mirror show " + mirror
                    + "' says what to do");
        };
    }

    static String role(MirrorRole role) {
        return switch (role) {
            case PRIMARY -> "Primary";
            case SECONDARY -> "Secondary";
            case MIRROR_ROLE_UNSPECIFIED -> "-";
            case UNRECOGNIZED -> "unknown";
        };
    }

    /** The spelling users type after {@code --resync} (in any case) and read in every output. */
    static String resync(ResyncMethod method) {
        return switch (method) {
            case MANUAL -> "Manual";
            case AUTOMATIC -> "Automatic";
            case RESYNC_METHOD_UNSPECIFIED -> "-";
            case UNRECOGNIZED -> "unknown";
        };
    }

    /** The settings {@code set} and {@code create} confirm: mode, priority and resync method. */
    static String settings(Mirror m) {
        return mode(m) + ", priority " + VolumeCopyOutput.priority(m.getSyncPriority()) + ", resync "
                + resync(m.getResyncMethod());
    }

    static String result(CommunicationResult result) {
        return switch (result) {
            case COMMUNICATION_PASSED -> "Passed";
            case COMMUNICATION_WARNING -> "Warning (Passed with Caution)";
            case COMMUNICATION_FAILED -> "Failed";
            case COMMUNICATION_RESULT_UNSPECIFIED -> "-";
            case UNRECOGNIZED -> "unknown";
        };
    }

    /** The lag of {@code mirror show}: seconds, and from a minute on also as people say it. */
    static String lag(double seconds) {
        String number = seconds(seconds);
        if (number.equals("-")) {
            return number;
        }
        String plain = number + (number.equals("1") ? " second" : " seconds");
        return seconds >= 60 ? plain + " (about " + FlashCopyOutput.duration(com.google.protobuf.Duration.newBuilder()
                .setSeconds((long) seconds).build()) + ")" : plain;
    }

    /** The LAG column: seconds with an {@code s}, one word for awk. */
    static String lagCell(double seconds) {
        String number = seconds(seconds);
        return number.equals("-") ? number : number + "s";
    }

    /**
     * Seconds to at most one decimal, rounded up: a lag is how much the secondary may miss, which the
     * output must not make look smaller than it is.
     */
    static String seconds(double seconds) {
        if (Double.isNaN(seconds) || seconds <= 0) {
            return "0";
        }
        if (Double.isInfinite(seconds)) {
            return "-";
        }
        return BigDecimal.valueOf(seconds).setScale(1, RoundingMode.CEILING).stripTrailingZeros().toPlainString();
    }

    /** Milliseconds to at most two decimals, e.g. {@code 41.25 ms}; a dash for a round trip not measured. */
    static String millis(double millis) {
        if (Double.isNaN(millis) || Double.isInfinite(millis) || millis <= 0) {
            return "-";
        }
        return BigDecimal.valueOf(millis).setScale(2, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString()
                + " ms";
    }

    private static boolean asynchronous(Mirror m) {
        return m.getWriteMode() == WriteMode.ASYNCHRONOUS;
    }

    private static String withId(String name, String id) {
        return id.isEmpty() ? name : name + " (" + id + ")";
    }
}
