package dev.copyservices.operator.flashcopy;

import dev.copyservices.crds.flashcopy.FlashCopyGroup;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** {@link ClaimSelection} through the API server. */
@ApplicationScoped
public class KubernetesClaimSelection implements ClaimSelection {
    private final KubernetesClient client;

    public KubernetesClaimSelection(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public List<String> select(FlashCopyGroup group) {
        return client.persistentVolumeClaims().inNamespace(group.getMetadata().getNamespace())
                .withLabelSelector(group.getSpec().getSelector()).list().getItems().stream()
                .map(c -> c.getMetadata().getName()).sorted().toList();
    }
}
