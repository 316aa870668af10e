package dev.copyservices.crds.volumecopy;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.copyservices.crds.common.CopyPriority;
import dev.copyservices.crds.common.VolumeReference;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonClassDescription("Source, target, priority, and whether to stop or copy again.")
public class VolumeCopySpec {
    @JsonPropertyDescription("What to copy. Cannot change.")
    @Required
    @ValidationRule(value = "self == oldSelf", message = "source cannot change: create another VolumeCopy")
    private CopySource source;

    @JsonPropertyDescription("The target volume, on the same array and at least as large as the source. All its data is overwritten. Cannot change.")
    @Required
    @ValidationRule(value = "self == oldSelf", message = "target cannot change: create another VolumeCopy")
    private VolumeReference target;

    @JsonPropertyDescription("How much of the array the copy may take from host I/O: Lowest, Low, Medium, High, Highest.")
    @Default("Medium")
    private CopyPriority priority;

    @JsonPropertyDescription("Keep the target read-only once the copy completes (the seeds' default), so it stays the source's image.")
    @Default("true")
    private Boolean targetReadOnly;

    @JsonPropertyDescription("True stops a copy in progress; the target is then incomplete and unusable until a recopy completes.")
    @Default("false")
    private Boolean stop;

    @JsonPropertyDescription("Raise by one to copy again from the start (the seeds' recopy).")
    @Min(0)
    @Default("0")
    @ValidationRule(value = "self >= oldSelf", message = "recopyGeneration can only go up: raise it to copy again")
    private Long recopyGeneration;

    public CopySource getSource() {
        return source;
    }

    public void setSource(CopySource source) {
        this.source = source;
    }

    public VolumeReference getTarget() {
        return target;
    }

    public void setTarget(VolumeReference target) {
        this.target = target;
    }

    public CopyPriority getPriority() {
        return priority;
    }

    public void setPriority(CopyPriority priority) {
        this.priority = priority;
    }

    public Boolean getTargetReadOnly() {
        return targetReadOnly;
    }

    public void setTargetReadOnly(Boolean targetReadOnly) {
        this.targetReadOnly = targetReadOnly;
    }

    public Boolean getStop() {
        return stop;
    }

    public void setStop(Boolean stop) {
        this.stop = stop;
    }

    public Long getRecopyGeneration() {
        return recopyGeneration;
    }

    public void setRecopyGeneration(Long recopyGeneration) {
        this.recopyGeneration = recopyGeneration;
    }
}
