package dev.copyservices.crds.array;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.copyservices.crds.common.ResourceStatus;
import java.util.ArrayList;
import java.util.List;

/** What the agent reports about itself; conditions: Ready (reachable and answering). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonClassDescription("What the agent last reported: identity, capacity, counts, features, what needs attention.")
public class StorageArrayStatus extends ResourceStatus {
    @JsonPropertyDescription("The array's unique id; a rebuilt agent under the same name has a new one.")
    private String arrayId;
    @JsonPropertyDescription("The array's name as the agent knows it.")
    private String arrayName;
    @JsonPropertyDescription("The agent's version.")
    private String version;
    @JsonPropertyDescription("HOST:PORT where the agent serves its volumes over NBD.")
    private String nbdEndpoint;
    @JsonPropertyDescription("The storage pool's capacity.")
    private Capacity capacity;
    @JsonPropertyDescription("How many objects the array holds.")
    private Counts counts;
    @JsonPropertyDescription("Features enabled on the agent.")
    private List<String> enabledFeatures = new ArrayList<>();
    @JsonPropertyDescription("Objects on the array that need attention, each with the reason.")
    private List<String> needsAttention = new ArrayList<>();
    @JsonPropertyDescription("When the operator last heard from the agent (RFC 3339).")
    private String lastSeen;

    public static class Capacity {
        @JsonPropertyDescription("Bytes of the file system that holds the pool.")
        public Long poolTotalBytes;
        @JsonPropertyDescription("Bytes still free there.")
        public Long poolFreeBytes;
        @JsonPropertyDescription("Sum of the volumes' and repositories' sizes.")
        public Long provisionedBytes;
        @JsonPropertyDescription("Bytes the volumes and repositories take on disk.")
        public Long allocatedBytes;
    }

    public static class Counts {
        @JsonPropertyDescription("Volumes, FlashCopies and repositories included.")
        public Integer volumes;
        @JsonPropertyDescription("FlashCopies in Snapshot mode.")
        public Integer flashCopies;
        @JsonPropertyDescription("VolumeCopy pairs.")
        public Integer volumeCopies;
        @JsonPropertyDescription("Mirrors, primary and secondary.")
        public Integer mirrors;
    }

    public String getArrayId() {
        return arrayId;
    }

    public void setArrayId(String arrayId) {
        this.arrayId = arrayId;
    }

    public String getArrayName() {
        return arrayName;
    }

    public void setArrayName(String arrayName) {
        this.arrayName = arrayName;
    }

    public String getVersion() {
        return version;
    }

    public void setVersion(String version) {
        this.version = version;
    }

    public String getNbdEndpoint() {
        return nbdEndpoint;
    }

    public void setNbdEndpoint(String nbdEndpoint) {
        this.nbdEndpoint = nbdEndpoint;
    }

    public Capacity getCapacity() {
        return capacity;
    }

    public void setCapacity(Capacity capacity) {
        this.capacity = capacity;
    }

    public Counts getCounts() {
        return counts;
    }

    public void setCounts(Counts counts) {
        this.counts = counts;
    }

    public List<String> getEnabledFeatures() {
        return enabledFeatures;
    }

    public void setEnabledFeatures(List<String> enabledFeatures) {
        this.enabledFeatures = enabledFeatures;
    }

    public List<String> getNeedsAttention() {
        return needsAttention;
    }

    public void setNeedsAttention(List<String> needsAttention) {
        this.needsAttention = needsAttention;
    }

    public String getLastSeen() {
        return lastSeen;
    }

    public void setLastSeen(String lastSeen) {
        this.lastSeen = lastSeen;
    }
}
