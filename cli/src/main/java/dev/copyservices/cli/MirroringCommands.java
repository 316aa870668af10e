package dev.copyservices.cli;

import dev.copyservices.api.agent.v1.ActivateMirroringRequest;
import dev.copyservices.api.agent.v1.DeactivateMirroringRequest;
import dev.copyservices.api.agent.v1.GetMirroringRequest;
import dev.copyservices.api.agent.v1.MirroringStatus;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * The {@code csctl mirror} commands about mirroring on this agent rather than about one mirror: activate,
 * deactivate and status. Classes rather than methods of MirrorCommands so that picocli lists them first,
 * in the order they are used, before the commands on mirrors.
 */
final class MirroringCommands {

    private MirroringCommands() {
    }

    /** What the three share: the group, which reaches the agent, and the one-line answer of a change. */
    abstract static class MirroringCommand implements Callable<Integer> {
        @ParentCommand
        MirrorCommands group;

        /** The status as JSON, or {@code what} on one line. */
        void changed(MirroringStatus s, String what) {
            Output out = group.root.output();
            if (out.structured()) {
                out.document(s);
            } else {
                out.line(what);
            }
        }
    }

    @Command(name = "activate", description = "Activate mirroring on this agent: creates the mirror log in the pool,"
            + " which every mirror here needs. Asking again changes nothing.")
    static final class Activate extends MirroringCommand {
        @Override
        public Integer call() {
            MirroringStatus s = group.mirrors().activateMirroring(ActivateMirroringRequest.getDefaultInstance());
            changed(s, "mirroring activated: mirrors may exist on this agent");
            if (!s.getEnabled()) {
                group.root.warn("the agent runs with --disable-feature mirror: it refuses new mirrors until it runs"
                        + " without it");
            }
            return 0;
        }
    }

    @Command(name = "deactivate", description = "Deactivate mirroring on this agent. Refused while any mirror"
            + " exists here: remove the mirrors first.")
    static final class Deactivate extends MirroringCommand {
        @Override
        public Integer call() {
            changed(group.mirrors().deactivateMirroring(DeactivateMirroringRequest.getDefaultInstance()),
                    "mirroring deactivated: no mirror can exist on this agent until it is activated again");
            return 0;
        }
    }

    @Command(name = "status", description = "Show whether mirroring is activated and enabled on this agent, its"
            + " replication endpoint (what 'mirror create --peer' names on the other array), the partner array and"
            + " how many mirrors it holds, and each consistency group with a member here: Synchronized only when"
            + " every member is.")
    static final class Status extends MirroringCommand {
        @Override
        public Integer call() {
            MirroringStatus s = group.mirrors().getMirroring(GetMirroringRequest.getDefaultInstance());
            Output out = group.root.output();
            if (out.structured()) {
                out.document(s);
            } else {
                out.print(MirrorOutput.render(s));
            }
            return 0;
        }
    }
}
