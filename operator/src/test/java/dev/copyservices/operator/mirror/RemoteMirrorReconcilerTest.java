package dev.copyservices.operator.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.copyservices.api.agent.v1.Array;
import dev.copyservices.api.agent.v1.Mirror;
import dev.copyservices.api.agent.v1.MirrorRole;
import dev.copyservices.api.agent.v1.MirrorState;
import dev.copyservices.api.agent.v1.WriteMode;
import dev.copyservices.crds.common.CopyPriority;
import dev.copyservices.crds.common.VolumeReference;
import dev.copyservices.crds.mirror.MirrorPeer;
import dev.copyservices.crds.mirror.RemoteMirror;
import dev.copyservices.crds.mirror.RemoteMirrorSpec;
import dev.copyservices.operator.agent.FakeAgentClient;
import dev.copyservices.operator.agent.FakeMirrorClient;
import dev.copyservices.operator.common.Conditions;
import dev.copyservices.operator.common.MutableClock;
import dev.copyservices.operator.common.RecordedEvents;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RemoteMirrorReconcilerTest {
    private final FakeAgentClient agent = new FakeAgentClient();
    private final FakeMirrorClient mirrors = new FakeMirrorClient();
    private final RecordingMirrorSpecs specs = new RecordingMirrorSpecs();
    private final RecordedEvents events = new RecordedEvents();
    private final RemoteMirrorReconciler reconciler = new RemoteMirrorReconciler(agent, mirrors,
            array -> array.startsWith("node-") ? Optional.of("10.0.0.1:7400") : Optional.empty(),
            new dev.copyservices.operator.common.FakeVolumeReferences(), specs, events,
            new MutableClock(Instant.parse("2026-12-06T10:00:00Z")));

    RemoteMirrorReconcilerTest() {
        agent.array = Array.newBuilder().setName("site-a-node-1").setSite("site-a").build();
    }

    @Test
    void aPrimaryResourceCreatesTheMirrorCarryingWhatTheOtherSiteNeedsToAdoptIt() {
        RemoteMirror resource = remoteMirror(dev.copyservices.crds.mirror.MirrorRole.Primary);
        resource.getSpec().setSyncPriority(CopyPriority.High);

        reconciler.reconcile(resource, null);

        assertEquals(List.of("getMirror db", "createMirror db 198.51.100.20:7702 db-copy"), mirrors.calls);
        var request = mirrors.creates.get(0);
        assertEquals(dev.copyservices.api.agent.v1.CopyPriority.COPY_PRIORITY_HIGH, request.getSyncPriority());
        assertEquals(Map.of("copyservices.dev/namespace", "shop", "copyservices.dev/name", "orders-db",
                "copyservices.dev/site", "site-a", "app", "orders"), request.getLabelsMap());
        assertEquals("Synchronizing", resource.getStatus().getState());
        assertEquals("Primary", resource.getStatus().getRole());
        assertEquals("Primary", resource.getStatus().getAppliedRole());
        assertEquals("True", condition(resource, "Ready").getStatus());
        assertEquals("False", condition(resource, "Synchronized").getStatus());
        assertTrue(events.recorded.contains("Normal Created"), events.recorded.toString());
    }

    @Test
    void aSecondaryWithoutAMirrorWaitsForThePrimarysSiteAndSaysWhatToApplyThere() {
        RemoteMirror resource = remoteMirror(dev.copyservices.crds.mirror.MirrorRole.Secondary);

        reconciler.reconcile(resource, null);

        assertEquals(List.of("getMirror db"), mirrors.calls, "a secondary never creates");
        Condition ready = condition(resource, "Ready");
        assertEquals("WaitingForPrimary", ready.getReason());
        assertTrue(ready.getMessage().contains("role: Primary for volume db-copy at site site-b"), ready.getMessage());
    }

    @Test
    void editingTheRoleIsARoleChangeOnTheAgentAndForceGoesAlong() {
        RemoteMirror resource = synchronizedPrimary();
        resource.getSpec().setRole(dev.copyservices.crds.mirror.MirrorRole.Secondary);
        resource.getSpec().setForce(true);

        reconciler.reconcile(resource, null);

        assertTrue(mirrors.calls.contains("changeRole db SECONDARY force"), mirrors.calls.toString());
        assertEquals("Secondary", resource.getStatus().getRole());
        assertEquals("Secondary", resource.getStatus().getAppliedRole());
        assertTrue(events.recorded.contains("Warning RoleForced"), events.recorded.toString());
    }

    @Test
    void aRoleChangedByTheOtherSiteIsFollowedIntoTheSpecAndNotUndone() {
        RemoteMirror resource = synchronizedPrimary();
        mirrors.mirrors.computeIfPresent("db", (k, m) -> m.toBuilder().setRole(MirrorRole.SECONDARY)
                .setPeerRole(MirrorRole.PRIMARY).build()); // a planned reversal from site-b
        mirrors.calls.clear();

        reconciler.reconcile(resource, null);

        assertTrue(mirrors.calls.stream().noneMatch(c -> c.startsWith("changeRole")), mirrors.calls.toString());
        assertEquals(List.of("followRole Secondary"), specs.edits);
        assertEquals(dev.copyservices.crds.mirror.MirrorRole.Secondary, resource.getSpec().getRole());
        assertEquals("Secondary", resource.getStatus().getAppliedRole());
        assertTrue(events.recorded.contains("Normal RoleFollowed"), events.recorded.toString());
    }

    @Test
    void aResourceAppliedForAnExistingMirrorTakesItsRoleAsItIsInsteadOfFailingOver() {
        mirrors.mirrors.put("db", Mirror.newBuilder().setId("m1").setVolume("db").setRole(MirrorRole.SECONDARY)
                .setState(MirrorState.SYNCHRONIZED).setPeerVolume("db-copy").setPeerArray("site-b-node-1").build());
        RemoteMirror resource = remoteMirror(dev.copyservices.crds.mirror.MirrorRole.Primary);

        reconciler.reconcile(resource, null);

        assertTrue(mirrors.calls.stream().noneMatch(c -> c.startsWith("changeRole")), mirrors.calls.toString());
        assertEquals(dev.copyservices.crds.mirror.MirrorRole.Secondary, resource.getSpec().getRole());
    }

    @Test
    void settingsAreAppliedOnThePrimaryAndFollowedIntoTheSpecOnTheSecondary() {
        RemoteMirror primary = synchronizedPrimary();
        primary.getSpec().setWriteMode(dev.copyservices.crds.mirror.WriteMode.Asynchronous);
        primary.getSpec().setConsistencyGroup("orders");
        reconciler.reconcile(primary, null);
        assertTrue(mirrors.calls.contains("update db"), mirrors.calls.toString());
        assertEquals(WriteMode.ASYNCHRONOUS, mirrors.mirrors.get("db").getWriteMode());
        assertEquals("orders", mirrors.mirrors.get("db").getConsistencyGroup());

        mirrors.mirrors.put("db", mirrors.mirrors.get("db").toBuilder().setRole(MirrorRole.SECONDARY).build());
        RemoteMirror secondary = remoteMirror(dev.copyservices.crds.mirror.MirrorRole.Secondary);
        mirrors.calls.clear();
        reconciler.reconcile(secondary, null);
        assertTrue(mirrors.calls.stream().noneMatch(c -> c.startsWith("update")), "the secondary's agent refuses settings");
        assertEquals(dev.copyservices.crds.mirror.WriteMode.Asynchronous, secondary.getSpec().getWriteMode());
        assertEquals("orders", secondary.getSpec().getConsistencyGroup());
    }

    @Test
    void suspendedSuspendsAndResumesOnlyWhenItChangesSoThatTheGroupsOtherMembersDoNotUndoIt() {
        RemoteMirror resource = synchronizedPrimary();
        resource.getSpec().setSuspended(true);
        reconciler.reconcile(resource, null);
        assertTrue(mirrors.calls.contains("suspend db"), mirrors.calls.toString());
        assertEquals("Suspended", resource.getStatus().getState());
        assertEquals("True", condition(resource, "Ready").getStatus(), "suspended as asked");

        RemoteMirror member = remoteMirror(dev.copyservices.crds.mirror.MirrorRole.Primary);
        member.getSpec().setVolume(VolumeReference.ofVolume("node-1", "db-log"));
        member.getSpec().getPeer().setVolume("db-log");
        mirrors.mirrors.put("db-log", Mirror.newBuilder().setId("m2").setVolume("db-log").setRole(MirrorRole.PRIMARY)
                .setState(MirrorState.SYNCHRONIZED).setPeerVolume("db-log").setSyncPriority(
                        dev.copyservices.api.agent.v1.CopyPriority.COPY_PRIORITY_MEDIUM)
                .setResyncMethod(dev.copyservices.api.agent.v1.ResyncMethod.MANUAL).setWriteMode(WriteMode.SYNCHRONOUS).build());
        reconciler.reconcile(member, null);
        mirrors.mirrors.put("db-log", mirrors.mirrors.get("db-log").toBuilder().setState(MirrorState.SUSPENDED).build());
        mirrors.calls.clear();
        reconciler.reconcile(member, null);
        assertTrue(mirrors.calls.stream().noneMatch(c -> c.startsWith("resume")), "a group suspension stays: " + mirrors.calls);

        resource.getSpec().setSuspended(false);
        reconciler.reconcile(resource, null);
        assertTrue(mirrors.calls.contains("resume db"), mirrors.calls.toString());
    }

    @Test
    void aDualPrimaryRaisesDualRoleConflictWithWhatToDo() {
        RemoteMirror resource = synchronizedPrimary();
        mirrors.mirrors.put("db", mirrors.mirrors.get("db").toBuilder().setState(MirrorState.DUAL_PRIMARY)
                .setPeerRole(MirrorRole.PRIMARY).build());

        reconciler.reconcile(resource, null);

        assertEquals("DualPrimary", resource.getStatus().getState());
        Condition conflict = condition(resource, "DualRoleConflict");
        assertEquals("True", conflict.getStatus());
        assertTrue(conflict.getMessage().contains("set role: Secondary on the other side"), conflict.getMessage());
        assertEquals("False", condition(resource, "Ready").getStatus());
        assertTrue(events.recorded.contains("Warning DualPrimary"), events.recorded.toString());
    }

    @Test
    void lagAboveTheObjectiveRaisesRpoBreachedOnce() {
        RemoteMirror resource = remoteMirror(dev.copyservices.crds.mirror.MirrorRole.Primary);
        resource.getSpec().setWriteMode(dev.copyservices.crds.mirror.WriteMode.Asynchronous);
        resource.getSpec().setRpoObjectiveSeconds(30L);
        var first = reconciler.reconcile(resource, null);
        assertTrue(first.getScheduleDelay().isPresent(), "lag is looked at again: it grows without an event");
        mirrors.mirrors.put("db", mirrors.mirrors.get("db").toBuilder().setState(MirrorState.SYNCHRONIZED).setLagSeconds(45).build());

        reconciler.reconcile(resource, null);
        reconciler.reconcile(resource, null);

        assertEquals("True", condition(resource, "RPOBreached").getStatus());
        assertEquals(1, events.recorded.stream().filter("Warning RPOBreached"::equals).count(), events.recorded.toString());
        mirrors.mirrors.put("db", mirrors.mirrors.get("db").toBuilder().setLagSeconds(2).build());
        reconciler.reconcile(resource, null);
        assertEquals("False", condition(resource, "RPOBreached").getStatus());
    }

    @Test
    void deletingRemovesTheMirrorRelationship() {
        RemoteMirror resource = synchronizedPrimary();

        reconciler.cleanup(resource, null);

        assertTrue(mirrors.calls.contains("remove db"), mirrors.calls.toString());
        assertTrue(mirrors.mirrors.isEmpty());
    }

    @Test
    void aMirrorRemovedElsewhereDeletesAnAdoptedResourceAndIsReportedOnAUsersOne() {
        RemoteMirror adopted = synchronizedPrimary();
        adopted.getMetadata().setAnnotations(Map.of(RemoteMirrorReconciler.ADOPTED_ANNOTATION, "site-b/shop/orders-db"));
        RemoteMirror own = synchronizedPrimary();
        mirrors.mirrors.clear();

        reconciler.reconcile(adopted, null);
        reconciler.reconcile(own, null);

        assertEquals(List.of("delete orders-db"), specs.edits);
        assertEquals("MirrorRemoved", condition(own, "Ready").getReason());
        assertEquals(1, mirrors.creates.size(), "nothing re-created: " + mirrors.calls);
    }

    @Test
    void aMirrorWithTheOperatorsLabelsBecomesAnAdoptedSecondaryResource() {
        Mirror mirror = Mirror.newBuilder().setVolume("db-copy").setRole(MirrorRole.SECONDARY).setPeerVolume("db")
                .setPeerEndpoint("198.51.100.10:7702").setWriteMode(WriteMode.ASYNCHRONOUS).setConsistencyGroup("orders")
                .setSyncPriority(dev.copyservices.api.agent.v1.CopyPriority.COPY_PRIORITY_HIGH)
                .putAllLabels(Map.of("copyservices.dev/namespace", "shop", "copyservices.dev/name", "orders-db",
                        "copyservices.dev/site", "site-a", "app", "orders")).build();

        RemoteMirror resource = SecondaryAdoption.resourceFor("node-1", mirror).orElseThrow();

        assertEquals("shop", resource.getMetadata().getNamespace());
        assertEquals("orders-db", resource.getMetadata().getName());
        assertEquals(Map.of("app", "orders"), resource.getMetadata().getLabels());
        assertEquals("site-a/shop/orders-db", resource.getMetadata().getAnnotations().get(RemoteMirrorReconciler.ADOPTED_ANNOTATION));
        RemoteMirrorSpec spec = resource.getSpec();
        assertEquals(dev.copyservices.crds.mirror.MirrorRole.Secondary, spec.getRole());
        assertEquals("node-1", spec.getVolume().getArray());
        assertEquals("db-copy", spec.getVolume().getVolume());
        assertEquals("site-a", spec.getPeer().getSite());
        assertEquals("198.51.100.10:7702", spec.getPeer().getEndpoint());
        assertEquals(dev.copyservices.crds.mirror.WriteMode.Asynchronous, spec.getWriteMode());
        assertEquals("orders", spec.getConsistencyGroup());
        assertEquals(CopyPriority.High, spec.getSyncPriority());
        assertTrue(SecondaryAdoption.resourceFor("node-1", mirror.toBuilder().clearLabels().build()).isEmpty(),
                "a mirror made with csctl has no resource to mirror");
    }

    private RemoteMirror synchronizedPrimary() {
        RemoteMirror resource = remoteMirror(dev.copyservices.crds.mirror.MirrorRole.Primary);
        reconciler.reconcile(resource, null);
        mirrors.mirrors.put("db", mirrors.mirrors.get("db").toBuilder().setState(MirrorState.SYNCHRONIZED)
                .setProgressPercent(100).build());
        reconciler.reconcile(resource, null);
        return resource;
    }

    private static RemoteMirror remoteMirror(dev.copyservices.crds.mirror.MirrorRole role) {
        RemoteMirror resource = new RemoteMirror();
        resource.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("orders-db").withGeneration(1L)
                .withLabels(Map.of("app", "orders")).build());
        RemoteMirrorSpec spec = new RemoteMirrorSpec();
        spec.setVolume(VolumeReference.ofVolume("node-1", "db"));
        MirrorPeer peer = new MirrorPeer();
        peer.setSite("site-b");
        peer.setEndpoint("198.51.100.20:7702");
        peer.setVolume("db-copy");
        spec.setPeer(peer);
        spec.setRole(role);
        resource.setSpec(spec);
        return resource;
    }

    private static Condition condition(RemoteMirror resource, String type) {
        return Conditions.find(resource.getStatus().getConditions(), type).orElseThrow(() -> new AssertionError("no " + type));
    }
}
