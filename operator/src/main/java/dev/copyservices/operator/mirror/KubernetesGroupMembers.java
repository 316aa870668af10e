package dev.copyservices.operator.mirror;

import dev.copyservices.crds.mirror.MirrorGroup;
import dev.copyservices.crds.mirror.MirrorRole;
import dev.copyservices.crds.mirror.RemoteMirror;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Comparator;
import java.util.List;

/** {@link GroupMembers} through the API server. */
@ApplicationScoped
public class KubernetesGroupMembers implements GroupMembers {
    private final KubernetesClient client;

    public KubernetesGroupMembers(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public List<RemoteMirror> select(MirrorGroup group) {
        return client.resources(RemoteMirror.class).inNamespace(group.getMetadata().getNamespace())
                .withLabelSelector(group.getSpec().getSelector()).list().getItems().stream()
                .sorted(Comparator.comparing(r -> r.getMetadata().getName())).toList();
    }

    @Override
    public void setRole(RemoteMirror member, MirrorRole role, boolean force) {
        client.resources(RemoteMirror.class).inNamespace(member.getMetadata().getNamespace())
                .withName(member.getMetadata().getName()).edit(r -> {
                    r.getSpec().setRole(role);
                    r.getSpec().setForce(force);
                    return r;
                });
    }

    @Override
    public void followPrimarySite(MirrorGroup group, String site) {
        client.resources(MirrorGroup.class).inNamespace(group.getMetadata().getNamespace())
                .withName(group.getMetadata().getName()).edit(g -> {
                    g.getSpec().setPrimarySite(site);
                    g.getSpec().setForce(false);
                    return g;
                });
    }
}
