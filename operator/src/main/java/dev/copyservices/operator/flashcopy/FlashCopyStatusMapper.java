package dev.copyservices.operator.flashcopy;

import dev.copyservices.api.agent.v1.FlashCopy;
import dev.copyservices.api.agent.v1.FlashCopyState;
import dev.copyservices.crds.flashcopy.FlashCopyStatus;
import dev.copyservices.operator.common.Times;

/** Copies what the agent reports about a Snapshot-mode FlashCopy into the resource's status. */
final class FlashCopyStatusMapper {
    private FlashCopyStatusMapper() {
    }

    static void fill(FlashCopyStatus status, String array, FlashCopy flashCopy) {
        status.setArray(array);
        status.setArrayName(flashCopy.getName());
        status.setState(stateName(flashCopy.getState()));
        status.setPointInTime(flashCopy.hasPointInTime() ? Times.rfc3339(flashCopy.getPointInTime()) : null);
        FlashCopyStatus.RepositoryStatus repository = new FlashCopyStatus.RepositoryStatus();
        repository.name = flashCopy.getRepository().getName();
        repository.capacityBytes = flashCopy.getRepository().getCapacityBytes();
        repository.usedBytes = flashCopy.getRepository().getUsedBytes();
        // two decimals are what a person reads; more would change the status on every write
        repository.usedPercent = Math.round(flashCopy.getRepository().getUsedPercent() * 100) / 100.0;
        repository.thresholdExceeded = flashCopy.getRepository().getThresholdExceeded();
        status.setRepository(repository);
    }

    /** The seeds' state names. */
    static String stateName(FlashCopyState state) {
        return switch (state) {
            case OPTIMAL -> "Optimal";
            case DISABLED -> "Disabled";
            case FAILED -> "Failed";
            case FULL -> "Full";
            default -> "Unknown";
        };
    }
}
