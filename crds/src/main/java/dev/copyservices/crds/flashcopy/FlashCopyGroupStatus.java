package dev.copyservices.crds.flashcopy;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.copyservices.crds.common.ResourceStatus;
import java.util.ArrayList;
import java.util.List;

/** Conditions: Ready, Consistent (every member flashed by the group at one point in time). */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonClassDescription("The group's point in time and each member's copy state.")
public class FlashCopyGroupStatus extends ResourceStatus {
    @JsonPropertyDescription("Pending, Copying, Copied, NoBackgroundCopy or Failed, the least advanced of the members.")
    private String state;
    @JsonPropertyDescription("The StorageArray that holds the group.")
    private String array;
    @JsonPropertyDescription("The group's name on the array.")
    private String arrayName;
    @JsonPropertyDescription("The point in time of every member (RFC 3339).")
    private String pointInTime;
    @JsonPropertyDescription("The spec.flashGeneration that pointInTime was taken for.")
    private Long observedFlashGeneration;
    @JsonPropertyDescription("Percent of all members' regions copied to their targets.")
    private Double copiedPercent;
    @JsonPropertyDescription("How many PVCs the selector picks.")
    private Integer memberCount;
    @JsonPropertyDescription("One entry per selected PVC.")
    private List<Member> members = new ArrayList<>();

    public static class Member {
        @JsonPropertyDescription("The source PVC.")
        public String source;
        @JsonPropertyDescription("The target PVC.")
        public String target;
        @JsonPropertyDescription("The member's relationship state.")
        public String state;
        @JsonPropertyDescription("Percent of the member's regions copied.")
        public Double copiedPercent;
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

    public Double getCopiedPercent() {
        return copiedPercent;
    }

    public void setCopiedPercent(Double copiedPercent) {
        this.copiedPercent = copiedPercent;
    }

    public Integer getMemberCount() {
        return memberCount;
    }

    public void setMemberCount(Integer memberCount) {
        this.memberCount = memberCount;
    }

    public List<Member> getMembers() {
        return members;
    }

    public void setMembers(List<Member> members) {
        this.members = members;
    }
}
