package dev.copyservices.operator.mirror;

import dev.copyservices.crds.mirror.MirrorGroup;
import dev.copyservices.crds.mirror.MirrorRole;
import dev.copyservices.crds.mirror.RemoteMirror;
import java.util.List;

/** The RemoteMirrors a MirrorGroup selects in its namespace, and the edits a failover makes to them and to the group. */
public interface GroupMembers {
    List<RemoteMirror> select(MirrorGroup group);

    /** spec.role = role and spec.force = force on the member, in one edit (the CRD wants force with a role change). */
    void setRole(RemoteMirror member, MirrorRole role, boolean force);

    /** spec.primarySite = site, spec.force = false: the group was failed over from the other site. */
    void followPrimarySite(MirrorGroup group, String site);
}
