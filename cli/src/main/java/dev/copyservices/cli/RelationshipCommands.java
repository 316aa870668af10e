package dev.copyservices.cli;

import dev.copyservices.api.agent.v1.EstablishRequest;
import dev.copyservices.api.agent.v1.FlashCopyRelationshipServiceGrpc.FlashCopyRelationshipServiceBlockingStub;
import dev.copyservices.api.agent.v1.ListRelationshipsRequest;
import dev.copyservices.api.agent.v1.ListRelationshipsResponse;
import dev.copyservices.api.agent.v1.Relationship;
import dev.copyservices.api.agent.v1.RelationshipRef;
import dev.copyservices.api.agent.v1.WithdrawRequest;
import dev.copyservices.api.agent.v1.WithdrawResponse;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * The Copy-mode commands of {@code csctl flashcopy}: one per FlashCopyRelationshipService RPC. Classes
 * rather than methods of FlashCopyCommands so that Snapshot mode and Copy mode each stay a readable size
 * while sharing the one {@code flashcopy} group.
 */
final class RelationshipCommands {

    private static final String NAME_HELP = "The relationship's target, or its source when the source has one"
            + " relationship.";

    private RelationshipCommands() {
    }

    /** What every relationship command needs: the agent's stub and the output. */
    abstract static class RelationshipCommand implements Callable<Integer> {
        @ParentCommand
        FlashCopyCommands flashCopy;

        @Spec
        CommandSpec spec;

        Csctl root() {
            return flashCopy.root;
        }

        FlashCopyRelationshipServiceBlockingStub relationships() {
            return root().client().relationships();
        }

        /** The relationship as JSON, or one line: "relationship "source" -> "target" {@code what}". */
        void confirm(Relationship r, String what) {
            Output out = root().output();
            if (out.structured()) {
                out.document(r);
            } else {
                out.line("relationship " + RelationshipOutput.pair(r) + " " + what);
            }
        }

        static RelationshipRef ref(String name) {
            return RelationshipRef.newBuilder().setName(name).build();
        }
    }

    @Command(name = "establish", description = {"Start a FlashCopy relationship (Copy mode): from now on TARGET shows"
            + " SOURCE's image at this point in time and takes reads and writes at once; TARGET's own content is"
            + " replaced.", "Asking again for the same relationship with the same options returns it."})
    static final class Establish extends RelationshipCommand {
        @Parameters(index = "0", paramLabel = "SOURCE", description = "The volume whose image is taken.")
        String source;

        @Parameters(index = "1", paramLabel = "TARGET", description = "The volume that receives the image, at least"
                + " as large as SOURCE.")
        String target;

        @Mixin
        CopyOptionsMixin options;

        @Override
        public Integer call() {
            // the agent answers a repeated establish with the relationship that exists, its point in time
            // unchanged: look first, so that an old image is not confirmed as if it had just been taken
            String before = relationships().listRelationships(ListRelationshipsRequest.newBuilder()
                            .setVolume(target)
                            .build())
                    .getRelationshipsList().stream()
                    .filter(r -> r.getTarget().equals(target))
                    .map(Relationship::getId)
                    .findFirst()
                    .orElse("");
            Relationship r = relationships().establish(EstablishRequest.newBuilder()
                    .setSource(source)
                    .setTarget(target)
                    .setOptions(options.toProto())
                    .build());
            String time = Output.time(r.hasPointInTime(), r.getPointInTime());
            boolean again = !before.isEmpty() && before.equals(r.getId());
            confirm(r, (again ? "already established at " : "established at ") + time + ": "
                    + RelationshipOutput.state(r.getState()) + ", options " + RelationshipOutput.longOptions(
                            r.getOptions()));
            if (again) {
                String target = CommandGroup.shellWord(r.getTarget());
                root().warn("no new point in time was taken: " + CommandGroup.quoted(r.getTarget()) + " keeps the"
                        + " image of " + CommandGroup.quoted(r.getSource()) + " as of " + time + "; "
                        + (r.getOptions().getPersistent()
                                ? "re-flash it for a new one ('csctl flashcopy reflash " + target + "')"
                                : "withdraw the relationship ('csctl flashcopy withdraw " + target + "') and establish"
                                        + " again for a new one"));
            }
            return 0;
        }
    }

    @Command(name = "reflash", description = "Take a new point in time onto the same target. The relationship must"
            + " be persistent; an incremental one copies only the regions changed since the last flash.")
    static final class Reflash extends RelationshipCommand {
        @Parameters(paramLabel = "NAME", description = NAME_HELP)
        String name;

        @Override
        public Integer call() {
            Relationship r = relationships().reflash(ref(name));
            confirm(r, "re-flashed at " + Output.time(r.hasPointInTime(), r.getPointInTime()) + ": "
                    + Long.toUnsignedString(r.getRegionsToCopyAtFlash()) + " of " + Long.toUnsignedString(
                            r.getRegions()) + " regions to copy");
            if (!r.getGroup().isEmpty()) {
                // the agent allows it, but the group's targets no longer share one point in time
                root().warn(CommandGroup.quoted(r.getTarget()) + " was re-flashed on its own, so FlashCopy group "
                        + CommandGroup.quoted(r.getGroup()) + " no longer holds one point in time; flash the whole"
                        + " group instead ('csctl flashcopy-group flash " + CommandGroup.shellWord(r.getGroup()) + "')");
            }
            return 0;
        }
    }

    @Command(name = "reverse", description = {"Restore the target's image onto the source and swap their roles."
            + " The source's current content is overwritten, so csctl asks first.",
            "Only for a persistent relationship whose background copy is complete."})
    static final class Reverse extends RelationshipCommand {
        @Parameters(paramLabel = "NAME", description = NAME_HELP)
        String name;

        @Option(names = {"-y", "--yes"}, description = "Reverse without asking, e.g. in a script.")
        boolean yes;

        @Override
        public Integer call() {
            if (!yes) {
                // read first, so the question names the volume that is about to be overwritten
                Relationship current = relationships().getRelationship(ref(name));
                // a reversed pair no longer matches its group's copy set: the agent takes it out of the group
                String group = current.getGroup().isEmpty() ? "" : ", and the relationship leaves FlashCopy group "
                        + CommandGroup.quoted(current.getGroup());
                boolean agreed = root().ask("Reverse " + RelationshipOutput.pair(current) + ": the content of "
                        + CommandGroup.quoted(current.getSource()) + " is overwritten with the image on "
                        + CommandGroup.quoted(current.getTarget()) + group + ". Continue?");
                if (!agreed) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "reverse of " + CommandGroup.quoted(
                            name) + " not confirmed: nothing was changed; give --yes to reverse without being asked");
                }
            }
            Relationship r = relationships().reverse(ref(name));
            // the answer has the roles swapped already: its target is the volume just overwritten
            confirm(r, "reversed at " + Output.time(r.hasPointInTime(), r.getPointInTime()) + ": "
                    + CommandGroup.quoted(r.getTarget()) + " now holds the image of " + CommandGroup.quoted(
                            r.getSource()));
            return 0;
        }
    }

    @Command(name = "background-copy", description = "Start copying every remaining region of a relationship to its"
            + " target in the background.")
    static final class BackgroundCopy extends RelationshipCommand {
        @Parameters(paramLabel = "NAME", description = NAME_HELP)
        String name;

        @Override
        public Integer call() {
            Relationship r = relationships().startBackgroundCopy(ref(name));
            confirm(r, "copying in the background: " + RelationshipOutput.state(r.getState()) + ", "
                    + FlashCopyOutput.percent(r.getCopiedPercent()) + " copied");
            return 0;
        }
    }

    @Command(name = "withdraw", description = "End a relationship. Refused while regions are not yet copied, unless"
            + " --force is given.")
    static final class Withdraw extends RelationshipCommand {
        @Parameters(paramLabel = "NAME", description = NAME_HELP)
        String name;

        @Option(names = "--force", description = "Withdraw although regions are not yet copied: the target keeps an"
                + " incomplete image, which is no usable copy of the source.")
        boolean force;

        @Override
        public Integer call() {
            WithdrawResponse response = relationships().withdraw(WithdrawRequest.newBuilder()
                    .setName(name)
                    .setForce(force)
                    .build());
            Relationship r = response.getRelationship();
            String target = CommandGroup.quoted(r.getTarget());
            Output out = root().output();
            if (out.structured()) {
                out.document(response);
            } else {
                out.line("relationship " + RelationshipOutput.pair(r) + " withdrawn: " + target + " is "
                        + (response.getTargetComplete() ? "a complete copy" : "an incomplete copy"));
            }
            if (!response.getTargetComplete()) {
                // on stderr in both formats: a script reading the JSON still leaves the warning in its log
                root().warn(target + " is an incomplete copy: " + Long.toUnsignedString(r.getCopiedRegions())
                        + " of " + Long.toUnsignedString(r.getRegions()) + " regions were copied before the"
                        + " withdraw, so it is not a usable image of " + CommandGroup.quoted(r.getSource())
                        + "; establish a relationship onto it again for a complete copy");
            }
            if (!r.getGroup().isEmpty()) {
                root().warn(RelationshipOutput.pair(r) + " was a pair of FlashCopy group " + CommandGroup.quoted(
                        r.getGroup()) + ": the pair is Defined until the group is flashed again; to end every"
                        + " relationship of the group together, terminate it ('csctl flashcopy-group terminate "
                        + CommandGroup.shellWord(r.getGroup()) + "')");
            }
            return 0;
        }
    }

    @Command(name = "relationships", description = "List FlashCopy relationships (Copy mode), optionally only those"
            + " of one volume or one group.")
    static final class ListCommand extends RelationshipCommand {
        @Option(names = "--volume", paramLabel = "VOLUME", description = "Only relationships with this volume as"
                + " source or target.")
        String volume;

        @Option(names = "--group", paramLabel = "GROUP", description = "Only relationships of this FlashCopy group.")
        String group;

        @Override
        public Integer call() {
            ListRelationshipsResponse response = relationships().listRelationships(ListRelationshipsRequest
                    .newBuilder()
                    .setVolume(volume == null ? "" : volume)
                    .setGroup(group == null ? "" : group)
                    .build());
            Output out = root().output();
            if (out.structured()) {
                out.document(response);
            } else if (response.getRelationshipsCount() == 0) {
                root().notes().println("no FlashCopy relationships" + (volume == null ? "" : " of volume "
                        + CommandGroup.quoted(volume)) + (group == null ? "" : " in group "
                        + CommandGroup.quoted(group)));
                root().notes().flush();
            } else {
                out.print(RelationshipOutput.table(response.getRelationshipsList()));
            }
            return 0;
        }
    }

    @Command(name = "relationship", description = "Show every field of a FlashCopy relationship (Copy mode).")
    static final class Show extends RelationshipCommand {
        @Parameters(paramLabel = "NAME", description = NAME_HELP)
        String name;

        @Override
        public Integer call() {
            Relationship r = relationships().getRelationship(ref(name));
            Output out = root().output();
            if (out.structured()) {
                out.document(r);
            } else {
                out.print(RelationshipOutput.render(r));
            }
            return 0;
        }
    }
}
