package dev.copyservices.operator.array;

import dev.copyservices.crds.array.StorageArray;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/** {@link DiscoveredArrays} through the API server. */
@ApplicationScoped
public class KubernetesDiscoveredArrays implements DiscoveredArrays {
    private final KubernetesClient client;

    public KubernetesDiscoveredArrays(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public Optional<StorageArray> get(String name) {
        return Optional.ofNullable(client.resources(StorageArray.class).withName(name).get());
    }

    @Override
    public void create(StorageArray array) {
        client.resource(array).create();
    }

    @Override
    public void update(String name, String endpoint, String site) {
        client.resources(StorageArray.class).withName(name).edit(a -> {
            a.getSpec().setEndpoint(endpoint);
            if (site != null) {
                a.getSpec().setSite(site);
            }
            return a;
        });
    }
}
