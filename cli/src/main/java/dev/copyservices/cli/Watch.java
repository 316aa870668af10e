package dev.copyservices.cli;

import com.google.protobuf.Message;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@code show --watch}: asks the agent again every interval and prints the object each time it
 * changed, until Ctrl-C. At a terminal the screen is redrawn; otherwise each new state follows the
 * last under a time line, and JSON or YAML print one message per change (JSON lines, YAML documents).
 * An error (the object was deleted, the agent went away) ends the watch as any command ends on it.
 */
final class Watch {
    private static final String CLEAR_SCREEN = "\033[H\033[2J";

    /** The options of every show command that can watch. */
    static final class Options {
        @picocli.CommandLine.Option(names = {"-w", "--watch"}, description = "Ask again every --interval and show the"
                + " object each time it changed, until Ctrl-C.")
        boolean watch;

        @picocli.CommandLine.Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "2",
                converter = Converters.Timeout.class, description = "How often --watch asks (default ${DEFAULT-VALUE} s).")
        Duration interval;
    }

    private Watch() {
    }

    static <M extends Message> int run(Output out, Duration interval, Supplier<M> fetch, Function<M, String> render) {
        M last = null;
        while (true) {
            M now = fetch.get();
            if (!now.equals(last)) {
                if (out.structured()) {
                    out.streamed(now);
                } else if (out.terminal()) {
                    out.print(CLEAR_SCREEN + "every " + interval.toMillis() / 1000.0 + " s, Ctrl-C to stop\n\n"
                            + render.apply(now));
                } else {
                    out.print((last == null ? "" : "\n") + "--- " + Instant.now().truncatedTo(ChronoUnit.SECONDS)
                            + "\n" + render.apply(now));
                }
                last = now;
            }
            try {
                Thread.sleep(interval); // the refresh interval the user asked for
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 130;
            }
        }
    }
}
