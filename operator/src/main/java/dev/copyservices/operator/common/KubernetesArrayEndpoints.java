package dev.copyservices.operator.common;

import dev.copyservices.crds.array.StorageArray;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/**
 * Reads StorageArrays from an informer of their own: every reconcile of every kind asks where its
 * array's agent listens, and a GET each time was one API call per reconcile (bench/operator-scale.sh).
 * A name the informer does not hold (not listed yet, just created, or no such array) is asked with a GET.
 */
@ApplicationScoped
public class KubernetesArrayEndpoints implements ArrayEndpoints {
    private final KubernetesClient client;
    private volatile SharedIndexInformer<StorageArray> informer;

    public KubernetesArrayEndpoints(KubernetesClient client) {
        this.client = client;
    }

    private SharedIndexInformer<StorageArray> informer() {
        SharedIndexInformer<StorageArray> current = informer;
        if (current == null) {
            synchronized (this) {
                if (informer == null) {
                    informer = client.resources(StorageArray.class).runnableInformer(0);
                    informer.start();
                }
                current = informer;
            }
        }
        return current;
    }

    @Override
    public Optional<String> endpointOf(String storageArray) {
        SharedIndexInformer<StorageArray> arrays = informer();
        StorageArray array = arrays.hasSynced() ? arrays.getStore().getByKey(storageArray) : null;
        if (array == null) { // not listed yet, or created a moment ago: the API server knows
            array = client.resources(StorageArray.class).withName(storageArray).get();
        }
        return Optional.ofNullable(array).map(a -> a.getSpec().getEndpoint());
    }

    @PreDestroy
    void stop() {
        if (informer != null) {
            informer.stop();
        }
    }
}
