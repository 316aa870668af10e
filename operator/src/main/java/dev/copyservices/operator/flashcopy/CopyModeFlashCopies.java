package dev.copyservices.operator.flashcopy;

import dev.copyservices.api.agent.v1.EstablishRequest;
import dev.copyservices.api.agent.v1.Relationship;
import dev.copyservices.api.agent.v1.RelationshipState;
import dev.copyservices.api.agent.v1.WithdrawResponse;
import dev.copyservices.crds.flashcopy.CopyOptions;
import dev.copyservices.crds.flashcopy.FlashCopy;
import dev.copyservices.crds.flashcopy.FlashCopyStatus;
import dev.copyservices.operator.agent.AgentClient;
import dev.copyservices.operator.agent.AgentException;
import dev.copyservices.operator.common.Conditions;
import dev.copyservices.operator.common.KubernetesEvents;
import dev.copyservices.operator.common.Times;
import java.time.Clock;
import java.util.Objects;

/**
 * A Copy-mode FlashCopy resource as a relationship on the array (the DS8000 FlashCopy): established
 * once, re-flashed when flashGeneration goes up, withdrawn under the safe-terminate rule when the
 * resource is deleted. The relationship is named by its target volume.
 */
final class CopyModeFlashCopies {
    /** On the resource, lets a delete withdraw a relationship whose target is not fully copied. */
    static final String FORCE_WITHDRAW = "copyservices.dev/force-withdraw";
    static final String COPIED = "BackgroundCopyComplete";

    private final AgentClient agents;
    private final KubernetesEvents events;
    private final Clock clock;

    CopyModeFlashCopies(AgentClient agents, KubernetesEvents events, Clock clock) {
        this.agents = agents;
        this.events = events;
        this.clock = clock;
    }

    void reconcile(FlashCopy resource, FlashCopyStatus status, String array, String endpoint, String source, String target,
            Long generation) throws AgentException {
        long wanted = resource.getSpec().getFlashGeneration() == null ? 0 : resource.getSpec().getFlashGeneration();
        String previousState = status.getState();
        Relationship relationship;
        try {
            relationship = agents.getRelationship(endpoint, target);
            if (!relationship.getSource().equals(source)) {
                throw new AgentException("TargetInAnotherRelationship", "volume '" + target + "' is the target of a relationship from '"
                        + relationship.getSource() + "'", "withdraw that one first (csctl flashcopy withdraw " + target
                        + "), or pick another target");
            }
        } catch (AgentException e) {
            if (!e.notFound()) {
                throw e;
            }
            boolean establishedBefore = status.getPointInTime() != null && target.equals(status.getArrayName());
            if (establishedBefore && status.getObservedFlashGeneration() != null && wanted <= status.getObservedFlashGeneration()) {
                ended(resource, status, array, target, previousState, generation);
                return;
            }
            relationship = agents.establish(endpoint, EstablishRequest.newBuilder().setSource(source).setTarget(target)
                    .setOptions(options(resource.getSpec().getCopyOptions())).build());
            status.setObservedFlashGeneration(wanted);
            events.normal(resource, "Established", "the point-in-time image of " + source + " is on " + target + " on " + array);
        }
        if (status.getObservedFlashGeneration() == null) {
            status.setObservedFlashGeneration(wanted); // the status was lost: adopt the relationship as it is
        }
        if (wanted > status.getObservedFlashGeneration()) {
            relationship = agents.reflash(endpoint, target);
            status.setObservedFlashGeneration(wanted);
            events.normal(resource, "NewPointInTime", "relationship onto " + target + " re-flashed");
        }
        fill(status, array, relationship);
        conditions(resource, status, relationship, previousState, generation);
    }

    static dev.copyservices.api.agent.v1.CopyOptions options(CopyOptions options) {
        dev.copyservices.api.agent.v1.CopyOptions.Builder wire = dev.copyservices.api.agent.v1.CopyOptions.newBuilder()
                .setBackgroundCopy(true);
        if (options != null) {
            wire.setBackgroundCopy(!Boolean.FALSE.equals(options.getBackgroundCopy()))
                    .setPersistent(Boolean.TRUE.equals(options.getPersistent()))
                    .setIncremental(Boolean.TRUE.equals(options.getIncremental()));
        }
        return wire.build();
    }

    private static void fill(FlashCopyStatus status, String array, Relationship relationship) {
        status.setArray(array);
        status.setArrayName(relationship.getTarget());
        status.setState(switch (relationship.getState()) {
            case RELATIONSHIP_COPYING -> "Copying";
            case RELATIONSHIP_COPIED -> "Copied";
            case RELATIONSHIP_NO_BACKGROUND_COPY -> "NoBackgroundCopy";
            case RELATIONSHIP_FAILED -> "Failed";
            default -> "Unknown";
        });
        status.setPointInTime(relationship.hasPointInTime() ? Times.rfc3339(relationship.getPointInTime()) : null);
        status.setCopiedPercent(Math.round(relationship.getCopiedPercent() * 10) / 10.0);
        status.setRepository(null);
    }

    private void conditions(FlashCopy resource, FlashCopyStatus status, Relationship relationship, String previousState,
            Long generation) {
        if (relationship.getState() == RelationshipState.RELATIONSHIP_FAILED) {
            Conditions.set(status.getConditions(), FlashCopyReconciler.READY, false, "Failed",
                    "the relationship failed. To fix: see the agent's events (csctl events), then delete and re-create the FlashCopy",
                    generation, clock);
        } else {
            Conditions.set(status.getConditions(), FlashCopyReconciler.READY, true, status.getState(),
                    "the target " + relationship.getTarget() + " shows the point in time", generation, clock);
        }
        boolean copied = relationship.getState() == RelationshipState.RELATIONSHIP_COPIED;
        Conditions.set(status.getConditions(), COPIED, copied, copied ? "Copied" : "NotYetCopied",
                copied ? "every region is on the target" : status.getCopiedPercent() + "% of the regions are on the target",
                generation, clock);
        if (!Objects.equals(previousState, status.getState())) {
            if ("Failed".equals(status.getState())) {
                events.warning(resource, "Failed", "the relationship onto " + relationship.getTarget() + " failed");
            } else if (copied) {
                events.normal(resource, "Copied", "every region is on " + relationship.getTarget());
            }
        }
    }

    /** A non-persistent relationship ends by itself once its background copy completes. */
    private void ended(FlashCopy resource, FlashCopyStatus status, String array, String target, String previousState,
            Long generation) {
        status.setArray(array);
        status.setArrayName(target);
        status.setState("Copied");
        status.setCopiedPercent(100.0);
        Conditions.set(status.getConditions(), FlashCopyReconciler.READY, true, "RelationshipEnded",
                "the relationship has ended and " + target + " keeps the point-in-time copy; raise flashGeneration to copy again",
                generation, clock);
        Conditions.set(status.getConditions(), COPIED, true, "Copied", "every region is on the target", generation, clock);
        if (!"Copied".equals(previousState)) {
            events.normal(resource, "Copied", "every region is on " + target + "; the relationship ended");
        }
    }

    /** True when the finalizer may go: the relationship is withdrawn, or was never there. */
    boolean withdraw(FlashCopy resource, String endpoint, String target) {
        boolean force = "true".equals(resource.getMetadata().getAnnotations() == null ? null
                : resource.getMetadata().getAnnotations().get(FORCE_WITHDRAW));
        try {
            WithdrawResponse response = agents.withdraw(endpoint, target, force);
            if (!response.getTargetComplete()) {
                events.warning(resource, "TargetIncomplete", target + " keeps an incomplete image: the relationship was "
                        + "withdrawn before every region was copied");
            }
            return true;
        } catch (AgentException e) {
            if (e.notFound()) {
                return true;
            }
            events.warning(resource, e.reason(), "cannot withdraw the relationship onto " + target + " yet: " + e.describe()
                    + ". To end it anyway with an incomplete target: kubectl annotate flashcopy "
                    + resource.getMetadata().getName() + " " + FORCE_WITHDRAW + "=true");
            return false;
        }
    }
}
