package dev.copyservices.cli;

import dev.copyservices.api.agent.v1.CreateGroupRequest;
import dev.copyservices.api.agent.v1.DeleteGroupResponse;
import dev.copyservices.api.agent.v1.FlashCopyGroup;
import dev.copyservices.api.agent.v1.FlashCopyGroupServiceGrpc.FlashCopyGroupServiceBlockingStub;
import dev.copyservices.api.agent.v1.GetVolumeRequest;
import dev.copyservices.api.agent.v1.GroupPair;
import dev.copyservices.api.agent.v1.GroupPairRequest;
import dev.copyservices.api.agent.v1.GroupRef;
import dev.copyservices.api.agent.v1.ListGroupsRequest;
import dev.copyservices.api.agent.v1.ListGroupsResponse;
import dev.copyservices.api.agent.v1.PairState;
import dev.copyservices.api.agent.v1.TerminateGroupRequest;
import io.grpc.StatusRuntimeException;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code csctl flashcopy-group ...}: one command per FlashCopyGroupService RPC. A group is what Copy
 * Services Manager calls a FlashCopy session: pairs flashed together at one point in time.
 */
@Command(name = "flashcopy-group", description = "Groups of FlashCopy relationships (Copy mode) flashed together at"
        + " one point in time, write-order consistent across every pair: create, add and remove pairs, flash, start"
        + " the background copy, terminate, discover existing relationships, show, list and delete.")
final class FlashCopyGroupCommands extends CommandGroup {

    private static final String GROUP_HELP = "The group's name.";
    private static final String SOURCE_HELP = "The pair's source volume.";
    private static final String TARGET_HELP = "The pair's target volume.";

    @Command(name = "create", description = "Create an empty group; its options apply to every pair it flashes.")
    int create(
            @Parameters(paramLabel = "NAME", description = "1-30 characters, like volume names; unique on the array.")
            String name,
            @Mixin CopyOptionsMixin options) {
        FlashCopyGroup g = groups().createGroup(CreateGroupRequest.newBuilder()
                .setName(name)
                .setOptions(options.toProto())
                .build());
        confirm(g, "created: options " + RelationshipOutput.longOptions(g.getOptions()));
        return 0;
    }

    @Command(name = "add", description = "Add a pair (a copy set). It stays Defined until the next flash or discover.")
    int add(
            @Parameters(index = "0", paramLabel = "GROUP", description = GROUP_HELP) String group,
            @Parameters(index = "1", paramLabel = "SOURCE", description = SOURCE_HELP) String source,
            @Parameters(index = "2", paramLabel = "TARGET", description = TARGET_HELP) String target) {
        FlashCopyGroup g = groups().addPair(pair(group, source, target));
        confirm(g, "now has " + pairs(g) + ": added " + RelationshipOutput.pair(source, target));
        return 0;
    }

    @Command(name = "remove", description = "Remove a pair. Its relationship, if it has one, stays on the array"
            + " outside the group.")
    int remove(
            @Parameters(index = "0", paramLabel = "GROUP", description = GROUP_HELP) String group,
            @Parameters(index = "1", paramLabel = "SOURCE", description = SOURCE_HELP) String source,
            @Parameters(index = "2", paramLabel = "TARGET", description = TARGET_HELP) String target) {
        FlashCopyGroup g = groups().removePair(pair(group, source, target));
        confirm(g, "now has " + pairs(g) + ": removed " + RelationshipOutput.pair(source, target));
        return 0;
    }

    @Command(name = "flash", description = "Establish or re-flash every pair at one point in time. Refused as a"
            + " whole, changing nothing, when any pair cannot be flashed.")
    int flash(@Parameters(paramLabel = "GROUP", description = GROUP_HELP) String name) {
        FlashCopyGroup g = groups().flashGroup(ref(name));
        confirm(g, "flashed at " + GroupOutput.lastFlash(g) + ": " + GroupOutput.state(g.getState()) + ", "
                + pairs(g));
        return 0;
    }

    @Command(name = "background-copy", description = "Start the background copy of every pair's relationship.")
    int backgroundCopy(@Parameters(paramLabel = "GROUP", description = GROUP_HELP) String name) {
        FlashCopyGroup g = groups().startGroupBackgroundCopy(ref(name));
        confirm(g, "copying in the background: " + FlashCopyOutput.percent(g.getCopiedPercent()) + " copied");
        return 0;
    }

    @Command(name = "terminate", description = "Withdraw every relationship of the group, which returns to Defined."
            + " Refused while a background copy is incomplete, unless --force is given.")
    int terminate(
            @Parameters(paramLabel = "GROUP", description = GROUP_HELP) String name,
            @Option(names = "--force", description = "Terminate although copies are incomplete: those targets keep"
                    + " incomplete images; csctl warns about each ('csctl volume show TARGET' says what is missing).")
            boolean force) {
        // forced, it may leave targets incomplete: read first which copies are still running, so that csctl
        // can warn about those, as 'flashcopy withdraw --force' does
        List<GroupPair> copying = !force ? List.of() : groups().getGroup(ref(name)).getPairsList().stream()
                .filter(p -> p.hasRelationship()
                        && p.getRelationship().getCopiedRegions() < p.getRelationship().getRegions())
                .toList();
        FlashCopyGroup g = groups().terminateGroup(TerminateGroupRequest.newBuilder()
                .setName(name)
                .setForce(force)
                .build());
        confirm(g, "terminated: " + GroupOutput.state(g.getState()) + ", " + pairs(g));
        copying.forEach(this::warnIfIncomplete);
        return 0;
    }

    /** After a forced terminate: the target's own record says whether its copy was cut short. */
    private void warnIfIncomplete(GroupPair p) {
        String target = quoted(p.getTarget());
        String show = "'csctl volume show " + shellWord(p.getTarget()) + "'";
        String incomplete;
        try {
            incomplete = root.client().volumes().getVolume(GetVolumeRequest.newBuilder().setName(p.getTarget())
                    .build()).getIncompleteCopy();
        } catch (StatusRuntimeException e) {
            // the terminate itself succeeded; failing now would say otherwise
            root.warn(target + " may be an incomplete copy: its copy was running when the group was terminated, and"
                    + " csctl could not read the volume (" + ErrorReporter.describe(e.getStatus()) + "); " + show
                    + " says");
            return;
        }
        if (!incomplete.isEmpty()) {
            root.warn(target + " is an incomplete copy: the terminate ended its relationship before every region was"
                    + " copied, so it is not a usable image of " + quoted(p.getSource()) + "; flash the group again"
                    + " for a complete copy (" + show + " says what is missing)");
        }
    }

    @Command(name = "discover", description = "Adopt relationships that already exist on the array for the group's"
            + " pairs. They are not proven consistent with each other until the group flashes them.")
    int discover(@Parameters(paramLabel = "GROUP", description = GROUP_HELP) String name) {
        FlashCopyGroup g = groups().discoverGroup(ref(name));
        long available = g.getPairsList().stream().filter(p -> p.getState() == PairState.PAIR_TARGET_AVAILABLE)
                .count();
        confirm(g, "discovered: " + available + " of " + pairs(g) + " TargetAvailable, "
                + GroupOutput.state(g.getState()));
        warnIfInconsistent(g);
        return 0;
    }

    @Command(name = "show", description = "Show a group's fields and its pairs.")
    int show(@Parameters(paramLabel = "GROUP", description = GROUP_HELP) String name) {
        FlashCopyGroup g = groups().getGroup(ref(name));
        Output out = root.output();
        if (out.structured()) {
            out.document(g);
        } else {
            out.print(GroupOutput.render(g));
        }
        warnIfInconsistent(g);
        return 0;
    }

    @Command(name = "list", description = "List the FlashCopy groups.")
    int list() {
        ListGroupsResponse response = groups().listGroups(ListGroupsRequest.getDefaultInstance());
        Output out = root.output();
        if (out.structured()) {
            out.document(response);
        } else if (response.getGroupsCount() == 0) {
            root.notes().println("no FlashCopy groups");
            root.notes().flush();
        } else {
            out.print(GroupOutput.table(response.getGroupsList()));
        }
        return 0;
    }

    @Command(name = "delete", description = "Delete a Defined group (terminate it first). Its volumes stay.")
    int delete(@Parameters(paramLabel = "GROUP", description = GROUP_HELP) String name) {
        DeleteGroupResponse response = groups().deleteGroup(ref(name));
        Output out = root.output();
        if (out.structured()) {
            out.document(response);
        } else {
            out.line("FlashCopy group " + quoted(name) + " deleted");
        }
        return 0;
    }

    private FlashCopyGroupServiceBlockingStub groups() {
        return root.client().groups();
    }

    /** Said wherever a group is shown, because a backup taken from such targets may not be restorable. */
    private void warnIfInconsistent(FlashCopyGroup g) {
        if (!g.getConsistent()) {
            root.warn(GroupOutput.notConsistent(g));
        }
    }

    private static GroupRef ref(String name) {
        return GroupRef.newBuilder().setName(name).build();
    }

    private static GroupPairRequest pair(String group, String source, String target) {
        return GroupPairRequest.newBuilder().setGroup(group).setSource(source).setTarget(target).build();
    }

    private static String pairs(FlashCopyGroup g) {
        return g.getPairsCount() + (g.getPairsCount() == 1 ? " pair" : " pairs");
    }

    private void confirm(FlashCopyGroup g, String what) {
        confirm(g, "FlashCopy group", g.getName(), what);
    }
}
