package dev.copyservices.operator.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.api.agent.v1.Array;
import dev.copyservices.crds.common.VolumeReference;
import dev.copyservices.crds.mirror.MirrorGroup;
import dev.copyservices.crds.mirror.MirrorGroupSpec;
import dev.copyservices.crds.mirror.MirrorPeer;
import dev.copyservices.crds.mirror.MirrorRole;
import dev.copyservices.crds.mirror.RemoteMirror;
import dev.copyservices.crds.mirror.RemoteMirrorSpec;
import dev.copyservices.crds.mirror.RemoteMirrorStatus;
import dev.copyservices.operator.agent.FakeAgentClient;
import dev.copyservices.operator.common.Conditions;
import dev.copyservices.operator.common.MutableClock;
import dev.copyservices.operator.common.RecordedEvents;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class MirrorGroupReconcilerTest {
    private final FakeAgentClient agent = new FakeAgentClient();
    private final RecordedEvents events = new RecordedEvents();
    private final List<RemoteMirror> mirrors = new ArrayList<>();
    private final List<String> edits = new CopyOnWriteArrayList<>();
    private final GroupMembers members = new GroupMembers() {
        @Override
        public List<RemoteMirror> select(MirrorGroup group) {
            return List.copyOf(mirrors);
        }

        @Override
        public void setRole(RemoteMirror member, MirrorRole role, boolean force) {
            edits.add(member.getMetadata().getName() + " " + role + (force ? " force" : ""));
            member.getSpec().setRole(role);
            member.getSpec().setForce(force);
        }

        @Override
        public void followPrimarySite(MirrorGroup group, String site) {
            edits.add("group " + site);
            group.getSpec().setPrimarySite(site);
            group.getSpec().setForce(false);
        }
    };
    private final MirrorGroupReconciler reconciler = new MirrorGroupReconciler(members, agent,
            array -> Optional.of("10.0.0.1:7400"), events, new MutableClock(Instant.parse("2026-12-06T10:00:00Z")));

    MirrorGroupReconcilerTest() {
        agent.array = Array.newBuilder().setName("site-b-node-1").setSite("site-b").build(); // this cluster is site-b
        mirrors.add(member("orders-db", "Secondary", "Synchronized"));
        mirrors.add(member("orders-log", "Secondary", "Synchronized"));
    }

    @Test
    void aGroupAppliedAsItIsIsStableAndChangesNoMember() {
        MirrorGroup group = group("site-a", false);

        reconciler.reconcile(group, null);

        assertEquals(List.of(), edits);
        assertEquals("Stable", group.getStatus().getState());
        assertEquals("site-a", group.getStatus().getPrimarySite());
        assertEquals(2, group.getStatus().getMemberCount());
        assertEquals("True", Conditions.find(group.getStatus().getConditions(), "Ready").orElseThrow().getStatus());
    }

    @Test
    void editingPrimarySiteGivesEveryMemberItsNewRoleAndCompletesWhenTheyHaveIt() {
        MirrorGroup group = group("site-a", false);
        reconciler.reconcile(group, null);

        group.getSpec().setPrimarySite("site-b");
        reconciler.reconcile(group, null);
        assertEquals(List.of("orders-db Primary", "orders-log Primary"), edits);
        assertEquals("FailingOver", group.getStatus().getState());
        assertEquals("site-a", group.getStatus().getLastFailover().from);

        mirrors.forEach(m -> m.getStatus().setRole("Primary"));
        reconciler.reconcile(group, null);
        assertEquals("Stable", group.getStatus().getState());
        assertTrue(group.getStatus().getLastFailover().completed != null);
        assertTrue(events.recorded.contains("Normal FailoverCompleted"), events.recorded.toString());
    }

    @Test
    void aPlannedFailoverWithTheOtherSiteUnreachableIsRefusedBeforeAnyMemberChangesAndTheSpecGoesBack() {
        MirrorGroup group = group("site-a", false);
        reconciler.reconcile(group, null);
        mirrors.get(1).getStatus().setState("Unresponsive");

        group.getSpec().setPrimarySite("site-b");
        reconciler.reconcile(group, null);

        assertEquals(List.of("group site-a"), edits, "no member changed");
        assertEquals("site-a", group.getSpec().getPrimarySite());
        assertTrue(events.recorded.contains("Warning FailoverRefused"), events.recorded.toString());
        String refusal = Conditions.find(group.getStatus().getConditions(), "Ready").orElseThrow().getMessage();
        assertTrue(refusal.contains("member orders-log cannot reach its peer") && refusal.contains("force: true"), refusal);

        group.getSpec().setPrimarySite("site-b");
        group.getSpec().setForce(true);
        reconciler.reconcile(group, null);
        assertTrue(edits.containsAll(List.of("orders-db Primary force", "orders-log Primary force")), edits.toString());
        assertTrue(group.getStatus().getLastFailover().forced);
    }

    @Test
    void aFailoverDoneFromTheOtherSiteIsFollowedIntoTheSpecAndNotUndone() {
        MirrorGroup group = group("site-a", false);
        reconciler.reconcile(group, null);
        mirrors.forEach(m -> { // site-a's operator promoted site-b's members... rather, demoted its own: here they are Primary
            m.getStatus().setRole("Primary");
            m.getSpec().setRole(MirrorRole.Primary);
        });

        reconciler.reconcile(group, null);

        assertEquals(List.of("group site-b"), edits);
        assertEquals("site-b", group.getStatus().getAppliedPrimarySite());
        assertEquals("Stable", group.getStatus().getState());
    }

    @Test
    void aDualRoleMemberMakesTheGroupAConflictWithWhatToDo() {
        MirrorGroup group = group("site-a", false);
        mirrors.get(0).getStatus().setState("DualPrimary");
        mirrors.get(0).getStatus().setRole("Primary");

        reconciler.reconcile(group, null);

        assertEquals("Conflict", group.getStatus().getState());
        assertNull(group.getStatus().getPrimarySite());
        assertEquals("True", Conditions.find(group.getStatus().getConditions(), "DualRoleConflict").orElseThrow().getStatus());
    }

    @Test
    void aSelectorThatPicksNothingSaysSo() {
        mirrors.clear();
        MirrorGroup group = group("site-a", false);

        reconciler.reconcile(group, null);

        assertEquals("NoMembers", Conditions.find(group.getStatus().getConditions(), "Ready").orElseThrow().getReason());
    }

    private static MirrorGroup group(String primarySite, boolean force) {
        MirrorGroup group = new MirrorGroup();
        group.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("orders").withGeneration(1L).build());
        MirrorGroupSpec spec = new MirrorGroupSpec();
        spec.setSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("app", "orders")).build());
        spec.setPrimarySite(primarySite);
        spec.setForce(force);
        group.setSpec(spec);
        return group;
    }

    @Test
    void primaryMembersThatAreClaimsAreAtTheSiteOfTheArrayTheirStatusNames() {
        mirrors.clear();
        for (String name : List.of("orders-db", "orders-log")) {
            RemoteMirror mirror = member(name, "Primary", "Synchronized");
            mirror.getSpec().setVolume(VolumeReference.ofPvc(name));
            mirror.getStatus().setArray("node-1");
            mirrors.add(mirror);
        }
        MirrorGroup group = group("site-b", false);

        reconciler.reconcile(group, null);

        assertEquals("site-b", group.getStatus().getPrimarySite(), "all primaries here, at site-b");
        assertEquals("True", Conditions.find(group.getStatus().getConditions(), "Ready").orElseThrow().getStatus());
        assertEquals(List.of(), edits);
    }

    private static RemoteMirror member(String name, String role, String state) {
        RemoteMirror mirror = new RemoteMirror();
        mirror.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName(name).withLabels(Map.of("app", "orders")).build());
        RemoteMirrorSpec spec = new RemoteMirrorSpec();
        spec.setVolume(VolumeReference.ofVolume("node-1", name));
        MirrorPeer peer = new MirrorPeer();
        peer.setSite("site-a");
        peer.setEndpoint("198.51.100.10:7702");
        peer.setVolume(name);
        spec.setPeer(peer);
        spec.setRole(MirrorRole.valueOf(role));
        mirror.setSpec(spec);
        RemoteMirrorStatus status = new RemoteMirrorStatus();
        status.setRole(role);
        status.setState(state);
        mirror.setStatus(status);
        return mirror;
    }
}
