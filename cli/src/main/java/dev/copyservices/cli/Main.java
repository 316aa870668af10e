package dev.copyservices.cli;

import java.io.BufferedReader;
import java.io.Console;
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
        int code = run(args, in, out, err, System.getenv(), AgentClient.NETTY, stdoutIsTerminal());
        out.flush();
        err.flush();
        System.exit(code);
    }

    /**
     * Runs one csctl invocation and returns its exit code; the unit tests call this directly.
     * {@code terminal} says whether stdout is a terminal (a person reads it), which only changes how table
     * output looks.
     */
    static int run(String[] args, BufferedReader in, PrintWriter out, PrintWriter err, Map<String, String> env,
            AgentClient.Connector connector, boolean terminal) {
        try (Csctl root = new Csctl(in, out, err, env, connector, terminal)) {
            return commandLine(root, out, err).execute(args);
        }
    }

    /**
     * Whether csctl runs at a terminal. Java tells only for stdin and stdout together: with either
     * redirected there is no interactive console, and csctl prints plain lines, which is the safe side.
     */
    static boolean stdoutIsTerminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        // from Java 22 a console may exist although a stream is redirected; isTerminal() (22+) says whether
        // both are terminals. Looked up by name because csctl is built for Java 21, which lacks it.
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (NoSuchMethodException e) {
            // Java 21: a console exists only when both are terminals
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
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
