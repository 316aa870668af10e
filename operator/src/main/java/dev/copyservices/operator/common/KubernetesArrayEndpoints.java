package dev.copyservices.operator.common;

import dev.copyservices.crds.array.StorageArray;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/** Reads the StorageArray resource from the API server. */
@ApplicationScoped
public class KubernetesArrayEndpoints implements ArrayEndpoints {
    private final KubernetesClient client;

    public KubernetesArrayEndpoints(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public Optional<String> endpointOf(String storageArray) {
        return Optional.ofNullable(client.resources(StorageArray.class).withName(storageArray).get())
                .map(array -> array.getSpec().getEndpoint());
    }
}
