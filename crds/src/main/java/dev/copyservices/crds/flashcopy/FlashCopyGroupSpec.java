package dev.copyservices.crds.flashcopy;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelector;

@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonClassDescription("Which PVCs, their targets, the copy options, and when to flash again.")
public class FlashCopyGroupSpec {
    @JsonPropertyDescription("The PersistentVolumeClaims of this namespace to flash together. All must be on one array.")
    @Required
    @ValidationRule(value = "has(self.matchLabels) || has(self.matchExpressions)",
            message = "the selector must name labels: an empty selector would pick every PVC of the namespace")
    private LabelSelector selector;

    @JsonPropertyDescription("Each selected PVC is flashed onto the PVC of the same name plus this suffix, which must exist on the same array and be at least as large. Its data is overwritten. Cannot change.")
    @Required
    @Size(min = 1, max = 63)
    @Pattern("^[-a-z0-9.]+$")
    @ValidationRule(value = "self == oldSelf", message = "targetSuffix cannot change: create another FlashCopyGroup")
    private String targetSuffix;

    @JsonPropertyDescription("The options of every member's relationship.")
    private CopyOptions copyOptions;

    @JsonPropertyDescription("Raise by one to flash every member again at one new point in time.")
    @Min(0)
    @Default("0")
    @ValidationRule(value = "self >= oldSelf", message = "flashGeneration can only go up: raise it to take a new point in time")
    private Long flashGeneration;

    public LabelSelector getSelector() {
        return selector;
    }

    public void setSelector(LabelSelector selector) {
        this.selector = selector;
    }

    public String getTargetSuffix() {
        return targetSuffix;
    }

    public void setTargetSuffix(String targetSuffix) {
        this.targetSuffix = targetSuffix;
    }

    public CopyOptions getCopyOptions() {
        return copyOptions;
    }

    public void setCopyOptions(CopyOptions copyOptions) {
        this.copyOptions = copyOptions;
    }

    public Long getFlashGeneration() {
        return flashGeneration;
    }

    public void setFlashGeneration(Long flashGeneration) {
        this.flashGeneration = flashGeneration;
    }
}
