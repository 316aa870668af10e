package dev.copyservices.operator.volumecopy;

import dev.copyservices.crds.flashcopy.FlashCopy;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/** Finds the FlashCopy resource a VolumeCopy copies from. */
@ApplicationScoped
public class FlashCopyLookup {
    private final KubernetesClient client;

    @jakarta.inject.Inject
    public FlashCopyLookup(KubernetesClient client) {
        this.client = client;
    }

    /** For unit tests, which supply their own resources. */
    protected FlashCopyLookup() {
        this.client = null;
    }

    public Optional<FlashCopy> find(String namespace, String name) {
        return Optional.ofNullable(client.resources(FlashCopy.class).inNamespace(namespace).withName(name).get());
    }
}
