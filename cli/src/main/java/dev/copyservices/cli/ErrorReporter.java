package dev.copyservices.cli;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.copyservices.api.agent.v1.ErrorDetail;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine;

/**
 * Turns every failure into two lines on stderr, {@code error: ...} and {@code hint: ...}, and an exit
 * code a script can branch on. The agent's own {@link ErrorDetail} wins whenever it sent one, so csctl,
 * the operator and the CSI driver all show the same reason and the same correction.
 */
final class ErrorReporter {

    /** The agent refused or failed the request (it answered with an error). */
    static final int AGENT_ERROR = 1;
    /** The command line is wrong; nothing was sent to the agent. */
    static final int USAGE = 2;
    /** Nothing answers at the agent address. */
    static final int UNREACHABLE = 3;

    /** What one failure looks like to the user. {@code hint} may be null. */
    record Report(int exitCode, String message, String hint) {
    }

    /** What was known about the connection when a call failed. {@code address} may be null. */
    record Connection(AgentAddress address, Duration timeout, boolean connected) {
    }

    private final PrintWriter err;

    ErrorReporter(PrintWriter err) {
        this.err = err;
    }

    /** Prints the report and returns its exit code. */
    int print(Report report) {
        err.println("error: " + report.message());
        if (report.hint() != null && !report.hint().isBlank()) {
            err.println("hint: " + report.hint());
        }
        err.flush();
        return report.exitCode();
    }

    /** A command line picocli (or a command's own validation) refused. */
    static Report usage(CommandLine.ParameterException e) {
        String help = "see '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'";
        // picocli says "option option '--attribute'" in its map-format message
        String message = e.getMessage().replace("option option ", "option ");
        if (e instanceof CommandLine.UnmatchedArgumentException unmatched) {
            List<String> suggestions = unmatched.getSuggestions();
            if (!suggestions.isEmpty()) {
                return new Report(USAGE, message, "did you mean " + String.join(" or ", suggestions) + "? " + help);
            }
        }
        return new Report(USAGE, message, help);
    }

    /** A failure while running a command: usually a gRPC status from the agent or from the channel. */
    static Report failure(Throwable t, Connection connection) {
        if (t instanceof CommandLine.ParameterException p) {
            return usage(p);
        }
        if (t instanceof Progress.OperationEnded ended) {
            return new Report(AGENT_ERROR, ended.getMessage(), ended.hint());
        }
        if (!(t instanceof StatusRuntimeException || t instanceof StatusException)) {
            return new Report(AGENT_ERROR, "unexpected failure: " + t,
                    "this is a bug in csctl; please report it together with the command you ran");
        }
        Status status = Status.fromThrowable(t);
        Optional<ErrorDetail> detail = errorDetail(t);
        if (detail.isPresent()) {
            ErrorDetail d = detail.get();
            String message = d.getMessage().isBlank() ? describe(status) : oneLine(d.getMessage());
            return new Report(AGENT_ERROR, message, d.getCorrection().isBlank() ? null : d.getCorrection());
        }
        String where = connection.address() == null ? "the agent" : "the agent at " + connection.address();
        String check = "check that the agent is running and listening there, or point csctl at it with"
                + " --agent HOST:PORT (or CSCTL_AGENT)";
        return switch (status.getCode()) {
            case UNAVAILABLE -> new Report(UNREACHABLE, "cannot reach " + where + ": " + reason(status), check
                    + "; an agent with mutual TLS drops a plaintext connection and a certificate of another CA:"
                    + " give --tls-cert, --tls-key and --tls-ca of your cli-admin identity");
            case DEADLINE_EXCEEDED -> connection.connected()
                    ? new Report(AGENT_ERROR, where + " did not answer within " + seconds(connection.timeout()),
                            "the request may still complete on the agent: look with a read command, or raise"
                                    + " --timeout")
                    : new Report(UNREACHABLE, "no answer from " + where + " within " + seconds(connection.timeout()),
                            check + "; raise --timeout if the network is slow");
            case UNIMPLEMENTED -> new Report(AGENT_ERROR, describe(status),
                    where + " does not offer this command; use a csctl that matches the agent's version");
            default -> new Report(AGENT_ERROR, describe(status), null);
        };
    }

    /**
     * A followed stream that broke because the agent went away (stopped, killed, or the network dropped):
     * exit 3, as for an agent that cannot be reached. When the agent said why (it is stopping), its words win.
     */
    static Report agentGone(Throwable t, Connection connection, long lastSequence) {
        Optional<ErrorDetail> detail = errorDetail(t);
        if (detail.isPresent() && !detail.get().getMessage().isBlank()) {
            ErrorDetail d = detail.get();
            return new Report(UNREACHABLE, oneLine(d.getMessage()), d.getCorrection().isBlank() ? null : d.getCorrection());
        }
        String where = connection.address() == null ? "the agent" : "the agent at " + connection.address();
        return new Report(UNREACHABLE, "lost the connection to " + where + ": " + reason(Status.fromThrowable(t)),
                "check that the agent is running, then follow again from the last event shown: csctl events --follow"
                        + " --after " + Long.toUnsignedString(lastSequence));
    }

    /** The agent's ErrorDetail from the google.rpc.Status details, if it sent one. */
    static Optional<ErrorDetail> errorDetail(Throwable t) {
        com.google.rpc.Status rich = StatusProto.fromThrowable(t);
        if (rich == null) {
            return Optional.empty();
        }
        for (Any any : rich.getDetailsList()) {
            if (any.is(ErrorDetail.class)) {
                try {
                    return Optional.of(any.unpack(ErrorDetail.class));
                } catch (InvalidProtocolBufferException garbled) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    /** {@code CODE: description}, the fallback when the agent sent no ErrorDetail. */
    static String describe(Status status) {
        String description = status.getDescription();
        return description == null || description.isBlank()
                ? status.getCode().name()
                : status.getCode().name() + ": " + oneLine(description);
    }

    /** Why a connection failed: the innermost cause says more ("Connection refused") than "io exception". */
    private static String reason(Status status) {
        Throwable cause = status.getCause();
        while (cause != null && cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        if (cause != null && cause.getMessage() != null && !cause.getMessage().isBlank()) {
            // netty's native transport words it "finishConnect(..) failed with error(-111): Connection refused"
            return cause.getMessage().toLowerCase(Locale.ROOT).contains("connection refused")
                    ? "connection refused"
                    : cause.getMessage();
        }
        return status.getDescription() == null || status.getDescription().isBlank()
                ? "unavailable"
                : status.getDescription();
    }

    /** Keeps the report at one error line even when a proxy answered with a multi-line description. */
    private static String oneLine(String text) {
        return text.strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    private static String seconds(Duration d) {
        return BigDecimal.valueOf(d.toMillis()).movePointLeft(3).stripTrailingZeros().toPlainString() + " s";
    }
}
