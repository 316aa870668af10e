package dev.copyservices.operator.mirror;

import dev.copyservices.crds.mirror.MirrorGroup;
import dev.copyservices.crds.mirror.MirrorGroupSpec;
import dev.copyservices.crds.mirror.MirrorGroupStatus;
import dev.copyservices.crds.mirror.MirrorRole;
import dev.copyservices.crds.mirror.RemoteMirror;
import dev.copyservices.operator.agent.AgentClient;
import dev.copyservices.operator.agent.AgentException;
import dev.copyservices.operator.common.ArrayEndpoints;
import dev.copyservices.operator.common.Conditions;
import dev.copyservices.operator.common.KubernetesEvents;
import dev.copyservices.operator.common.LabelSelectors;
import dev.copyservices.operator.common.StatusPatch;
import dev.copyservices.operator.common.Times;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The failover unit of an application. Applied at both sites, each operator sees its own side of the
 * group's mirrors. An edit of spec.primarySite (against status.appliedPrimarySite) fails the group
 * over: this site's members get the role the new primary site implies, and their RemoteMirror
 * reconcilers change the roles on the agents (a planned reversal with the link up; with force, a
 * takeover without the other site). A planned failover with a member that cannot reach its peer is
 * refused before any member changes, and spec.primarySite goes back, so a group never ends half
 * failed over by accident. When the other site failed the group over, spec.primarySite follows.
 * Runs on every change of a member RemoteMirror.
 */
public class MirrorGroupReconciler implements Reconciler<MirrorGroup> {
    static final String READY = "Ready";
    static final String DUAL_ROLE_CONFLICT = "DualRoleConflict";

    private final GroupMembers members;
    private final AgentClient agents;
    private final ArrayEndpoints arrays;
    private final KubernetesEvents events;
    private final Clock clock;

    @Inject
    public MirrorGroupReconciler(GroupMembers members, AgentClient agents, ArrayEndpoints arrays, KubernetesEvents events) {
        this(members, agents, arrays, events, Clock.systemUTC());
    }

    MirrorGroupReconciler(GroupMembers members, AgentClient agents, ArrayEndpoints arrays, KubernetesEvents events, Clock clock) {
        this.members = members;
        this.agents = agents;
        this.arrays = arrays;
        this.events = events;
        this.clock = clock;
    }

    @Override
    public List<EventSource<?, MirrorGroup>> prepareEventSources(EventSourceContext<MirrorGroup> context) {
        var configuration = InformerEventSourceConfiguration.from(RemoteMirror.class, MirrorGroup.class)
                .withSecondaryToPrimaryMapper((RemoteMirror mirror) -> context.getPrimaryCache()
                        .list(group -> Objects.equals(group.getMetadata().getNamespace(), mirror.getMetadata().getNamespace())
                                && LabelSelectors.matches(group.getSpec().getSelector(), mirror.getMetadata().getLabels()))
                        .map(ResourceID::fromResource).collect(Collectors.toSet()))
                .build();
        return List.of(new InformerEventSource<>(configuration, context));
    }

    /** Where the group's members stand: this site, the other one, and who is primary now. */
    /** {@code unresponsive}: the first member that cannot reach its peer, or null. */
    record Sides(String local, String peer, String primarySite, boolean conflict, String unresponsive, String unknownRole) {
    }

    @Override
    public UpdateControl<MirrorGroup> reconcile(MirrorGroup group, Context<MirrorGroup> context) {
        MirrorGroupStatus status = group.getStatus() != null ? group.getStatus() : new MirrorGroupStatus();
        Long generation = group.getMetadata().getGeneration();
        status.setObservedGeneration(generation);
        List<RemoteMirror> selected = members.select(group);
        status.setMemberCount(selected.size());
        status.setMembers(selected.stream().map(MirrorGroupReconciler::member).toList());
        group.setStatus(status);
        if (selected.isEmpty()) {
            status.setState("Failed");
            Conditions.notReady(group, status.getConditions(), "NoMembers", "the selector picks no RemoteMirror in namespace "
                    + group.getMetadata().getNamespace() + ". To fix: label the RemoteMirrors, or correct spec.selector",
                    generation, clock, events);
            return StatusPatch.of(group, context);
        }
        Sides sides;
        try {
            sides = sides(selected);
        } catch (AgentException e) {
            Conditions.notReady(group, status.getConditions(), e.reason(), e.describe(), generation, clock, events);
            return StatusPatch.of(group, context);
        }
        status.setPrimarySite(sides.primarySite());
        MirrorGroupSpec spec = group.getSpec();
        String wanted = spec.getPrimarySite();
        boolean pending = status.getLastFailover() != null && status.getLastFailover().completed == null
                && wanted.equals(status.getLastFailover().to);
        if (status.getAppliedPrimarySite() == null) {
            // first sight: take the group as it is; applying a file must not fail a site over
            if (sides.primarySite() != null && !sides.primarySite().equals(wanted)) {
                follow(group, status, sides.primarySite(), "the members' primaries are at " + sides.primarySite());
                wanted = sides.primarySite();
            }
            status.setAppliedPrimarySite(wanted);
        } else if (!wanted.equals(status.getAppliedPrimarySite())) {
            if (!failOver(group, status, selected, sides)) {
                return StatusPatch.of(group, context);
            }
            pending = true;
        } else if (pending) {
            assignRoles(selected, sides, wanted, Boolean.TRUE.equals(status.getLastFailover().forced));
        } else if (sides.primarySite() != null && !sides.primarySite().equals(wanted)) {
            follow(group, status, sides.primarySite(), "the group was failed over from site " + sides.primarySite());
            wanted = sides.primarySite();
            status.setAppliedPrimarySite(wanted);
        }
        if (pending && wanted.equals(sides.primarySite())) {
            status.getLastFailover().completed = Times.now(clock);
            events.normal(group, "FailoverCompleted", "every member at " + sides.local() + " is "
                    + (wanted.equals(sides.local()) ? "Primary" : "Secondary") + ": " + wanted + " is the primary site");
            pending = false;
        }
        conditions(group, status, sides, wanted, pending, generation);
        return StatusPatch.of(group, context);
    }

    private static MirrorGroupStatus.Member member(RemoteMirror mirror) {
        MirrorGroupStatus.Member member = new MirrorGroupStatus.Member();
        member.name = mirror.getMetadata().getName();
        member.role = mirror.getStatus() == null ? null : mirror.getStatus().getRole();
        member.state = mirror.getStatus() == null ? null : mirror.getStatus().getState();
        return member;
    }

    private Sides sides(List<RemoteMirror> selected) throws AgentException {
        Map<String, String> siteOfArray = new HashMap<>();
        String local = null;
        String peer = null;
        boolean allPrimary = true;
        boolean allSecondary = true;
        boolean conflict = false;
        String unresponsive = null;
        String unknownRole = null;
        for (RemoteMirror m : selected) {
            // a PVC member names no array: its StorageArray is the one its reconciler resolved the claim to
            String array = m.getSpec().getVolume().getArray() != null ? m.getSpec().getVolume().getArray()
                    : m.getStatus() == null ? null : m.getStatus().getArray();
            if (array != null && !siteOfArray.containsKey(array)) {
                String endpoint = arrays.endpointOf(array).orElseThrow(() -> new AgentException("ArrayNotFound",
                        "member " + m.getMetadata().getName() + " names StorageArray '" + array + "', which does not exist",
                        "create it, or correct the member"));
                siteOfArray.put(array, agents.getArray(endpoint).getSite());
            }
            local = local != null ? local : siteOfArray.get(array);
            peer = peer != null ? peer : m.getSpec().getPeer().getSite();
            String role = m.getStatus() == null ? null : m.getStatus().getRole();
            String state = m.getStatus() == null ? null : m.getStatus().getState();
            allPrimary &= "Primary".equals(role);
            allSecondary &= "Secondary".equals(role);
            conflict |= state != null && state.startsWith("Dual");
            if ("Unresponsive".equals(state) && unresponsive == null) {
                unresponsive = m.getMetadata().getName();
            }
            if (role == null && unknownRole == null) {
                unknownRole = m.getMetadata().getName();
            }
        }
        String primarySite = conflict ? null : allPrimary ? local : allSecondary ? peer : null;
        return new Sides(local, peer, primarySite, conflict, unresponsive, unknownRole);
    }

    /** Starts a failover to spec.primarySite, or refuses it (and puts spec.primarySite back) when it cannot be planned. */
    private boolean failOver(MirrorGroup group, MirrorGroupStatus status, List<RemoteMirror> selected, Sides sides) {
        MirrorGroupSpec spec = group.getSpec();
        String from = status.getAppliedPrimarySite();
        String to = spec.getPrimarySite();
        boolean force = Boolean.TRUE.equals(spec.getForce());
        String refusal = null;
        if (!to.equals(sides.local()) && !to.equals(sides.peer())) {
            refusal = "primarySite " + to + " is neither this site (" + sides.local() + ") nor the members' peer site ("
                    + sides.peer() + "). To fix: name one of them";
        } else if (!force && sides.unknownRole() != null) {
            refusal = "member " + sides.unknownRole() + " has no role yet (it is not mirrored). To fix: wait until every"
                    + " member is Ready, or take it out of the group";
        } else if (!force && sides.unresponsive() != null) {
            refusal = "member " + sides.unresponsive() + " cannot reach its peer at the other site (Unresponsive), so a"
                    + " planned failover cannot hand over the writes. If that site was only just restarted, wait until"
                    + " every member shows its peer again and repeat the edit. If it is gone, take over"
                    + " without it: set primarySite: " + to + " and force: true in one edit: kubectl patch mirrorgroup "
                    + group.getMetadata().getName() + " --type merge -p '{\"spec\":{\"primarySite\":\"" + to
                    + "\",\"force\":true}}'";
        }
        if (refusal != null) {
            members.followPrimarySite(group, from); // nothing changed, so the spec says so again
            status.setState("Failed");
            Conditions.set(status.getConditions(), READY, false, "FailoverRefused", "the failover to " + to
                    + " was refused and spec.primarySite is " + from + " again: " + refusal, group.getMetadata().getGeneration(),
                    clock);
            events.warning(group, "FailoverRefused", "the failover to " + to + " was refused: " + refusal);
            return false;
        }
        MirrorGroupStatus.Failover failover = new MirrorGroupStatus.Failover();
        failover.from = sides.primarySite() != null ? sides.primarySite() : from;
        failover.to = to;
        failover.forced = force;
        failover.started = Times.now(clock);
        status.setLastFailover(failover);
        status.setAppliedPrimarySite(to);
        int changed = assignRoles(selected, sides, to, force);
        String message = (force ? "forced failover" : "planned failover") + " from " + failover.from + " to " + to + ": "
                + changed + " member(s) at " + sides.local() + " become "
                + (to.equals(sides.local()) ? "Primary" : "Secondary");
        if (force) {
            events.warning(group, "FailoverStarted", message + " without the other site");
        } else {
            events.normal(group, "FailoverStarted", message);
        }
        return true;
    }

    private int assignRoles(List<RemoteMirror> selected, Sides sides, String primarySite, boolean force) {
        MirrorRole role = primarySite.equals(sides.local()) ? MirrorRole.Primary : MirrorRole.Secondary;
        int changed = 0;
        for (RemoteMirror m : selected) {
            if (m.getSpec().getRole() != role) {
                members.setRole(m, role, force);
                changed++;
            }
        }
        return changed;
    }

    private void follow(MirrorGroup group, MirrorGroupStatus status, String site, String why) {
        members.followPrimarySite(group, site);
        group.getSpec().setPrimarySite(site);
        events.normal(group, "PrimarySiteFollowed", why + "; spec.primarySite now says " + site);
    }

    private void conditions(MirrorGroup group, MirrorGroupStatus status, Sides sides, String wanted, boolean pending,
            Long generation) {
        String state;
        String reason;
        String message;
        if (sides.conflict()) {
            state = "Conflict";
            reason = "DualRoleConflict";
            message = "a member is DualPrimary or DualSecondary. To fix: set primarySite to the site whose data to keep, at the"
                    + " other site (its members then take the Secondary role and only changed regions are copied)";
        } else if (pending) {
            state = "FailingOver";
            reason = "FailingOver";
            message = "the members are taking the roles for primary site " + wanted;
        } else if (wanted.equals(sides.primarySite())) {
            state = "Stable";
            reason = "Stable";
            message = "every member's primary is at " + wanted;
        } else {
            state = "Failed";
            reason = "MembersDisagree";
            message = "the members' roles do not match primary site " + wanted + ": "
                    + status.getMembers().stream().map(m -> m.name + " " + m.role + " " + m.state).collect(Collectors.joining(", "))
                    + ". To fix: look at the members' Ready conditions";
        }
        String previous = status.getState();
        status.setState(state);
        Conditions.set(status.getConditions(), READY, "Stable".equals(state), reason, message, generation, clock);
        Conditions.set(status.getConditions(), DUAL_ROLE_CONFLICT, sides.conflict(), sides.conflict() ? "DualRoleConflict"
                : "NoConflict", sides.conflict() ? message : "no member has a dual role", generation, clock);
        if (!Objects.equals(previous, state) && ("Conflict".equals(state) || "Failed".equals(state))) {
            events.warning(group, state, message);
        }
    }
}
