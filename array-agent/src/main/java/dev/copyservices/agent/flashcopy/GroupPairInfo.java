package dev.copyservices.agent.flashcopy;

import java.time.Instant;

/**
 * One copy set of a group. {@code relationship} is null while the pair is Defined; {@code flashTime}
 * is null for a Defined or a discovered pair (a discovered pair's flash time is unknown).
 */
public record GroupPairInfo(String source, String target, boolean targetAvailable, boolean consistent,
        boolean discovered, Instant flashTime, RelationshipInfo relationship) {
}
