package dev.copyservices.crds.flashcopy;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.copyservices.crds.common.ResourceStatus;

/**
 * Conditions: Ready, RepositoryThresholdExceeded (Snapshot mode), BackgroundCopyComplete (Copy mode),
 * Failed.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonClassDescription("The copy's state, point in time, repository use or copy progress.")
public class FlashCopyStatus extends ResourceStatus {
    @JsonPropertyDescription("The seeds' state: Optimal, Disabled, Full or Failed in Snapshot mode; Copying, Copied, NoBackgroundCopy or Failed in Copy mode; Pending before the array has it.")
    private String state;
    @JsonPropertyDescription("The StorageArray that holds the FlashCopy.")
    private String array;
    @JsonPropertyDescription("The FlashCopy's (Snapshot mode) or relationship's (Copy mode) name on the array.")
    private String arrayName;
    @JsonPropertyDescription("The point in time the copy shows (RFC 3339).")
    private String pointInTime;
    @JsonPropertyDescription("The spec.flashGeneration that pointInTime was taken for.")
    private Long observedFlashGeneration;
    @JsonPropertyDescription("Snapshot mode: the repository's use.")
    private RepositoryStatus repository;
    @JsonPropertyDescription("Copy mode: percent of the regions copied to the target.")
    private Double copiedPercent;
    @JsonPropertyDescription("When spec.schedule last took a point in time (RFC 3339).")
    private String lastScheduleTime;

    public static class RepositoryStatus {
        @JsonPropertyDescription("The repository volume's name on the array.")
        public String name;
        @JsonPropertyDescription("Repository capacity in bytes.")
        public Long capacityBytes;
        @JsonPropertyDescription("Bytes in use.")
        public Long usedBytes;
        @JsonPropertyDescription("Percent in use.")
        public Double usedPercent;
        @JsonPropertyDescription("True once usedPercent reached the warning threshold.")
        public Boolean thresholdExceeded;
    }

    public String getState() {
        return state;
    }

    public void setState(String state) {
        this.state = state;
    }

    public String getArray() {
        return array;
    }

    public void setArray(String array) {
        this.array = array;
    }

    public String getArrayName() {
        return arrayName;
    }

    public void setArrayName(String arrayName) {
        this.arrayName = arrayName;
    }

    public String getPointInTime() {
        return pointInTime;
    }

    public void setPointInTime(String pointInTime) {
        this.pointInTime = pointInTime;
    }

    public Long getObservedFlashGeneration() {
        return observedFlashGeneration;
    }

    public void setObservedFlashGeneration(Long observedFlashGeneration) {
        this.observedFlashGeneration = observedFlashGeneration;
    }

    public RepositoryStatus getRepository() {
        return repository;
    }

    public void setRepository(RepositoryStatus repository) {
        this.repository = repository;
    }

    public Double getCopiedPercent() {
        return copiedPercent;
    }

    public void setCopiedPercent(Double copiedPercent) {
        this.copiedPercent = copiedPercent;
    }

    public String getLastScheduleTime() {
        return lastScheduleTime;
    }

    public void setLastScheduleTime(String lastScheduleTime) {
        this.lastScheduleTime = lastScheduleTime;
    }
}
