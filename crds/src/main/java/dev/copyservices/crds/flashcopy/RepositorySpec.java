package dev.copyservices.crds.flashcopy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Quantity;

/** The repository of a Snapshot-mode FlashCopy. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!(has(self.percent) && has(self.capacity))",
        message = "give the repository's size either as percent of the base or as capacity, not both")
public class RepositorySpec {
    @JsonPropertyDescription("Capacity as a percent of the base volume (default 20; at least 8 MiB whatever the percent).")
    @Min(1)
    @Max(100)
    private Integer percent;

    @JsonPropertyDescription("Capacity in bytes or with a suffix (e.g. 10Gi), instead of percent.")
    @ValidationRule(value = "quantity(string(self)).isGreaterThan(quantity('0'))",
            message = "the repository's capacity must be a size above zero, e.g. 64Mi or 10Gi")
    private Quantity capacity;

    @JsonPropertyDescription("Percent of the repository in use at which a RepositoryThresholdExceeded condition and a warning Event are raised.")
    @Min(1)
    @Max(100)
    @Default("50")
    private Integer warningThresholdPercent;

    @JsonPropertyDescription("FailFlashCopy: the FlashCopy fails when the repository is full and base writes go on. FailBaseWrites: base writes fail instead.")
    @Default("FailFlashCopy")
    private FullPolicy fullPolicy;

    public Integer getPercent() {
        return percent;
    }

    public void setPercent(Integer percent) {
        this.percent = percent;
    }

    public Quantity getCapacity() {
        return capacity;
    }

    public void setCapacity(Quantity capacity) {
        this.capacity = capacity;
    }

    public Integer getWarningThresholdPercent() {
        return warningThresholdPercent;
    }

    public void setWarningThresholdPercent(Integer warningThresholdPercent) {
        this.warningThresholdPercent = warningThresholdPercent;
    }

    public FullPolicy getFullPolicy() {
        return fullPolicy;
    }

    public void setFullPolicy(FullPolicy fullPolicy) {
        this.fullPolicy = fullPolicy;
    }
}
