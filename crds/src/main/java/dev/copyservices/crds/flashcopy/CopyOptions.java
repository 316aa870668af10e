package dev.copyservices.crds.flashcopy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.ValidationRule;

/** The options of a Copy-mode relationship (the DS8000 FlashCopy's). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!self.incremental || self.persistent",
        message = "incremental needs persistent: set persistent: true, or incremental: false")
public class CopyOptions {
    @JsonPropertyDescription("Copy every region to the target in the background; without it only regions written since the point in time are copied.")
    @Default("true")
    private Boolean backgroundCopy;

    @JsonPropertyDescription("Keep the relationship after the background copy completes, so it can be refreshed.")
    @Default("false")
    private Boolean persistent;

    @JsonPropertyDescription("Record changes after the point in time so that a refresh copies only changed regions. Needs persistent.")
    @Default("false")
    private Boolean incremental;

    public Boolean getBackgroundCopy() {
        return backgroundCopy;
    }

    public void setBackgroundCopy(Boolean backgroundCopy) {
        this.backgroundCopy = backgroundCopy;
    }

    public Boolean getPersistent() {
        return persistent;
    }

    public void setPersistent(Boolean persistent) {
        this.persistent = persistent;
    }

    public Boolean getIncremental() {
        return incremental;
    }

    public void setIncremental(Boolean incremental) {
        this.incremental = incremental;
    }
}
