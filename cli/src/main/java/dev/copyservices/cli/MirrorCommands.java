package dev.copyservices.cli;

import dev.copyservices.api.agent.v1.ChangeRoleRequest;
import dev.copyservices.api.agent.v1.CommunicationResult;
import dev.copyservices.api.agent.v1.CommunicationTest;
import dev.copyservices.api.agent.v1.CopyPriority;
import dev.copyservices.api.agent.v1.CreateMirrorRequest;
import dev.copyservices.api.agent.v1.ListMirrorsRequest;
import dev.copyservices.api.agent.v1.ListMirrorsResponse;
import dev.copyservices.api.agent.v1.ListSecondaryCandidatesRequest;
import dev.copyservices.api.agent.v1.ListSecondaryCandidatesResponse;
import dev.copyservices.api.agent.v1.Mirror;
import dev.copyservices.api.agent.v1.MirrorRef;
import dev.copyservices.api.agent.v1.MirrorRole;
import dev.copyservices.api.agent.v1.MirrorServiceGrpc.MirrorServiceBlockingStub;
import dev.copyservices.api.agent.v1.MirrorsRequest;
import dev.copyservices.api.agent.v1.MirrorsResponse;
import dev.copyservices.api.agent.v1.ResyncMethod;
import dev.copyservices.api.agent.v1.SecondaryCandidate;
import dev.copyservices.api.agent.v1.UpdateMirrorsRequest;
import dev.copyservices.api.agent.v1.WriteMode;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code csctl mirror ...}: one command per MirrorService RPC (activate, deactivate and status, about the
 * agent's mirroring rather than a mirror, are in MirroringCommands). A mirror is named by its volume on this
 * agent. Create, suspend, remove, promote and demote ask first (MirrorQuestions), as {@code volumecopy
 * create} does. Which state allows what is the agent's to decide.
 */
@Command(name = "mirror",
        description = {"Remote mirrors: a volume of this array (the primary) kept copied onto a volume of another"
                + " array (the secondary), for disaster recovery. A mirror is named on each agent by its own volume"
                + " (the primary's agent calls it by the primary, the secondary's by the secondary).",
                "Write modes: sync is Metro Mirroring (a write completes once it is on both volumes); async is"
                        + " Global Copy (a write completes on the primary and is sent afterwards), and with a"
                        + " consistency group Global Mirroring (the group's mirrors keep one write order on their"
                        + " secondaries).",
                "Each agent that holds a member needs mirroring activated first ('csctl mirror activate')."},
        subcommands = {MirroringCommands.Activate.class, MirroringCommands.Deactivate.class,
                MirroringCommands.Status.class})
final class MirrorCommands extends CommandGroup {

    static final String NAME_HELP = "The mirror's volume on this agent, the name the mirror goes by here.";
    static final String MODE_HELP = "sync: Metro Mirroring, a write completes once it is on both volumes. async:"
            + " a write completes on the primary and is sent afterwards (Global Copy; with --consistency-group,"
            + " Global Mirroring). Any letter case.";
    static final String PRIORITY_HELP = "How much of the agent's I/O synchronizing may take: lowest, low, medium,"
            + " high or highest (any letter case), as for VolumeCopy.";
    static final String MEMBER_ONLY_HELP = "Only the named mirrors, not the rest of their consistency groups.";
    static final String RESYNC_HELP = "What follows a link failure: manual, the mirror stays Unsynchronized until"
            + " 'csctl mirror resume'; automatic, it resynchronizes as soon as the link returns.";

    @Command(name = "create", description = {"Mirror PRIMARY, a volume of this agent, onto the volume --secondary"
            + " of the agent at --peer. The secondary's content is overwritten by a full initial synchronization,"
            + " which runs in the background, so csctl asks first.", "Asking again for the same primary and"
            + " secondary returns the mirror that exists; csctl then does not ask, and warns."})
    int create(
            @Parameters(paramLabel = "PRIMARY", description = "The volume of this agent that becomes the primary.")
            String primary,
            @Option(names = "--peer", required = true, paramLabel = "HOST:PORT", converter = Converters.Peer.class,
                    description = "The replication endpoint of the agent that holds the secondary ('csctl mirror"
                            + " status' shows it there).") String peer,
            @Option(names = "--secondary", required = true, paramLabel = "NAME", description = "The volume on the"
                    + " peer that becomes the secondary: a standard volume at least as large as PRIMARY. Its"
                    + " content is overwritten.") String secondary,
            @Option(names = "--mode", paramLabel = "sync|async", converter = Converters.Mode.class,
                    description = MODE_HELP + " Default: sync.") WriteMode mode,
            @Option(names = "--consistency-group", paramLabel = "GROUP", description = "With --mode async: the"
                    + " consistency group whose mirrors keep one write order on their secondaries (Global"
                    + " Mirroring).") String group,
            @Option(names = "--priority", paramLabel = "PRIORITY", converter = Converters.Priority.class,
                    description = PRIORITY_HELP + " Default: the agent's (medium).") CopyPriority priority,
            @Option(names = "--resync", paramLabel = "manual|automatic", converter = Converters.Resync.class,
                    description = RESYNC_HELP + " Default: manual.") ResyncMethod resync,
            @Option(names = {"-y", "--yes"}, description = "Create without asking, e.g. in a script.") boolean yes,
            @picocli.CommandLine.Mixin Progress.Options waiting) {
        boolean grouped = group != null && !group.isEmpty();
        if (grouped && mode != WriteMode.ASYNCHRONOUS) {
            throw usage("create", mode == null
                    ? "--consistency-group needs --mode async: without --mode a mirror is synchronous (Metro"
                            + " Mirroring), and consistency groups are for asynchronous mirrors (Global Mirroring)"
                    : "--consistency-group is for asynchronous mirrors only (Global Mirroring): give --mode async,"
                            + " or leave out --consistency-group for Metro Mirroring");
        }
        // the agent answers a repeated create with the mirror that exists: look first, so that an old mirror is
        // not confirmed as a new one. A primary already mirrored is not overwritten by a create (the agent returns
        // that mirror, or refuses), so then there is nothing to ask.
        Mirror before = mirrors().listMirrors(ListMirrorsRequest.getDefaultInstance()).getMirrorsList().stream()
                .filter(m -> m.getVolume().equals(primary))
                .findFirst()
                .orElse(null);
        if (!yes && before == null) {
            agreeOrRefuse("create", "mirror of " + quoted(primary) + " onto " + quoted(secondary),
                    MirrorQuestions.create(primary, peer, secondary));
        }
        CreateMirrorRequest.Builder request = CreateMirrorRequest.newBuilder()
                .setPrimary(primary).setPeer(peer).setSecondary(secondary);
        if (mode != null) {
            request.setWriteMode(mode);
        }
        if (grouped) {
            request.setConsistencyGroup(group);
        }
        if (priority != null) {
            request.setSyncPriority(priority);
        }
        if (resync != null) {
            request.setResyncMethod(resync);
        }
        Mirror m = mirrors().createMirror(request.build());
        boolean again = before != null && before.getId().equals(m.getId());
        if (!(waiting.wait && root.output().structured())) {
            confirm(m, (again ? "already exists: " : "created: ") + MirrorOutput.stateWithProgress(m) + ", "
                    + MirrorOutput.settings(m));
        }
        if (again) {
            root.warn(quoted(m.getVolume()) + " was mirrored already: no new synchronization was started, and the"
                    + " mirror keeps its settings; change them with 'csctl mirror set " + shellWord(m.getVolume())
                    + " ...'");
        }
        if (waiting.wait) {
            Mirror done = await(m, waiting);
            if (root.output().structured()) {
                root.output().document(done);
            }
        }
        return 0;
    }

    @Command(name = "candidates", description = {"List the volumes on the agent at --peer that could become"
            + " PRIMARY's secondary: standard volumes at least as large as PRIMARY, in no mirror or copy pair and"
            + " not the base of FlashCopies, by the rules 'csctl mirror create' applies. Nothing changes.",
            "Refused, with the reason, when either agent cannot take a new mirror (mirroring not activated,"
                    + " disabled, at its limit, or mirroring with another array)."})
    int candidates(
            @Parameters(paramLabel = "PRIMARY", description = "The volume of this agent that would be the primary.")
            String primary,
            @Option(names = "--peer", required = true, paramLabel = "HOST:PORT", converter = Converters.Peer.class,
                    description = "The replication endpoint of the agent to look at ('csctl mirror status' shows it"
                            + " there).") String peer) {
        ListSecondaryCandidatesResponse response = mirrors().listSecondaryCandidates(ListSecondaryCandidatesRequest
                .newBuilder().setPrimary(primary).setPeer(peer).build());
        Output out = root.output();
        if (out.structured()) {
            out.document(response);
        } else if (response.getCandidatesCount() == 0) {
            root.notes().println("no volume on array " + quoted(response.getPeerArray()) + " can be the secondary of "
                    + quoted(primary) + ": create a volume there at least as large ('csctl volume create')");
            root.notes().flush();
        } else {
            StringBuilder table = new StringBuilder(String.format("%-32s %s%n", "VOLUME", "SIZE"));
            for (SecondaryCandidate c : response.getCandidatesList()) {
                table.append(String.format("%-32s %s%n", c.getVolume(), dev.copyservices.api.Sizes.format(
                        c.getSizeBytes())));
            }
            out.print(table.toString());
        }
        return 0;
    }

    @Command(name = "list", description = "List the mirrors with a member on this agent, primaries and secondaries:"
            + " role, state, peer (array:volume), write mode, progress while synchronizing, lag of the asynchronous"
            + " modes and how much is out of sync.")
    int list() {
        ListMirrorsResponse response = mirrors().listMirrors(ListMirrorsRequest.getDefaultInstance());
        Output out = root.output();
        if (out.structured()) {
            out.document(response);
        } else if (response.getMirrorsCount() == 0) {
            root.notes().println("no mirrors");
            root.notes().flush();
        } else {
            out.print(MirrorOutput.table(response.getMirrorsList()));
        }
        inconsistent(response.getMirrorsList());
        return 0;
    }

    @Command(name = "show", description = "Show every field of a mirror; on a terminal, a synchronization in"
            + " progress is drawn as a progress bar.")
    int show(@Parameters(paramLabel = "NAME", description = NAME_HELP) String name,
            @picocli.CommandLine.Mixin Watch.Options watching) {
        Output out = root.output();
        if (watching.watch) {
            return Watch.run(out, watching.interval, () -> mirrors().getMirror(ref(name)), m -> MirrorOutput.render(m,
                    out.terminal()));
        }
        Mirror m = mirrors().getMirror(ref(name));
        if (out.structured()) {
            out.document(m);
            // the table form says it in a line of its own
            inconsistent(List.of(m));
        } else {
            out.print(MirrorOutput.render(m, out.terminal()));
        }
        return 0;
    }

    @Command(name = "suspend", description = {"Stop sending writes to the secondary, which then falls behind. The"
            + " writes are tracked, so that resume copies only the regions changed meanwhile. csctl asks first.",
            "Each named mirror's whole consistency group is suspended along, unless --member-only."})
    int suspend(
            @Parameters(paramLabel = "NAME", arity = "1..*", description = "The volume of each mirror to suspend.")
            List<String> names,
            @Option(names = "--member-only", description = MEMBER_ONLY_HELP) boolean memberOnly,
            @Option(names = {"-y", "--yes"}, description = "Suspend without asking, e.g. in a script.") boolean yes) {
        if (!yes) {
            // read first, so that the question names the rest of the consistency groups that go along
            List<Mirror> all = memberOnly ? List.of()
                    : mirrors().listMirrors(ListMirrorsRequest.getDefaultInstance()).getMirrorsList();
            agreeOrRefuse("suspend", "suspension of " + MirrorQuestions.names(names),
                    MirrorQuestions.suspend(names, memberOnly, all));
        }
        report(mirrors().suspendMirrors(MirrorsRequest.newBuilder().addAllVolumes(names).setMemberOnly(memberOnly)
                .build()), m -> "suspended: " + MirrorOutput.state(m.getState()));
        return 0;
    }

    @Command(name = "resume", description = {"Resume replication of Suspended or Unsynchronized mirrors: the regions"
            + " changed meanwhile are copied, never the whole volume. Until that resync completes the secondary"
            + " holds old and new data mixed and is not usable for disaster recovery.", "Each named mirror's"
            + " whole consistency group resumes along, unless --member-only."})
    int resume(
            @Parameters(paramLabel = "NAME", arity = "1..*", description = "The volume of each mirror to resume.")
            List<String> names,
            @Option(names = "--member-only", description = MEMBER_ONLY_HELP) boolean memberOnly,
            @picocli.CommandLine.Mixin Progress.Options waiting) {
        MirrorsResponse response = mirrors().resumeMirrors(MirrorsRequest.newBuilder()
                .addAllVolumes(names).setMemberOnly(memberOnly).build());
        if (waiting.wait && root.output().structured()) {
            response.getWarningsList().forEach(root::warn);
        } else {
            report(response, m -> "resumed: " + MirrorOutput.stateWithProgress(m));
            inconsistent(response.getMirrorsList());
        }
        if (waiting.wait) {
            // one after the other: the group's members resync together, so the first to finish is not
            // waited for while the others copy
            MirrorsResponse.Builder done = MirrorsResponse.newBuilder();
            for (Mirror m : response.getMirrorsList()) {
                done.addMirrors(await(m, waiting));
            }
            if (root.output().structured()) {
                root.output().document(done.build());
            }
        }
        return 0;
    }

    @Command(name = "set", description = "Change the write mode, consistency group, sync priority or resync method"
            + " of one or more mirrors: all of them or none. The change is made on the primary's agent; the"
            + " secondary learns it.")
    int set(
            @Parameters(paramLabel = "NAME", arity = "1..*", description = "The volume of each mirror to change.")
            List<String> names,
            @Option(names = "--mode", paramLabel = "sync|async", converter = Converters.Mode.class,
                    description = MODE_HELP) WriteMode mode,
            @Option(names = "--consistency-group", paramLabel = "GROUP", description = "Put the mirrors in this"
                    + " consistency group (asynchronous mirrors only); '' takes them out of theirs.") String group,
            @Option(names = "--priority", paramLabel = "PRIORITY", converter = Converters.Priority.class,
                    description = PRIORITY_HELP) CopyPriority priority,
            @Option(names = "--resync", paramLabel = "manual|automatic", converter = Converters.Resync.class,
                    description = RESYNC_HELP) ResyncMethod resync) {
        if (mode == null && group == null && priority == null && resync == null) {
            throw usage("set", "nothing to change: give --mode, --consistency-group, --priority, --resync or"
                    + " several of them");
        }
        if (mode == WriteMode.SYNCHRONOUS && group != null && !group.isEmpty()) {
            throw usage("set", "--consistency-group is for asynchronous mirrors only (Global Mirroring): give"
                    + " --mode async, or --consistency-group '' to take synchronous mirrors out of their group");
        }
        UpdateMirrorsRequest.Builder request = UpdateMirrorsRequest.newBuilder().addAllVolumes(names);
        if (mode != null) {
            request.setWriteMode(mode);
        }
        if (group != null) {
            // set, even when empty: empty takes the mirrors out of their group, unset leaves it
            request.setConsistencyGroup(group);
        }
        if (priority != null) {
            request.setSyncPriority(priority);
        }
        if (resync != null) {
            request.setResyncMethod(resync);
        }
        report(mirrors().updateMirrors(request.build()), m -> "updated: " + MirrorOutput.settings(m));
        return 0;
    }

    @Command(name = "remove", description = {"End mirrors; the data stays on both volumes. csctl asks first.",
            "Works from either side. When the peer cannot be reached only this side's member is removed: remove"
                    + " the other member on its agent."})
    int remove(
            @Parameters(paramLabel = "NAME", arity = "1..*", description = "The volume of each mirror to remove.")
            List<String> names,
            @Option(names = {"-y", "--yes"}, description = "Remove without asking, e.g. in a script.") boolean yes) {
        if (!yes) {
            agreeOrRefuse("remove", "removal of " + MirrorQuestions.names(names), MirrorQuestions.remove(names));
        }
        report(mirrors().removeMirrors(MirrorsRequest.newBuilder().addAllVolumes(names).build()),
                m -> "removed: the data stays on both volumes");
        return 0;
    }

    @Command(name = "test", description = {"Test the link to a mirror's peer: round trips against the maximum"
            + " allowed. Passed; Warning (Passed with Caution), the round trips come close to the maximum; or"
            + " Failed.", "Exit status 1 when Failed, in both output formats."})
    int test(@Parameters(paramLabel = "NAME", description = NAME_HELP) String name) {
        CommunicationTest t = mirrors().testCommunication(ref(name));
        Output out = root.output();
        if (out.structured()) {
            out.document(t);
        } else {
            out.print(MirrorOutput.render(t));
        }
        return t.getResult() == CommunicationResult.COMMUNICATION_FAILED ? ErrorReporter.AGENT_ERROR : 0;
    }

    @Command(name = "promote", description = {"Make this member the primary. With the link up the peer becomes"
            + " secondary in the same step, and from then on its content follows this member's. csctl asks first.",
            "With the peer unreachable it needs --force, and once the peer returns both members are primary"
                    + " (DualPrimary)."})
    int promote(
            @Parameters(paramLabel = "NAME", description = NAME_HELP) String name,
            @Option(names = "--force", description = "Promote even though the peer cannot be reached; both members"
                    + " are primary (DualPrimary) when it returns.") boolean force,
            @Option(names = {"-y", "--yes"}, description = "Promote without asking, e.g. in a script.") boolean yes) {
        return changeRole("promote", "promotion", name, MirrorRole.PRIMARY, force, yes);
    }

    @Command(name = "demote", description = {"Make this member the secondary. With the link up the peer becomes"
            + " primary in the same step, and from then on this member's content follows the peer's. csctl asks"
            + " first.", "With the peer unreachable it needs --force, and once the peer returns both members are"
                    + " secondary (DualSecondary)."})
    int demote(
            @Parameters(paramLabel = "NAME", description = NAME_HELP) String name,
            @Option(names = "--force", description = "Demote even though the peer cannot be reached; both members"
                    + " are secondary (DualSecondary) when it returns.") boolean force,
            @Option(names = {"-y", "--yes"}, description = "Demote without asking, e.g. in a script.") boolean yes) {
        return changeRole("demote", "demotion", name, MirrorRole.SECONDARY, force, yes);
    }

    private int changeRole(String command, String noun, String name, MirrorRole role, boolean force, boolean yes) {
        if (!yes) {
            // read first, so that the question names the peer that takes the other role, or keeps its own
            Mirror current = mirrors().getMirror(ref(name));
            agreeOrRefuse(command, noun + " of " + quoted(name), MirrorQuestions.changeRole(current, role, force));
        }
        Mirror m = mirrors().changeRole(ChangeRoleRequest.newBuilder().setVolume(name).setRole(role).setForce(force)
                .build());
        confirm(m, command + "d: now " + MirrorOutput.role(m.getRole()) + ", " + MirrorOutput.stateWithProgress(m)
                + ", generation " + Long.toUnsignedString(m.getGeneration()));
        if (force && !m.getPeerReachable()) {
            root.warn(MirrorQuestions.forcedWithoutPeer(m, role));
        }
        return 0;
    }

    MirrorServiceBlockingStub mirrors() {
        return root.client().mirrors();
    }

    /** The response as JSON, or one line per mirror it names; the agent's warnings on stderr in both formats. */
    void report(MirrorsResponse response, Function<Mirror, String> what) {
        Output out = root.output();
        if (out.structured()) {
            out.document(response);
        } else {
            response.getMirrorsList().forEach(m -> out.line("mirror " + MirrorOutput.pair(m) + " " + what.apply(m)));
        }
        response.getWarningsList().forEach(root::warn);
    }

    /**
     * --wait: follows the synchronization until the mirror is Synchronized; exit 1 if it ends otherwise
     * first (suspended, or unsynchronized with resync Manual).
     */
    private Mirror await(Mirror m, Progress.Options waiting) {
        return Progress.follow(root.output(), "mirror " + MirrorOutput.pair(m), waiting.interval,
                () -> mirrors().getMirror(ref(m.getVolume())), MirrorOutput::step);
    }

    /** The mirror as JSON, or one line: "mirror "db" -> "db-copy" on array-b {@code what}". */
    void confirm(Mirror m, String what) {
        Output out = root.output();
        if (out.structured()) {
            out.document(m);
        } else {
            out.line("mirror " + MirrorOutput.pair(m) + " " + what);
        }
    }

    /** A warning for each mirror whose secondary is inconsistent: on stderr, so that it shows beside JSON too. */
    void inconsistent(List<Mirror> mirrors) {
        mirrors.stream()
                .filter(Mirror::getSecondaryInconsistent)
                .forEach(m -> root.warn(quoted(m.getVolume()) + ": " + MirrorOutput.INCONSISTENT));
    }

    static MirrorRef ref(String name) {
        return MirrorRef.newBuilder().setVolume(name).build();
    }
}
