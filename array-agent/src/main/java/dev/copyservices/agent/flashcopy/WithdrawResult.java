package dev.copyservices.agent.flashcopy;

/** What a withdraw ended: the relationship as it was, and whether its target is a complete copy. */
public record WithdrawResult(RelationshipInfo relationship, boolean targetComplete) {
}
