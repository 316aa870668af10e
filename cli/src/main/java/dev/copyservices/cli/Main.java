package dev.copyservices.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;

/** {@code csctl}: the copyservices command line. Exit codes are those of {@link ErrorReporter}. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        // read only to confirm a command that overwrites data; scripts give --yes and never need it
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        int code = run(args, in, out, err, System.getenv(), AgentClient.NETTY);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs one csctl invocation and returns its exit code; the unit tests call this directly. */
    static int run(String[] args, BufferedReader in, PrintWriter out, PrintWriter err, Map<String, String> env,
            AgentClient.Connector connector) {
        try (Csctl root = new Csctl(in, out, err, env, connector)) {
            return commandLine(root, out, err).execute(args);
        }
    }

    static CommandLine commandLine(Csctl root, PrintWriter out, PrintWriter err) {
        ErrorReporter reporter = new ErrorReporter(err);
        CommandLine cl = new CommandLine(root);
        cl.setOut(out);
        cl.setErr(err);
        // a volume name may start with '@'; it must not be read as an argument file
        cl.setExpandAtFiles(false);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler((e, args) -> reporter.print(ErrorReporter.usage(e)));
        cl.setExecutionExceptionHandler((e, command, parsed) ->
                reporter.print(ErrorReporter.failure(e, root.connection())));
        return cl;
    }
}
