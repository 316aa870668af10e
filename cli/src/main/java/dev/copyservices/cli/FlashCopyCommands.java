package dev.copyservices.cli;

import dev.copyservices.api.agent.v1.CreateFlashCopyRequest;
import dev.copyservices.api.agent.v1.DeleteFlashCopyRequest;
import dev.copyservices.api.agent.v1.DeleteFlashCopyResponse;
import dev.copyservices.api.agent.v1.FlashCopy;
import dev.copyservices.api.agent.v1.FlashCopyRef;
import dev.copyservices.api.agent.v1.FullPolicy;
import dev.copyservices.api.agent.v1.GrowRepositoryRequest;
import dev.copyservices.api.agent.v1.ListFlashCopiesRequest;
import dev.copyservices.api.agent.v1.ListFlashCopiesResponse;
import dev.copyservices.api.agent.v1.UpdateFlashCopyRequest;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code csctl flashcopy ...}: one command per FlashCopyService RPC (Snapshot mode); the Copy-mode
 * commands of the same group are in RelationshipCommands. csctl checks only what it can
 * check alone (ranges, names of policies, contradictory options); everything that depends on the
 * array's state is the agent's to decide.
 */
@Command(name = "flashcopy",
        description = {"Point-in-time images of volumes.",
                "Snapshot mode (create, list, show, disable, recreate, set, repository grow, delete): a FlashCopy"
                        + " volume backed by a copy-on-write repository.",
                "Copy mode (establish, reflash, reverse, background-copy, withdraw, relationships, relationship): a"
                        + " relationship that makes a target volume a copy of a source. Groups of relationships:"
                        + " csctl flashcopy-group."},
        subcommands = {FlashCopyCommands.RepositoryCommands.class, RelationshipCommands.Establish.class,
                RelationshipCommands.Reflash.class, RelationshipCommands.Reverse.class,
                RelationshipCommands.BackgroundCopy.class, RelationshipCommands.Withdraw.class,
                RelationshipCommands.ListCommand.class, RelationshipCommands.Show.class})
final class FlashCopyCommands extends CommandGroup {

    private static final String NAME_HELP = "The FlashCopy's name or its repository's name.";
    private static final String THRESHOLD_HELP = "Warn when this percent of the repository is used, 1-100.";
    private static final String POLICY_HELP = "What a full repository does: FailFlashCopy (the default) fails the"
            + " FlashCopy and base writes go on; FailBaseWrites rejects writes to the base until the repository"
            + " grows (not recommended).";

    @Command(name = "create", description = "Create a FlashCopy of a base volume. Asking again for an existing"
            + " FlashCopy of the same base returns it.")
    int create(
            @Parameters(paramLabel = "BASE", description = "The base: a standard volume.") String base,
            @Option(names = "--name", paramLabel = "NAME",
                    description = "The FlashCopy's name (default BASE-N, N the lowest free number from 1 to 4).")
            String name,
            @Option(names = "--repository-name", paramLabel = "NAME",
                    description = "The repository's name (default BASE-RN, with the FlashCopy's N).")
            String repositoryName,
            @Option(names = "--repository-percent", paramLabel = "PERCENT", converter = Converters.RepositoryPercent.class,
                    description = "Repository capacity as a percent of the base, 1-1000 (default 20, at least 8 MiB).")
            Integer repositoryPercent,
            @Option(names = "--repository-size", paramLabel = "SIZE", converter = Converters.Size.class,
                    description = "Repository capacity in bytes or binary units, e.g. 2GiB; instead of a percent.")
            Long repositorySize,
            @Option(names = "--warning-threshold", paramLabel = "PERCENT", converter = Converters.WarningThreshold.class,
                    description = THRESHOLD_HELP + " Default 50.") Integer threshold,
            @Option(names = "--full-policy", paramLabel = "POLICY", converter = Converters.Policy.class,
                    description = POLICY_HELP) FullPolicy policy,
            @Option(names = "--attribute", paramLabel = "KEY=VALUE",
                    description = "A key/value pair to store with the FlashCopy; repeatable.")
            Map<String, String> attributes) {
        if (repositoryPercent != null && repositorySize != null) {
            throw usage("create", "give either --repository-percent or --repository-size, not both");
        }
        CreateFlashCopyRequest.Builder request = CreateFlashCopyRequest.newBuilder()
                .setBase(base)
                .putAllAttributes(checked(attributes, "create"));
        // unset, not empty or zero, is how csctl asks for the agent's default
        if (name != null) {
            request.setName(name);
        }
        if (repositoryName != null) {
            request.setRepositoryName(repositoryName);
        }
        if (repositoryPercent != null) {
            request.setRepositoryPercent(repositoryPercent);
        }
        if (repositorySize != null) {
            request.setRepositoryCapacityBytes(repositorySize);
        }
        if (threshold != null) {
            request.setWarningThresholdPercent(threshold);
        }
        if (policy != null) {
            request.setFullPolicy(policy);
        }
        FlashCopy f = root.client().flashCopies().createFlashCopy(request.build());
        confirm(f, "of " + quoted(f.getBase()) + " created: repository " + quoted(f.getRepository().getName())
                + ", " + Output.bytes(f.getRepository().getCapacityBytes()));
        return 0;
    }

    @Command(name = "list", description = "List FlashCopies, optionally only those of one base volume.")
    int list(@Option(names = "--base", paramLabel = "BASE", description = "Only the FlashCopies of this volume.")
            String base) {
        ListFlashCopiesResponse response = root.client().flashCopies().listFlashCopies(ListFlashCopiesRequest
                .newBuilder()
                .setBase(base == null ? "" : base)
                .build());
        Output out = root.output();
        if (out.structured()) {
            out.document(response);
        } else if (response.getFlashCopiesCount() == 0) {
            root.notes().println(base == null ? "no FlashCopies" : "no FlashCopies of " + quoted(base));
            root.notes().flush();
        } else {
            out.print(FlashCopyOutput.table(response.getFlashCopiesList()));
        }
        return 0;
    }

    @Command(name = "show", description = "Show every field of a FlashCopy and its repository.")
    int show(@Parameters(paramLabel = "NAME", description = NAME_HELP) String name,
            @picocli.CommandLine.Mixin Watch.Options watching) {
        Output out = root.output();
        if (watching.watch) {
            return Watch.run(out, watching.interval, () -> root.client().flashCopies().getFlashCopy(ref(name)),
                    FlashCopyOutput::render);
        }
        FlashCopy f = root.client().flashCopies().getFlashCopy(ref(name));
        if (out.structured()) {
            out.document(f);
        } else {
            out.print(FlashCopyOutput.render(f));
        }
        return 0;
    }

    @Command(name = "disable", description = "Stop copy-on-write. The FlashCopy keeps its names, settings and export"
            + " but takes no I/O until it is re-created.")
    int disable(@Parameters(paramLabel = "NAME", description = NAME_HELP) String name) {
        FlashCopy f = root.client().flashCopies().disableFlashCopy(ref(name));
        confirm(f, "disabled");
        return 0;
    }

    @Command(name = "recreate", description = "Take a new point in time with the same names, settings and export;"
            + " the repository is emptied.")
    int recreate(@Parameters(paramLabel = "NAME", description = NAME_HELP) String name) {
        FlashCopy f = root.client().flashCopies().recreateFlashCopy(ref(name));
        confirm(f, "re-created: point in time " + Output.time(f.hasPointInTime(), f.getPointInTime()));
        return 0;
    }

    @Command(name = "delete", description = "Delete a FlashCopy and its repository.")
    int delete(
            @Parameters(paramLabel = "NAME", description = NAME_HELP) String name,
            @Option(names = "--force", description = "Delete even while NBD clients are connected to the FlashCopy;"
                    + " their connections are closed.") boolean force) {
        DeleteFlashCopyResponse response = root.client().flashCopies().deleteFlashCopy(DeleteFlashCopyRequest
                .newBuilder()
                .setName(name)
                .setForce(force)
                .build());
        Output out = root.output();
        if (out.structured()) {
            out.document(response);
        } else {
            // the name may be the repository's, so say what went without calling it a FlashCopy
            out.line(quoted(name) + " deleted: the FlashCopy and its repository");
        }
        return 0;
    }

    @Command(name = "set", description = "Change the warning threshold or the full policy without re-creating.")
    int set(
            @Parameters(paramLabel = "NAME", description = NAME_HELP) String name,
            @Option(names = "--warning-threshold", paramLabel = "PERCENT", converter = Converters.WarningThreshold.class,
                    description = THRESHOLD_HELP) Integer threshold,
            @Option(names = "--full-policy", paramLabel = "POLICY", converter = Converters.Policy.class,
                    description = POLICY_HELP) FullPolicy policy) {
        if (threshold == null && policy == null) {
            throw usage("set", "nothing to change: give --warning-threshold, --full-policy or both");
        }
        UpdateFlashCopyRequest.Builder request = UpdateFlashCopyRequest.newBuilder().setName(name);
        if (threshold != null) {
            request.setWarningThresholdPercent(threshold);
        }
        if (policy != null) {
            request.setFullPolicy(policy);
        }
        FlashCopy f = root.client().flashCopies().updateFlashCopy(request.build());
        confirm(f, "updated: warning threshold " + Integer.toUnsignedString(f.getRepository()
                .getWarningThresholdPercent()) + "%, full policy " + FlashCopyOutput.policy(f.getRepository()
                .getFullPolicy()));
        return 0;
    }

    private static FlashCopyRef ref(String name) {
        return FlashCopyRef.newBuilder().setName(name).build();
    }

    /**
     * {@code csctl flashcopy repository ...}. A group of its own because the repository is an object of
     * its own in the DS4000 model, and later repository commands belong beside {@code grow}.
     */
    @Command(name = "repository", description = "Manage a FlashCopy's repository.")
    static final class RepositoryCommands implements Callable<Integer> {
        @ParentCommand
        FlashCopyCommands flashCopy;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            throw Csctl.missingSubcommand(spec);
        }

        @Command(name = "grow", description = "Add capacity to a FlashCopy's repository, e.g. before it fills.")
        int grow(
                @Parameters(paramLabel = "NAME", description = NAME_HELP) String name,
                @Option(names = "--by", required = true, paramLabel = "SIZE", converter = Converters.Size.class,
                        description = "Capacity to add, in bytes or binary units, e.g. 512MiB, 2GiB.") long by) {
            FlashCopy f = flashCopy.root.client().flashCopies().growRepository(GrowRepositoryRequest.newBuilder()
                    .setName(name)
                    .setByBytes(by)
                    .build());
            Output out = flashCopy.root.output();
            if (out.structured()) {
                out.document(f);
            } else {
                out.line("repository " + quoted(f.getRepository().getName()) + " of FlashCopy " + quoted(f.getName())
                        + " grown to " + Output.bytes(f.getRepository().getCapacityBytes()) + " ("
                        + Output.bytes(f.getRepository().getAvailableBytes()) + " available)");
            }
            return 0;
        }
    }

    private void confirm(FlashCopy f, String what) {
        confirm(f, "FlashCopy", f.getName(), what);
    }
}
