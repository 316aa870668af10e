package dev.copyservices.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code csctl completion bash|zsh}: a completion script for the commands and options, generated
 * from the command tree itself so that it never falls behind. The same script serves zsh through
 * its bash compatibility layer (bashcompinit), which the script turns on when zsh sources it.
 */
@Command(name = "completion", description = {"Print a shell completion script for csctl's commands and options.",
        "bash: source <(csctl completion bash), or save it under /etc/bash_completion.d/csctl.",
        "zsh: source <(csctl completion zsh) in ~/.zshrc."})
final class CompletionCommand implements Callable<Integer> {
    enum Shell {
        bash, zsh
    }

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "bash|zsh", description = "The shell: ${COMPLETION-CANDIDATES}.")
    Shell shell;

    @Override
    public Integer call() {
        CommandLine root = spec.root().commandLine();
        String script = AutoComplete.bash("csctl", root);
        // a script that is sourced, not run: the zsh user needs nothing else, the bash user nothing more
        spec.commandLine().getOut().print(script);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
