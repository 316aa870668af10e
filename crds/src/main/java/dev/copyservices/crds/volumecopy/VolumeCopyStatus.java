package dev.copyservices.crds.volumecopy;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.copyservices.crds.common.ResourceStatus;

/** Conditions: Ready (completed), Failed. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonClassDescription("The copy's state and progress.")
public class VolumeCopyStatus extends ResourceStatus {
    @JsonPropertyDescription("The seeds' copy state: Pending, InProgress, Completed, Stopped or Failed.")
    private String state;
    @JsonPropertyDescription("The StorageArray that runs the copy.")
    private String array;
    @JsonPropertyDescription("The source volume's name on the array.")
    private String sourceVolume;
    @JsonPropertyDescription("The target volume's name on the array.")
    private String targetVolume;
    @JsonPropertyDescription("Percent copied.")
    private Double copiedPercent;
    @JsonPropertyDescription("Bytes copied so far.")
    private Long bytesCopied;
    @JsonPropertyDescription("Bytes to copy.")
    private Long bytesTotal;
    @JsonPropertyDescription("Estimated seconds until the copy completes.")
    private Long estimatedSecondsLeft;
    @JsonPropertyDescription("Position in the array's queue of pending copies, 0 when running.")
    private Integer queuePosition;
    @JsonPropertyDescription("When the copy started (RFC 3339).")
    private String started;
    @JsonPropertyDescription("When the copy completed (RFC 3339).")
    private String completed;
    @JsonPropertyDescription("The spec.recopyGeneration the current copy was started for.")
    private Long observedRecopyGeneration;

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

    public String getSourceVolume() {
        return sourceVolume;
    }

    public void setSourceVolume(String sourceVolume) {
        this.sourceVolume = sourceVolume;
    }

    public String getTargetVolume() {
        return targetVolume;
    }

    public void setTargetVolume(String targetVolume) {
        this.targetVolume = targetVolume;
    }

    public Double getCopiedPercent() {
        return copiedPercent;
    }

    public void setCopiedPercent(Double copiedPercent) {
        this.copiedPercent = copiedPercent;
    }

    public Long getBytesCopied() {
        return bytesCopied;
    }

    public void setBytesCopied(Long bytesCopied) {
        this.bytesCopied = bytesCopied;
    }

    public Long getBytesTotal() {
        return bytesTotal;
    }

    public void setBytesTotal(Long bytesTotal) {
        this.bytesTotal = bytesTotal;
    }

    public Long getEstimatedSecondsLeft() {
        return estimatedSecondsLeft;
    }

    public void setEstimatedSecondsLeft(Long estimatedSecondsLeft) {
        this.estimatedSecondsLeft = estimatedSecondsLeft;
    }

    public Integer getQueuePosition() {
        return queuePosition;
    }

    public void setQueuePosition(Integer queuePosition) {
        this.queuePosition = queuePosition;
    }

    public String getStarted() {
        return started;
    }

    public void setStarted(String started) {
        this.started = started;
    }

    public String getCompleted() {
        return completed;
    }

    public void setCompleted(String completed) {
        this.completed = completed;
    }

    public Long getObservedRecopyGeneration() {
        return observedRecopyGeneration;
    }

    public void setObservedRecopyGeneration(Long observedRecopyGeneration) {
        this.observedRecopyGeneration = observedRecopyGeneration;
    }
}
