package dev.copyservices.cli;

import java.time.Duration;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@code --wait}: follows a long operation (a copy, a synchronization, a resync) until it ends. At a
 * terminal one line is redrawn with a progress bar. Otherwise a plain line is printed when the state
 * changes or another tenth of the work is done, so that a log shows the course without a line per
 * poll. With JSON or YAML nothing is printed on the way; the caller prints the final object.
 */
final class Progress {
    private static final String CLEAR_TO_END_OF_LINE = "\033[K";

    enum Phase {
        RUNNING, DONE, ENDED
    }

    /**
     * Where the operation is: {@code state} is the state's name (a change of it is worth a line),
     * {@code detail} what to show beside it, and {@code hint} what to do when it ended without completing.
     */
    record Step(Phase phase, double percent, String state, String detail, String hint) {
        static Step running(double percent, String state, String detail) {
            return new Step(Phase.RUNNING, percent, state, detail, null);
        }

        static Step done(String state) {
            return new Step(Phase.DONE, 100, state, state, null);
        }

        static Step ended(double percent, String state, String hint) {
            return new Step(Phase.ENDED, percent, state, state, hint);
        }
    }

    /** The options of every command that can wait for what it started. */
    static final class Options {
        @picocli.CommandLine.Option(names = "--wait", description = "Wait until it completes, showing the progress"
                + " (a progress bar at a terminal, a line per tenth otherwise). Exit 1 if it ends otherwise.")
        boolean wait;

        @picocli.CommandLine.Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "1",
                converter = Converters.Timeout.class, description = "How often --wait asks (default ${DEFAULT-VALUE} s).")
        Duration interval;
    }

    /** An operation that ended without completing: exit 1 with the reason and what to do. */
    static final class OperationEnded extends RuntimeException {
        private final String hint;

        OperationEnded(String message, String hint) {
            super(message);
            this.hint = hint;
        }

        String hint() {
            return hint;
        }
    }

    private Progress() {
    }

    /**
     * Asks {@code fetch} every {@code interval} until {@code step} says the operation is done, and
     * returns the object then. {@code label} names the operation in every line ("copy "db" -> "db2"").
     */
    static <M> M follow(Output out, String label, Duration interval, Supplier<M> fetch, Function<M, Step> step) {
        String lastState = null;
        int lastTenth = -1;
        while (true) {
            M now = fetch.get();
            Step s = step.apply(now);
            int tenth = (int) Math.floor(Math.max(0, Math.min(100, s.percent())) / 10);
            if (out.terminal()) {
                out.print("\r" + label + " " + VolumeCopyOutput.bar(s.percent(), VolumeCopyOutput.BAR_WIDTH) + "  "
                        + s.detail() + CLEAR_TO_END_OF_LINE + (s.phase() == Phase.RUNNING ? "" : "\n"));
            } else if (!out.structured() && (!s.state().equals(lastState) || tenth != lastTenth)) {
                out.line(label + ": " + s.detail());
            }
            lastState = s.state();
            lastTenth = tenth;
            switch (s.phase()) {
                case DONE:
                    return now;
                case ENDED:
                    throw new OperationEnded(label + " ended " + s.state() + " before it completed", s.hint());
                case RUNNING:
                default:
                    break;
            }
            try {
                Thread.sleep(interval); // the poll interval the user asked for
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new OperationEnded("stopped waiting for " + label, "it goes on in the agent; look with the"
                        + " show command");
            }
        }
    }
}
