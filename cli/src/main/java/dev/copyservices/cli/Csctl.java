package dev.copyservices.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import dev.copyservices.api.tls.ReloadingTls;
import dev.copyservices.api.tls.TlsFiles;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The top-level {@code csctl} command: the global options, and what every command needs from them (the
 * agent connection, the output). The options are inherited, so they may also follow a subcommand
 * ({@code csctl volume list -o json}).
 */
@Command(name = "csctl",
        mixinStandardHelpOptions = true,
        versionProvider = Csctl.Version.class,
        scope = ScopeType.INHERIT,
        usageHelpAutoWidth = true,
        description = "Manage the volumes, FlashCopies, VolumeCopies and remote mirrors of a copyservices array through"
                + " its agent.",
        subcommands = {ArrayCommands.class, VolumeCommands.class, FlashCopyCommands.class,
                FlashCopyGroupCommands.class, VolumeCopyCommands.class, MirrorCommands.class, EventsCommand.class,
                CompletionCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Exit status: 0 success, 1 the agent reported an error, 2 usage error (or a change that was"
                + " not confirmed), 3 the agent cannot be reached."})
final class Csctl implements Callable<Integer>, AutoCloseable {

    static final String AGENT_ENV = "CSCTL_AGENT";
    static final String TLS_CERT_ENV = "CSCTL_TLS_CERT";
    static final String TLS_KEY_ENV = "CSCTL_TLS_KEY";
    static final String TLS_CA_ENV = "CSCTL_TLS_CA";
    static final String INSECURE_DEV_ENV = "CSCTL_INSECURE_DEV";

    @Spec
    CommandSpec spec;

    @Option(names = "--agent", paramLabel = "HOST:PORT", scope = ScopeType.INHERIT,
            description = "Agent address (default: $" + AGENT_ENV + ", else " + AgentAddress.DEFAULT + ").")
    String agent;

    @Option(names = {"-o", "--output"}, paramLabel = "table|json|yaml", scope = ScopeType.INHERIT, defaultValue = "table",
            description = "Output format: table for people, json (protobuf JSON) or yaml (the same as YAML) for scripts. Default: ${DEFAULT-VALUE}.")
    Output.Format format;

    @Option(names = "--timeout", paramLabel = "SECONDS", scope = ScopeType.INHERIT, defaultValue = "30",
            converter = Converters.Timeout.class,
            description = "Give up on the agent after this many seconds. Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @Option(names = "--tls-cert", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "Your certificate (PEM), subject O=cli-admin (default: $" + TLS_CERT_ENV + ").")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "Its private key, PKCS#8 PEM (default: $" + TLS_KEY_ENV + ").")
    Path tlsKey;

    @Option(names = "--tls-ca", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "The CA (PEM) of the agents' certificates (default: $" + TLS_CA_ENV + ").")
    Path tlsCa;

    @Option(names = "--insecure-dev", scope = ScopeType.INHERIT, description = "Talk plaintext to an agent started"
            + " with --insecure-dev (default: $" + INSECURE_DEV_ENV + "=1). For a laptop or a test only.")
    boolean insecureDev;

    private final BufferedReader in;
    private final PrintWriter out;
    private final PrintWriter err;
    private final Map<String, String> env;
    private final AgentClient.Connector connector;
    private final boolean terminal;
    private AgentAddress address;
    private AgentClient client;

    /** {@code terminal}: whether stdout is a terminal, so that output may draw for a person (a progress bar). */
    Csctl(BufferedReader in, PrintWriter out, PrintWriter err, Map<String, String> env,
            AgentClient.Connector connector, boolean terminal) {
        this.in = in;
        this.out = out;
        this.err = err;
        this.env = env;
        this.connector = connector;
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        throw missingSubcommand(spec);
    }

    /** The connection to the agent, opened on first use and closed when csctl ends. */
    AgentClient client() {
        if (client == null) {
            AgentAddress target = address();
            ReloadingTls tls = tls();
            try {
                client = new AgentClient(target, timeout, connector, tls);
            } catch (IOException e) {
                tls.close();
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        return client;
    }

    /** csctl's TLS identity from the options, else the environment; null with --insecure-dev. */
    private ReloadingTls tls() {
        Path cert = tlsCert != null ? tlsCert : pathFromEnv(TLS_CERT_ENV);
        Path key = tlsKey != null ? tlsKey : pathFromEnv(TLS_KEY_ENV);
        Path ca = tlsCa != null ? tlsCa : pathFromEnv(TLS_CA_ENV);
        boolean anyOption = tlsCert != null || tlsKey != null || tlsCa != null;
        boolean insecure = insecureDev || (!anyOption && "1".equals(env.get(INSECURE_DEV_ENV)));
        try {
            TlsFiles files = TlsFiles.fromOptions(cert, key, ca, insecure);
            // csctl lives for one command: no rotation to follow
            return files == null ? null : files.load(Duration.ofHours(1));
        } catch (IllegalArgumentException | IOException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage() + " (options, or $"
                    + TLS_CERT_ENV + ", $" + TLS_KEY_ENV + ", $" + TLS_CA_ENV + ", $" + INSECURE_DEV_ENV + "=1)");
        }
    }

    private Path pathFromEnv(String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? null : Path.of(value);
    }

    /** The output in the chosen format. */
    Output output() {
        return new Output(out, format, terminal);
    }

    /** For notes that are not results (e.g. "no volumes"), so stdout stays clean for scripts. */
    PrintWriter notes() {
        return err;
    }

    /**
     * A {@code warning: ...} line on stderr: something the user must know although the command succeeded.
     * Not on stdout, so that the result (a confirmation, or JSON) stays what a script reads.
     */
    void warn(String message) {
        err.println("warning: " + message);
        err.flush();
    }

    /**
     * Asks a yes/no question on the terminal and reads the answer; only {@code y} or {@code yes} agree.
     * No input at all (a script, stdin closed) is a no, so nothing destructive runs unasked.
     */
    boolean ask(String question) {
        err.print(question + " [y/N] ");
        err.flush();
        String answer;
        try {
            answer = in.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (answer == null) {
            // end of input: end the prompt's line so the refusal that follows starts on its own
            err.println();
            err.flush();
            return false;
        }
        String a = answer.strip().toLowerCase(Locale.ROOT);
        return a.equals("y") || a.equals("yes");
    }

    /** What ErrorReporter needs to know about the connection; never throws. */
    ErrorReporter.Connection connection() {
        return new ErrorReporter.Connection(address, timeout, client != null && client.connected());
    }

    private AgentAddress address() {
        if (address == null) {
            String env = this.env.get(AGENT_ENV);
            boolean fromEnv = agent == null && env != null && !env.isBlank();
            String text = agent != null ? agent : fromEnv ? env : AgentAddress.DEFAULT;
            try {
                address = AgentAddress.parse(text);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        (fromEnv ? AGENT_ENV + ": " : "--agent: ") + e.getMessage());
            }
        }
        return address;
    }

    /** The usage error for a command group given without one of its commands. */
    static CommandLine.ParameterException missingSubcommand(CommandSpec group) {
        return new CommandLine.ParameterException(group.commandLine(), "missing command: choose one of "
                + String.join(", ", group.subcommands().keySet().stream().filter(n -> !n.equals("help")).toList()));
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
        }
    }

    /** {@code --version}: the version Maven wrote into the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Csctl.class.getPackage().getImplementationVersion();
            return new String[] {"csctl " + (v == null ? "(development build)" : v)};
        }
    }
}
