package dev.copyservices.crds.flashcopy;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.copyservices.crds.common.Patterns;
import dev.copyservices.crds.common.VolumeReference;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.mode == 'Copy' ? has(self.target) : !has(self.target)",
        message = "Copy mode needs a target volume, Snapshot mode takes none: set target with mode: Copy, or remove it")
@ValidationRule(value = "self.mode == 'Copy' || !has(self.copyOptions)",
        message = "copyOptions apply to mode: Copy only")
@ValidationRule(value = "self.mode == 'Snapshot' || (!has(self.repository) && !has(self.exposeAs))",
        message = "repository and exposeAs apply to mode: Snapshot only")
@ValidationRule(value = "self.mode == 'Snapshot' || self.enabled",
        message = "enabled: false applies to mode: Snapshot only; delete a Copy-mode FlashCopy to withdraw it")
@JsonClassDescription("The base volume, the mode and its settings, and when to take a new point in time.")
public class FlashCopySpec {
    @JsonPropertyDescription("The base volume. Cannot change.")
    @Required
    @ValidationRule(value = "self == oldSelf", message = "source cannot change: create another FlashCopy for another volume")
    private VolumeReference source;

    @JsonPropertyDescription("Snapshot (a repository keeps the originals of overwritten regions) or Copy (a target volume receives the image). Cannot change.")
    @Default("Snapshot")
    @ValidationRule(value = "self == oldSelf", message = "mode cannot change: delete this FlashCopy and create one in the other mode")
    private FlashCopyMode mode;

    @JsonPropertyDescription("Snapshot mode: the repository's size, warning threshold and full policy.")
    private RepositorySpec repository;

    @JsonPropertyDescription("Copy mode: the target volume, on the same array and at least as large as the source. Its data is overwritten. Cannot change.")
    @ValidationRule(value = "self == oldSelf", message = "target cannot change: create another FlashCopy for another target")
    private VolumeReference target;

    @JsonPropertyDescription("Copy mode: background copy, persistent, incremental.")
    private CopyOptions copyOptions;

    @JsonPropertyDescription("Snapshot mode: false disables the FlashCopy (no more copy-on-write, repository kept); true again re-creates it at a new point in time.")
    @Default("true")
    private Boolean enabled;

    @JsonPropertyDescription("Raise by one to take a new point in time (re-create in Snapshot mode, refresh in Copy mode).")
    @Min(0)
    @Default("0")
    @ValidationRule(value = "self >= oldSelf", message = "flashGeneration can only go up: raise it to take a new point in time")
    private Long flashGeneration;

    @JsonPropertyDescription("A cron schedule (5 fields, in UTC, or @daily, @hourly...) at which a new point in time is taken.")
    @Pattern("^(@(yearly|annually|monthly|weekly|daily|hourly)|\\S+(\\s+\\S+){4})$")
    private String schedule;

    @JsonPropertyDescription("Snapshot mode: also make the FlashCopy available as a read-only PersistentVolumeClaim of this name in the namespace.")
    @Size(max = 253)
    @Pattern(Patterns.OBJECT_NAME)
    private String exposeAs;

    public VolumeReference getSource() {
        return source;
    }

    public void setSource(VolumeReference source) {
        this.source = source;
    }

    public FlashCopyMode getMode() {
        return mode;
    }

    public void setMode(FlashCopyMode mode) {
        this.mode = mode;
    }

    public RepositorySpec getRepository() {
        return repository;
    }

    public void setRepository(RepositorySpec repository) {
        this.repository = repository;
    }

    public VolumeReference getTarget() {
        return target;
    }

    public void setTarget(VolumeReference target) {
        this.target = target;
    }

    public CopyOptions getCopyOptions() {
        return copyOptions;
    }

    public void setCopyOptions(CopyOptions copyOptions) {
        this.copyOptions = copyOptions;
    }

    public Boolean getEnabled() {
        return enabled;
    }

    public void setEnabled(Boolean enabled) {
        this.enabled = enabled;
    }

    public Long getFlashGeneration() {
        return flashGeneration;
    }

    public void setFlashGeneration(Long flashGeneration) {
        this.flashGeneration = flashGeneration;
    }

    public String getSchedule() {
        return schedule;
    }

    public void setSchedule(String schedule) {
        this.schedule = schedule;
    }

    public String getExposeAs() {
        return exposeAs;
    }

    public void setExposeAs(String exposeAs) {
        this.exposeAs = exposeAs;
    }
}
