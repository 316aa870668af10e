package dev.copyservices.crds.volumecopy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.copyservices.crds.common.Patterns;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** What a VolumeCopy reads: a PVC, an array's volume, or a Snapshot-mode FlashCopy of this namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "[has(self.pvc), has(self.flashCopy), has(self.array) || has(self.volume)].filter(x, x).size() == 1",
        message = "give exactly one of pvc, flashCopy, or array and volume")
@ValidationRule(value = "has(self.array) == has(self.volume)",
        message = "array and volume go together: name the volume and the StorageArray it is on")
public class CopySource {
    @JsonPropertyDescription("A PersistentVolumeClaim in this namespace. While the copy runs, writes to it are refused (the seeds' rule); copy from a FlashCopy to keep it writable.")
    @Size(max = 253)
    @Pattern(Patterns.OBJECT_NAME)
    private String pvc;

    @JsonPropertyDescription("A FlashCopy resource of this namespace in Snapshot mode: the copy shows its point in time.")
    @Size(max = 253)
    @Pattern(Patterns.OBJECT_NAME)
    private String flashCopy;

    @JsonPropertyDescription("The StorageArray the source volume is on, with volume.")
    @Size(max = 253)
    @Pattern(Patterns.OBJECT_NAME)
    private String array;

    @JsonPropertyDescription("The source volume's name on the array, with array.")
    @Pattern(Patterns.AGENT_VOLUME_NAME)
    private String volume;

    public String getPvc() {
        return pvc;
    }

    public void setPvc(String pvc) {
        this.pvc = pvc;
    }

    public String getFlashCopy() {
        return flashCopy;
    }

    public void setFlashCopy(String flashCopy) {
        this.flashCopy = flashCopy;
    }

    public String getArray() {
        return array;
    }

    public void setArray(String array) {
        this.array = array;
    }

    public String getVolume() {
        return volume;
    }

    public void setVolume(String volume) {
        this.volume = volume;
    }
}
