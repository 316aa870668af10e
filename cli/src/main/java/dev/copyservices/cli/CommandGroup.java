package dev.copyservices.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * A group of commands ({@code csctl volume ...}): reaches the agent through the root command, and
 * answers a bare group name with the list of its commands.
 */
abstract class CommandGroup implements Callable<Integer> {
    @ParentCommand
    Csctl root;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw Csctl.missingSubcommand(spec);
    }

    /** A usage error (exit 2) whose hint points at {@code command}'s own help. */
    CommandLine.ParameterException usage(String command, String message) {
        return new CommandLine.ParameterException(spec.subcommands().get(command), message);
    }

    /**
     * Asks {@code question}; anything but yes (a closed stdin included) is a usage error (exit 2) that says
     * nothing was changed, before any change is sent. {@code command} is the subcommand whose help the hint
     * points at, and the word the refusal uses for giving --yes.
     */
    void agreeOrRefuse(String command, String what, String question) {
        if (!root.ask(question)) {
            throw new CommandLine.ParameterException(spec.subcommands().get(command), what + " not confirmed:"
                    + " nothing was changed; give --yes to " + command + " without being asked");
        }
    }

    /** The pairs of an {@code --attribute} option, never null; an empty key is a usage error. */
    Map<String, String> checked(Map<String, String> attributes, String command) {
        if (attributes == null) {
            return Map.of();
        }
        for (String key : attributes.keySet()) {
            if (key.isBlank()) {
                throw usage(command, "--attribute needs a key before '=', e.g. --attribute app=db");
            }
        }
        return attributes;
    }

    /** The object as JSON, or one line: "{@code noun} "name" {@code what}". */
    void confirm(com.google.protobuf.Message object, String noun, String name, String what) {
        Output out = root.output();
        if (out.structured()) {
            out.document(object);
        } else {
            out.line(noun + " " + quoted(name) + " " + what);
        }
    }

    /** A name as a word of a command line the user can paste: quoted when it holds a space. */
    static String shellWord(String name) {
        return name.matches("[A-Za-z0-9._-]+") ? name : "\"" + name + "\"";
    }

    /** How the CLI shows a name in running text, so that names with spaces read unambiguously. */
    static String quoted(String name) {
        return "\"" + name + "\"";
    }
}
