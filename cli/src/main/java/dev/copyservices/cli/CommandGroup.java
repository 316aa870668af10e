package dev.copyservices.cli;

import java.util.concurrent.Callable;
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
}
