package dev.copyservices.agent.flashcopy;

import java.util.Map;

/**
 * What a create asks for; null means "the default": name {@code <base>-N}, repository
 * {@code <base>-RN}, 20% of the base (at least 8 MiB), threshold 50%, policy FailFlashCopy.
 * At most one of {@code repositoryPercent} and {@code repositoryBytes} is given.
 */
public record CreateFlashCopy(String base, String name, String repositoryName, Integer repositoryPercent,
        Long repositoryBytes, Integer warningThresholdPercent, FullPolicy fullPolicy, Map<String, String> attributes) {

    public static CreateFlashCopy of(String base) {
        return new CreateFlashCopy(base, null, null, null, null, null, null, Map.of());
    }
}
