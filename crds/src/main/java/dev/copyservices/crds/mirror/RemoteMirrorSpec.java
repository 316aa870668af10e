package dev.copyservices.crds.mirror;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.copyservices.crds.common.CopyPriority;
import dev.copyservices.crds.common.VolumeReference;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.consistencyGroup) || self.writeMode == 'Asynchronous'",
        message = "consistencyGroup applies to writeMode: Asynchronous only")
@ValidationRule(value = "!has(self.rpoObjectiveSeconds) || self.writeMode == 'Asynchronous'",
        message = "rpoObjectiveSeconds applies to writeMode: Asynchronous only; a synchronous mirror has no lag")
@ValidationRule(value = "!self.force || oldSelf.force || self.role != oldSelf.role",
        message = "force: true goes with a change of role in the same edit, e.g. role: Primary and force: true when the peer site is gone")
@JsonClassDescription("The local volume, the peer, the desired role and the mirror's settings.")
public class RemoteMirrorSpec {
    @JsonPropertyDescription("The local volume of the pair. Cannot change.")
    @Required
    @ValidationRule(value = "self == oldSelf", message = "volume cannot change: remove this RemoteMirror and create another")
    private VolumeReference volume;

    @JsonPropertyDescription("The other member of the pair. Cannot change.")
    @Required
    @ValidationRule(value = "self == oldSelf", message = "peer cannot change: remove this RemoteMirror and create another")
    private MirrorPeer peer;

    @JsonPropertyDescription("The role this side should have. Changing it with the link up is a planned role reversal (the peer takes the other role); with force: true it changes even though the peer cannot be reached.")
    @Required
    private MirrorRole role;

    @JsonPropertyDescription("Change the role without the peer (it is gone or unreachable). When the peer comes back both sides may report DualPrimary or DualSecondary until one is changed.")
    @Default("false")
    private Boolean force;

    @JsonPropertyDescription("Synchronous (default) or Asynchronous.")
    @Default("Synchronous")
    private WriteMode writeMode;

    @JsonPropertyDescription("Asynchronous only: mirrors of one consistency group keep write order across all members and suspend and resume together.")
    @Pattern("^[A-Za-z0-9_.\\-]{1,30}$")
    private String consistencyGroup;

    @JsonPropertyDescription("How much of the array the initial synchronization and resynchronization may take from host I/O.")
    @Default("Medium")
    private CopyPriority syncPriority;

    @JsonPropertyDescription("Manual (default): after a link failure the mirror waits for a resume (suspended: false after true). Automatic: it resynchronizes by itself once the link is back.")
    @Default("Manual")
    private ResyncMethod resyncMethod;

    @JsonPropertyDescription("True suspends mirroring (the whole consistency group); writes are tracked and only changed regions are copied on resume.")
    @Default("false")
    private Boolean suspended;

    @JsonPropertyDescription("Asynchronous only: lag in seconds past which the RPOBreached condition is raised.")
    @Min(1)
    private Long rpoObjectiveSeconds;

    public VolumeReference getVolume() {
        return volume;
    }

    public void setVolume(VolumeReference volume) {
        this.volume = volume;
    }

    public MirrorPeer getPeer() {
        return peer;
    }

    public void setPeer(MirrorPeer peer) {
        this.peer = peer;
    }

    public MirrorRole getRole() {
        return role;
    }

    public void setRole(MirrorRole role) {
        this.role = role;
    }

    public Boolean getForce() {
        return force;
    }

    public void setForce(Boolean force) {
        this.force = force;
    }

    public WriteMode getWriteMode() {
        return writeMode;
    }

    public void setWriteMode(WriteMode writeMode) {
        this.writeMode = writeMode;
    }

    public String getConsistencyGroup() {
        return consistencyGroup;
    }

    public void setConsistencyGroup(String consistencyGroup) {
        this.consistencyGroup = consistencyGroup;
    }

    public CopyPriority getSyncPriority() {
        return syncPriority;
    }

    public void setSyncPriority(CopyPriority syncPriority) {
        this.syncPriority = syncPriority;
    }

    public ResyncMethod getResyncMethod() {
        return resyncMethod;
    }

    public void setResyncMethod(ResyncMethod resyncMethod) {
        this.resyncMethod = resyncMethod;
    }

    public Boolean getSuspended() {
        return suspended;
    }

    public void setSuspended(Boolean suspended) {
        this.suspended = suspended;
    }

    public Long getRpoObjectiveSeconds() {
        return rpoObjectiveSeconds;
    }

    public void setRpoObjectiveSeconds(Long rpoObjectiveSeconds) {
        this.rpoObjectiveSeconds = rpoObjectiveSeconds;
    }
}
