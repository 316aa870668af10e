package dev.copyservices.cli;

import dev.copyservices.api.agent.v1.Event;
import dev.copyservices.api.agent.v1.WatchEventsRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Iterator;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code csctl events}: the agent's event log, one line per event, oldest first; with {@code --follow}
 * new events as they happen. {@code -o json} prints one JSON object per line, so a script can read the
 * stream line by line.
 */
@Command(name = "events", description = {"Show what happened on the array and what to do about it: the recent"
        + " events the agent keeps, oldest first.", "With --follow, keep printing new events as they happen."})
final class EventsCommand implements Callable<Integer> {
    @ParentCommand
    Csctl root;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new events until Ctrl-C. If the agent goes away"
            + " the command ends with exit status 3.")
    boolean follow;

    @Option(names = "--after", paramLabel = "SEQ", defaultValue = "0", converter = Converters.Sequence.class,
            description = "Only events after this sequence number (the \"sequence\" of -o json), e.g. the last one"
                    + " seen before. Default: ${DEFAULT-VALUE}, every event the agent keeps.")
    long after;

    @Override
    public Integer call() {
        Output out = root.output();
        Iterator<Event> stream = root.client().events(follow).watchEvents(WatchEventsRequest.newBuilder()
                .setFollow(follow)
                .setAfterSequence(after)
                .build());
        long last = after;
        boolean any = false;
        try {
            while (stream.hasNext()) {
                Event event = stream.next();
                if (out.structured()) {
                    out.streamed(event);
                } else {
                    out.print(render(event));
                }
                last = event.getSequence();
                any = true;
            }
        } catch (StatusRuntimeException e) {
            // a followed agent that goes away (stopped, killed, network gone) ends the command like an
            // unreachable agent, with where to resume; before anything arrived it is just unreachable
            if (follow && e.getStatus().getCode() == Status.Code.UNAVAILABLE
                    && (any || ErrorReporter.errorDetail(e).isPresent())) {
                return new ErrorReporter(root.notes()).print(ErrorReporter.agentGone(e, root.connection(), last));
            }
            throw e;
        }
        if (!any && !follow && !out.structured()) {
            root.notes().println(after == 0 ? "no events" : "no events after " + Long.toUnsignedString(after));
            root.notes().flush();
        }
        return 0;
    }

    /** One event for people: time, severity, reason, kind/name, message; the correction on a line below. */
    static String render(Event e) {
        StringBuilder line = new StringBuilder()
                .append(Output.time(e.hasTime(), e.getTime()))
                .append("  ").append(String.format("%-8s", severity(e)))
                .append("  ").append(Output.orDash(e.getReason()))
                .append("  ").append(Output.orDash(e.getObjectKind())).append('/').append(Output.orDash(e.getObjectName()))
                .append("  ").append(Output.orDash(oneLine(e.getMessage())))
                .append('\n');
        if (!e.getCorrection().isBlank()) {
            line.append("  hint: ").append(oneLine(e.getCorrection())).append('\n');
        }
        return line.toString();
    }

    private static String severity(Event e) {
        return switch (e.getSeverity()) {
            case INFO, WARNING, CRITICAL -> e.getSeverity().name();
            case SEVERITY_UNSPECIFIED -> "-";
            case UNRECOGNIZED -> "UNKNOWN"; // from a newer agent
        };
    }

    /** One event is one line (and a hint line), even if a message has line breaks. */
    private static String oneLine(String text) {
        return text.strip().replaceAll("\\s*\\R\\s*", "; ");
    }
}
