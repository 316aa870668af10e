package dev.copyservices.crds.mirror;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.copyservices.crds.common.ResourceStatus;

/** Conditions: Ready, Synchronized, RPOBreached, DualRoleConflict. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonClassDescription("The role, state, progress and lag this side reports.")
public class RemoteMirrorStatus extends ResourceStatus {
    @JsonPropertyDescription("The role this side has now: Primary or Secondary.")
    private String role;
    @JsonPropertyDescription("The role the peer last reported.")
    private String peerRole;
    @JsonPropertyDescription("The seeds' mirror state: Synchronizing, Synchronized, Suspended, Unsynchronized, DualPrimary, DualSecondary or Unresponsive.")
    private String state;
    @JsonPropertyDescription("Percent of the volume synchronized during a synchronization.")
    private Double progressPercent;
    @JsonPropertyDescription("Asynchronous modes: how far the secondary is behind, in seconds (the RPO).")
    private Double lagSeconds;
    @JsonPropertyDescription("Bytes that differ between the two sides and wait to be copied.")
    private Long outOfSyncBytes;
    @JsonPropertyDescription("When the two sides were last fully synchronized (RFC 3339).")
    private String lastSynchronized;
    @JsonPropertyDescription("The StorageArray that holds this side.")
    private String array;
    @JsonPropertyDescription("The local volume's name on the array.")
    private String arrayVolume;
    @JsonPropertyDescription("The peer array's name as it reported it.")
    private String peerArray;
    @JsonPropertyDescription("The mirror's id, the same on both sides.")
    private String mirrorId;
    @JsonPropertyDescription("The spec.role the operator last carried out, or followed when the other site or csctl changed the role: a spec.role that differs from it is a request to change the role.")
    private String appliedRole;
    @JsonPropertyDescription("The spec.suspended the operator last carried out or followed, in the same way.")
    private Boolean appliedSuspended;

    public String getRole() {
        return role;
    }

    public void setRole(String role) {
        this.role = role;
    }

    public String getPeerRole() {
        return peerRole;
    }

    public void setPeerRole(String peerRole) {
        this.peerRole = peerRole;
    }

    public String getState() {
        return state;
    }

    public void setState(String state) {
        this.state = state;
    }

    public Double getProgressPercent() {
        return progressPercent;
    }

    public void setProgressPercent(Double progressPercent) {
        this.progressPercent = progressPercent;
    }

    public Double getLagSeconds() {
        return lagSeconds;
    }

    public void setLagSeconds(Double lagSeconds) {
        this.lagSeconds = lagSeconds;
    }

    public Long getOutOfSyncBytes() {
        return outOfSyncBytes;
    }

    public void setOutOfSyncBytes(Long outOfSyncBytes) {
        this.outOfSyncBytes = outOfSyncBytes;
    }

    public String getLastSynchronized() {
        return lastSynchronized;
    }

    public void setLastSynchronized(String lastSynchronized) {
        this.lastSynchronized = lastSynchronized;
    }

    public String getArray() {
        return array;
    }

    public void setArray(String array) {
        this.array = array;
    }

    public String getArrayVolume() {
        return arrayVolume;
    }

    public void setArrayVolume(String arrayVolume) {
        this.arrayVolume = arrayVolume;
    }

    public String getPeerArray() {
        return peerArray;
    }

    public void setPeerArray(String peerArray) {
        this.peerArray = peerArray;
    }

    public String getMirrorId() {
        return mirrorId;
    }

    public void setMirrorId(String mirrorId) {
        this.mirrorId = mirrorId;
    }

    public String getAppliedRole() {
        return appliedRole;
    }

    public void setAppliedRole(String appliedRole) {
        this.appliedRole = appliedRole;
    }

    public Boolean getAppliedSuspended() {
        return appliedSuspended;
    }

    public void setAppliedSuspended(Boolean appliedSuspended) {
        this.appliedSuspended = appliedSuspended;
    }
}
