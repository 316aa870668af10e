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
}
