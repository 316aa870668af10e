package dev.copyservices.cli;

import static dev.copyservices.cli.CommandGroup.quoted;

import dev.copyservices.api.agent.v1.Mirror;
import dev.copyservices.api.agent.v1.MirrorRole;
import java.util.List;

/**
 * What the {@code csctl mirror} commands that overwrite or take a secondary out of step ask before they
 * send anything, and what a forced role change warns afterwards. Only y or yes go ahead (see
 * {@link Csctl#ask}).
 */
final class MirrorQuestions {

    private MirrorQuestions() {
    }

    static String create(String primary, String peer, String secondary) {
        return "Mirror " + quoted(primary) + " onto " + quoted(secondary) + " at " + peer + ": the content of "
                + quoted(secondary) + " is overwritten by a full synchronization from " + quoted(primary) + ", and"
                + " from then on the writes to " + quoted(primary) + " are sent there. Continue?";
    }

    static String remove(List<String> names) {
        return "Remove the " + (names.size() == 1 ? "mirror" : "mirrors") + " of " + names(names) + ": replication"
                + " ends, and the data stays on both volumes" + (names.size() == 1 ? "" : " of each") + ". Continue?";
    }

    /**
     * {@code all} is every mirror of this agent, so that the question names the rest of the consistency
     * groups a suspend takes along; not read when {@code memberOnly}, and then empty.
     */
    static String suspend(List<String> names, boolean memberOnly, List<Mirror> all) {
        return "Suspend the " + (names.size() == 1 ? "mirror" : "mirrors") + " of " + names(names)
                + (memberOnly ? "" : along(names, all)) + ": writes are no longer sent to the "
                + (names.size() == 1 ? "secondary, which falls" : "secondaries, which fall") + " behind until"
                + " resumed. Continue?";
    }

    /**
     * A promotion ({@code role} PRIMARY) or demotion of {@code current}. With the peer reachable it takes the
     * other role in the same step; forced while it cannot be reached, both members end in {@code role}.
     */
    static String changeRole(Mirror current, MirrorRole role, boolean force) {
        String verb = role == MirrorRole.PRIMARY ? "Promote " : "Demote ";
        String roleWord = word(role);
        String name = quoted(current.getVolume());
        String peer = current.getPeerVolume().isEmpty() ? "the peer's volume" : quoted(current.getPeerVolume());
        if (force && !current.getPeerReachable()) {
            return verb + name + " to " + roleWord + " without its peer: " + peerArray(current) + " cannot be"
                    + " reached, so " + peer + " keeps its role there, and both members are " + roleWord + " ("
                    + dual(role) + ") when it returns. Continue?";
        }
        MirrorRole other = role == MirrorRole.PRIMARY ? MirrorRole.SECONDARY : MirrorRole.PRIMARY;
        String follower = role == MirrorRole.PRIMARY ? peer : name;
        String leader = role == MirrorRole.PRIMARY ? name : peer;
        return verb + name + " to " + roleWord + ": " + peer + " on " + peerArray(current)
                + (current.getPeerRole() == other ? " stays " + word(other) : " becomes " + word(other)
                        + " in the same step")
                + ", and the content of " + follower + " follows " + leader + " from then on."
                + (force ? " With --force the role changes even if " + peerArray(current) + " cannot be reached;"
                        + " both members are then " + roleWord + " (" + dual(role) + ") when it returns." : "")
                + " Continue?";
    }

    /** After a forced role change that did not reach the peer. */
    static String forcedWithoutPeer(Mirror changed, MirrorRole role) {
        return peerArray(changed) + " could not be reached: it does not know of the change, and both members are "
                + word(role) + " (" + dual(role) + ") when it returns";
    }

    /** Names in running text: {@code "a"}, {@code "a" and "b"}, {@code "a", "b" and "c"}. */
    static String names(List<String> names) {
        List<String> quoted = names.stream().map(CommandGroup::quoted).toList();
        return quoted.size() == 1 ? quoted.get(0) : String.join(", ", quoted.subList(0, quoted.size() - 1))
                + " and " + quoted.get(quoted.size() - 1);
    }

    /** The rest of the named mirrors' consistency groups, which a suspend takes along; empty when none. */
    private static String along(List<String> names, List<Mirror> all) {
        List<String> groups = all.stream()
                .filter(m -> names.contains(m.getVolume()) && !m.getConsistencyGroup().isEmpty())
                .map(Mirror::getConsistencyGroup)
                .distinct()
                .sorted()
                .toList();
        List<String> others = all.stream()
                .filter(m -> groups.contains(m.getConsistencyGroup()) && !names.contains(m.getVolume()))
                .map(Mirror::getVolume)
                .sorted()
                .toList();
        if (others.isEmpty()) {
            return "";
        }
        return ", and with " + (names.size() == 1 ? "it" : "them") + " the rest of consistency group"
                + (groups.size() == 1 ? " " : "s ") + names(groups) + " (" + names(others) + ")";
    }

    /** The peer's array by name, else by endpoint, for running text. */
    private static String peerArray(Mirror m) {
        return !m.getPeerArray().isEmpty() ? m.getPeerArray()
                : !m.getPeerEndpoint().isEmpty() ? m.getPeerEndpoint() : "the peer's array";
    }

    private static String word(MirrorRole role) {
        return role == MirrorRole.PRIMARY ? "primary" : "secondary";
    }

    private static String dual(MirrorRole role) {
        return role == MirrorRole.PRIMARY ? "DualPrimary" : "DualSecondary";
    }
}
