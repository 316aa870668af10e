package dev.copyservices.cli;

import dev.copyservices.api.agent.v1.CopyPriority;
import dev.copyservices.api.agent.v1.CopyRef;
import dev.copyservices.api.agent.v1.CreateCopyRequest;
import dev.copyservices.api.agent.v1.ListCopiesRequest;
import dev.copyservices.api.agent.v1.ListCopiesResponse;
import dev.copyservices.api.agent.v1.RecopyRequest;
import dev.copyservices.api.agent.v1.RemoveCopiesRequest;
import dev.copyservices.api.agent.v1.RemoveCopiesResponse;
import dev.copyservices.api.agent.v1.UpdateCopiesRequest;
import dev.copyservices.api.agent.v1.UpdateCopiesResponse;
import dev.copyservices.api.agent.v1.VolumeCopy;
import dev.copyservices.api.agent.v1.VolumeCopyServiceGrpc.VolumeCopyServiceBlockingStub;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code csctl volumecopy ...}: one command per VolumeCopyService RPC. A pair is named by its target.
 * The commands that overwrite a target or may leave it holding a partial copy (create, recopy, stop) ask
 * first, as {@code flashcopy reverse} does. Which state allows what is the agent's to decide.
 */
@Command(name = "volumecopy",
        description = {"Full copies of a source volume onto a target volume, made in the background at a priority.",
                "A pair is named by its target. While a copy waits or runs (and after it failed) the source is"
                        + " read-only and the target takes no I/O; a completed target is read-only until"
                        + " --target-read-only false is set."})
final class VolumeCopyCommands extends CommandGroup {

    private static final String TARGET_HELP = "The pair's target volume, the name the pair goes by.";
    private static final String PRIORITY_HELP = "How much of the agent's I/O the copy may take: lowest, low, medium,"
            + " high or highest (any letter case).";

    @Command(name = "create", description = {"Start copying SOURCE onto TARGET. TARGET's content is overwritten,"
            + " so csctl asks first.", "Asking again for a pair that exists (same source and target) returns it"
            + " and starts no new copy; csctl then does not ask, and warns."})
    int create(
            @Option(names = "--source", required = true, paramLabel = "SOURCE", description = "The volume to copy.")
            String source,
            @Option(names = "--target", required = true, paramLabel = "TARGET", description = "The volume that"
                    + " receives the copy; its content is overwritten.") String target,
            @Option(names = "--priority", paramLabel = "PRIORITY", converter = Converters.Priority.class,
                    description = PRIORITY_HELP + " Default: the agent's (medium).") CopyPriority priority,
            @Option(names = {"-y", "--yes"}, description = "Create without asking, e.g. in a script.") boolean yes,
            @picocli.CommandLine.Mixin Progress.Options waiting) {
        // the agent answers a repeated create with the pair that exists, copied as it was: look first, so
        // that an old copy is not confirmed as a new one. A target already in a pair is not overwritten by a
        // create (the agent returns that pair, or refuses for another source), so then there is nothing to ask.
        VolumeCopy before = copies().listCopies(ListCopiesRequest.newBuilder().setVolume(target).build())
                .getCopiesList().stream()
                .filter(c -> c.getTarget().equals(target))
                .findFirst()
                .orElse(null);
        if (!yes && before == null) {
            agreeOrRefuse("create", "copy of " + quoted(source) + " onto " + quoted(target), "Copy " + quoted(source)
                    + " onto " + quoted(target) + ": the content of " + quoted(target) + " is overwritten. Until the"
                    + " copy completes, " + quoted(source) + " is read-only and " + quoted(target) + " takes no I/O."
                    + " Continue?");
        }
        CreateCopyRequest.Builder request = CreateCopyRequest.newBuilder().setSource(source).setTarget(target);
        if (priority != null) {
            request.setPriority(priority);
        }
        VolumeCopy c = copies().createCopy(request.build());
        boolean again = before != null && before.getId().equals(c.getId());
        confirm(c, (again ? "already exists: " : "created: ") + VolumeCopyOutput.stateWithProgress(c) + ", priority "
                + VolumeCopyOutput.priority(c.getPriority()), waiting);
        if (again) {
            root.warn("no new copy was started: " + quoted(c.getTarget()) + " keeps the copy of " + quoted(
                    c.getSource()) + " this pair made or is making; recopy it for the source's image as of now"
                    + " ('csctl volumecopy recopy " + shellWord(c.getTarget()) + "')");
        }
        warnings(c);
        await(c, waiting);
        return 0;
    }

    @Command(name = "list", description = "List VolumeCopy pairs, optionally only those of one volume.")
    int list(@Option(names = "--volume", paramLabel = "VOLUME", description = "Only pairs with this volume as source"
            + " or target.") String volume) {
        ListCopiesResponse response = copies().listCopies(ListCopiesRequest.newBuilder()
                .setVolume(volume == null ? "" : volume)
                .build());
        Output out = root.output();
        if (out.structured()) {
            out.document(response);
        } else if (response.getCopiesCount() == 0) {
            root.notes().println(volume == null ? "no VolumeCopy pairs" : "no VolumeCopy pairs of volume "
                    + quoted(volume));
            root.notes().flush();
        } else {
            out.print(VolumeCopyOutput.table(response.getCopiesList()));
        }
        return 0;
    }

    @Command(name = "show", description = "Show every field of a VolumeCopy pair; on a terminal, a copy in progress"
            + " is drawn as a progress bar.")
    int show(@Parameters(paramLabel = "TARGET", description = TARGET_HELP) String target,
            @picocli.CommandLine.Mixin Watch.Options watching) {
        Output out = root.output();
        if (watching.watch) {
            return Watch.run(out, watching.interval, () -> copies().getCopy(ref(target)), c -> VolumeCopyOutput.render(c,
                    out.terminal()));
        }
        VolumeCopy c = copies().getCopy(ref(target));
        if (out.structured()) {
            out.document(c);
        } else {
            out.print(VolumeCopyOutput.render(c, out.terminal()));
        }
        return 0;
    }

    @Command(name = "stop", description = {"Stop a pair that is Pending, InProgress or Failed: the source takes"
            + " writes again. The target may be left holding a partial copy, so csctl asks first.",
            "One pair per command."})
    int stop(
            @Parameters(index = "0", paramLabel = "TARGET", description = TARGET_HELP) String target,
            @Parameters(index = "1..*", hidden = true) List<String> more,
            @Option(names = {"-y", "--yes"}, description = "Stop without asking, e.g. in a script.") boolean yes) {
        onlyOne("stop", target, more);
        if (!yes) {
            // read first, so the question names the source and how far the copy got
            VolumeCopy current = copies().getCopy(ref(target));
            agreeOrRefuse("stop", "stop of " + quoted(target), "Stop " + VolumeCopyOutput.pair(current) + " ("
                    + VolumeCopyOutput.stateWithProgress(current) + "): " + quoted(current.getTarget())
                    + " may be left holding a partial copy of " + quoted(current.getSource())
                    + ", which is no usable image of it. Continue?");
        }
        VolumeCopy c = copies().stopCopy(ref(target));
        confirm(c, "stopped: " + VolumeCopyOutput.state(c.getState()) + ", " + quoted(c.getSource())
                + " takes writes again");
        // on stderr in both formats: a script reading the JSON still leaves the warning in its log
        root.warn(quoted(c.getTarget()) + " may hold a partial copy of " + quoted(c.getSource()) + "; recopy for a"
                + " complete one ('csctl volumecopy recopy " + shellWord(c.getTarget()) + "')");
        return 0;
    }

    @Command(name = "recopy", description = {"Copy again, from the first byte, the source's image as of now: for a"
            + " pair that is Completed, Stopped or Failed. The target's content is overwritten again, so csctl"
            + " asks first; the target is read-only again once the copy completes.", "One pair per command."})
    int recopy(
            @Parameters(index = "0", paramLabel = "TARGET", description = TARGET_HELP) String target,
            @Parameters(index = "1..*", hidden = true) List<String> more,
            @Option(names = "--priority", paramLabel = "PRIORITY", converter = Converters.Priority.class,
                    description = PRIORITY_HELP + " Default: the pair's priority as it is.") CopyPriority priority,
            @Option(names = {"-y", "--yes"}, description = "Recopy without asking, e.g. in a script.") boolean yes,
            @picocli.CommandLine.Mixin Progress.Options waiting) {
        onlyOne("recopy", target, more);
        if (!yes) {
            // read first, so the question names the source whose image overwrites the target
            VolumeCopy current = copies().getCopy(ref(target));
            agreeOrRefuse("recopy", "recopy of " + quoted(target), "Recopy " + VolumeCopyOutput.pair(current)
                    + ": the content of " + quoted(current.getTarget()) + " is overwritten with the image of "
                    + quoted(current.getSource()) + " as of now. Continue?");
        }
        RecopyRequest.Builder request = RecopyRequest.newBuilder().setTarget(target);
        if (priority != null) {
            request.setPriority(priority);
        }
        VolumeCopy c = copies().recopy(request.build());
        confirm(c, "recopying: " + VolumeCopyOutput.stateWithProgress(c) + ", priority "
                + VolumeCopyOutput.priority(c.getPriority()), waiting);
        warnings(c);
        await(c, waiting);
        return 0;
    }

    @Command(name = "remove", description = "Remove pairs that are not Pending or InProgress (stop those first)."
            + " The data stays on both volumes; the target's read-only restriction ends with its pair.")
    int remove(@Parameters(paramLabel = "TARGET", arity = "1..*", description = "The target of each pair to"
            + " remove.") List<String> targets) {
        RemoveCopiesResponse response = copies().removeCopies(RemoveCopiesRequest.newBuilder()
                .addAllTargets(targets)
                .build());
        Output out = root.output();
        if (out.structured()) {
            out.document(response);
        } else {
            for (VolumeCopy c : response.getRemovedList()) {
                out.line("VolumeCopy " + VolumeCopyOutput.pair(c) + " removed: the data stays on "
                        + quoted(c.getSource()) + " and " + quoted(c.getTarget()));
            }
        }
        return 0;
    }

    @Command(name = "set", description = "Change the priority (any state; a running copy changes pace at once) or"
            + " whether the target is read-only (Completed and Stopped pairs only) of one or more pairs: all of them"
            + " or none.")
    int set(
            @Parameters(paramLabel = "TARGET", arity = "1..*", description = "The target of each pair to change.")
            List<String> targets,
            @Option(names = "--priority", paramLabel = "PRIORITY", converter = Converters.Priority.class,
                    description = PRIORITY_HELP) CopyPriority priority,
            @Option(names = "--target-read-only", arity = "1", paramLabel = "true|false",
                    converter = Converters.TargetReadOnly.class, description = "true: hosts may only read the"
                            + " target; false: they may also write it.") Boolean targetReadOnly) {
        if (priority == null && targetReadOnly == null) {
            throw usage("set", "nothing to change: give --priority, --target-read-only or both");
        }
        UpdateCopiesRequest.Builder request = UpdateCopiesRequest.newBuilder().addAllTargets(targets);
        if (priority != null) {
            request.setPriority(priority);
        }
        if (targetReadOnly != null) {
            request.setTargetReadOnly(targetReadOnly);
        }
        UpdateCopiesResponse response = copies().updateCopies(request.build());
        Output out = root.output();
        if (out.structured()) {
            out.document(response);
        } else {
            for (VolumeCopy c : response.getCopiesList()) {
                out.line("VolumeCopy " + VolumeCopyOutput.pair(c) + " updated: priority " + VolumeCopyOutput.priority(
                        c.getPriority()) + ", target read-only: " + (c.getTargetReadOnly() ? "yes" : "no"));
            }
        }
        return 0;
    }

    private VolumeCopyServiceBlockingStub copies() {
        return root.client().volumeCopies();
    }

    /** Stop and recopy act on one pair per call (the contract's rule): extra names are a usage error. */
    private void onlyOne(String command, String target, List<String> more) {
        if (more != null && !more.isEmpty()) {
            List<String> all = new ArrayList<>(more.size() + 1);
            all.add(target);
            all.addAll(more);
            throw usage(command, command + " takes one pair per command, not " + all.size() + " ("
                    + String.join(", ", all.stream().map(CommandGroup::quoted).toList()) + "): run it once for each"
                    + " target");
        }
    }

    /** What the agent says once, on create and recopy: on stderr in both formats. */
    private void warnings(VolumeCopy c) {
        c.getWarningsList().forEach(root::warn);
    }

    private void confirm(VolumeCopy c, String what) {
        Output out = root.output();
        if (out.structured()) {
            out.document(c);
        } else {
            out.line("VolumeCopy " + VolumeCopyOutput.pair(c) + " " + what);
        }
    }

    /** With --wait and JSON or YAML, only the pair as it completed is printed (by {@link #await}). */
    private void confirm(VolumeCopy c, String what, Progress.Options waiting) {
        if (!(waiting.wait && root.output().structured())) {
            confirm(c, what);
        }
    }

    /** --wait: follows the copy until it completes; exit 1 if it is stopped or fails first. */
    private void await(VolumeCopy c, Progress.Options waiting) {
        if (!waiting.wait) {
            return;
        }
        Output out = root.output();
        VolumeCopy done = Progress.follow(out, "VolumeCopy " + VolumeCopyOutput.pair(c), waiting.interval,
                () -> copies().getCopy(ref(c.getTarget())), VolumeCopyOutput::step);
        if (out.structured()) {
            out.document(done);
        }
    }

    private static CopyRef ref(String target) {
        return CopyRef.newBuilder().setTarget(target).build();
    }
}
