package dev.copyservices.crds.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * A volume on an array: either a PersistentVolumeClaim in the resource's namespace (resolved through
 * its PersistentVolume's CSI volume handle) or an array and a volume name on it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.pvc) != (has(self.array) || has(self.volume))",
        message = "give either pvc, or array and volume, not both")
@ValidationRule(value = "has(self.array) == has(self.volume)",
        message = "array and volume go together: name the volume and the StorageArray it is on")
public class VolumeReference {
    @JsonPropertyDescription("A PersistentVolumeClaim in this namespace whose volume is on one of the arrays.")
    @Size(max = 253)
    @Pattern(Patterns.OBJECT_NAME)
    private String pvc;

    @JsonPropertyDescription("The StorageArray the volume is on, with volume.")
    @Size(max = 253)
    @Pattern(Patterns.OBJECT_NAME)
    private String array;

    @JsonPropertyDescription("The volume's name on the array (1-30 letters, digits, '-', '_', '.' or spaces), with array.")
    @Pattern(Patterns.AGENT_VOLUME_NAME)
    private String volume;

    public VolumeReference() {
    }

    public static VolumeReference ofPvc(String pvc) {
        VolumeReference ref = new VolumeReference();
        ref.pvc = pvc;
        return ref;
    }

    public static VolumeReference ofVolume(String array, String volume) {
        VolumeReference ref = new VolumeReference();
        ref.array = array;
        ref.volume = volume;
        return ref;
    }

    public String getPvc() {
        return pvc;
    }

    public void setPvc(String pvc) {
        this.pvc = pvc;
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
