package dev.copyservices.crds.mirror;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.copyservices.crds.common.ResourceStatus;
import java.util.ArrayList;
import java.util.List;

/** Conditions: Ready (every member has the role spec.primarySite asks for), DualRoleConflict. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonClassDescription("Where the group's primaries are, and the last failover.")
public class MirrorGroupStatus extends ResourceStatus {
    @JsonPropertyDescription("The site whose members are primary now; empty while they disagree.")
    private String primarySite;
    @JsonPropertyDescription("Stable, FailingOver, Conflict (a member is DualPrimary or DualSecondary) or Failed.")
    private String state;
    @JsonPropertyDescription("How many RemoteMirrors the selector picks.")
    private Integer memberCount;
    @JsonPropertyDescription("The members by name with their role and state.")
    private List<Member> members = new ArrayList<>();
    @JsonPropertyDescription("The last change of primarySite.")
    private Failover lastFailover;
    @JsonPropertyDescription("The spec.primarySite the operator last carried out, or followed when the other site failed the group over: a spec.primarySite that differs from it is a request to fail over.")
    private String appliedPrimarySite;

    public static class Member {
        @JsonPropertyDescription("The RemoteMirror's name.")
        public String name;
        @JsonPropertyDescription("Its current role.")
        public String role;
        @JsonPropertyDescription("Its mirror state.")
        public String state;
    }

    public static class Failover {
        @JsonPropertyDescription("The site that was primary.")
        public String from;
        @JsonPropertyDescription("The site that became primary.")
        public String to;
        @JsonPropertyDescription("Whether it was forced.")
        public Boolean forced;
        @JsonPropertyDescription("When the edit was seen (RFC 3339).")
        public String started;
        @JsonPropertyDescription("When every member had its new role (RFC 3339).")
        public String completed;
    }

    public String getPrimarySite() {
        return primarySite;
    }

    public void setPrimarySite(String primarySite) {
        this.primarySite = primarySite;
    }

    public String getState() {
        return state;
    }

    public void setState(String state) {
        this.state = state;
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

    public Failover getLastFailover() {
        return lastFailover;
    }

    public void setLastFailover(Failover lastFailover) {
        this.lastFailover = lastFailover;
    }

    public String getAppliedPrimarySite() {
        return appliedPrimarySite;
    }

    public void setAppliedPrimarySite(String appliedPrimarySite) {
        this.appliedPrimarySite = appliedPrimarySite;
    }
}
