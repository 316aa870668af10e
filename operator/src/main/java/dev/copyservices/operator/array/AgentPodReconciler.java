package dev.copyservices.operator.array;

import dev.copyservices.crds.array.StorageArray;
import dev.copyservices.crds.array.StorageArraySpec;
import dev.copyservices.operator.common.KubernetesEvents;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Finds the agents that run in this cluster: each running pod that the label selector picks (by
 * default {@value #DEFAULT_SELECTOR}; {@code quarkus.operator-sdk.controllers.agentpods.selector}
 * changes it) gets a StorageArray named after its node, with the pod's IP and control port (the
 * container port named {@value #CONTROL_PORT_NAME}, else {@value #DEFAULT_CONTROL_PORT}) and the site
 * of its {@value #SITE_LABEL} label. When the pod comes back with another IP, the endpoint follows.
 * A StorageArray that a person wrote under that name is left alone. StorageArrays for agents outside
 * the cluster are written by hand, as before. Nothing is written to the pod.
 */
// a pod's IP and phase change in its status, which moves no generation: every change must reach us
@ControllerConfiguration(name = "agentpods", generationAwareEventProcessing = false,
        informer = @Informer(labelSelector = AgentPodReconciler.DEFAULT_SELECTOR))
public class AgentPodReconciler implements Reconciler<Pod> {
    static final String DEFAULT_SELECTOR = "app.kubernetes.io/component=array-agent";
    static final String CONTROL_PORT_NAME = "control";
    static final int DEFAULT_CONTROL_PORT = 7400;
    static final String SITE_LABEL = "copyservices.dev/site";
    /** On a StorageArray the operator made: the agent pod, as NAMESPACE/NAME. */
    public static final String DISCOVERED_FROM = "copyservices.dev/discovered-from";

    private final DiscoveredArrays arrays;
    private final KubernetesEvents events;

    @Inject
    public AgentPodReconciler(DiscoveredArrays arrays, KubernetesEvents events) {
        this.arrays = arrays;
        this.events = events;
    }

    @Override
    public UpdateControl<Pod> reconcile(Pod pod, Context<Pod> context) {
        Optional<String> endpoint = endpoint(pod);
        if (endpoint.isEmpty()) {
            return UpdateControl.noUpdate(); // not running yet, or no IP: its next change brings us back
        }
        String name = arrayName(pod);
        String from = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
        String site = pod.getMetadata().getLabels() == null ? null : pod.getMetadata().getLabels().get(SITE_LABEL);
        Optional<StorageArray> existing = arrays.get(name);
        if (existing.isEmpty()) {
            arrays.create(storageArray(name, endpoint.get(), site, from));
            events.normal(pod, "StorageArrayCreated", "StorageArray " + name + " created for the agent at " + endpoint.get());
            return UpdateControl.noUpdate();
        }
        StorageArray array = existing.get();
        Map<String, String> annotations = array.getMetadata().getAnnotations();
        if (annotations == null || !annotations.containsKey(DISCOVERED_FROM)) {
            events.normal(pod, "StorageArrayKept", "StorageArray " + name + " was written by a person, so the operator"
                    + " leaves it as it is (endpoint " + array.getSpec().getEndpoint() + "); delete it to have it made"
                    + " from this pod (" + endpoint.get() + ")");
            return UpdateControl.noUpdate();
        }
        if (!endpoint.get().equals(array.getSpec().getEndpoint()) || site != null && !site.equals(array.getSpec().getSite())) {
            arrays.update(name, endpoint.get(), site);
            events.normal(pod, "StorageArrayUpdated", "StorageArray " + name + " now reaches its agent at " + endpoint.get());
        }
        return UpdateControl.noUpdate();
    }

    /** One agent per node: the node's name; a pod not scheduled yet has none and is not running. */
    static String arrayName(Pod pod) {
        String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        return node != null && !node.isEmpty() ? node : pod.getMetadata().getName();
    }

    static Optional<String> endpoint(Pod pod) {
        if (pod.getStatus() == null || !"Running".equals(pod.getStatus().getPhase()) || pod.getStatus().getPodIP() == null
                || pod.getMetadata().getDeletionTimestamp() != null) {
            return Optional.empty();
        }
        int port = pod.getSpec().getContainers().stream().flatMap(c -> c.getPorts().stream())
                .filter(p -> CONTROL_PORT_NAME.equals(p.getName())).map(ContainerPort::getContainerPort)
                .filter(Objects::nonNull).findFirst().orElse(DEFAULT_CONTROL_PORT);
        String ip = pod.getStatus().getPodIP();
        return Optional.of((ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port);
    }

    static StorageArray storageArray(String name, String endpoint, String site, String from) {
        StorageArray array = new StorageArray();
        array.setMetadata(new ObjectMetaBuilder().withName(name).withAnnotations(Map.of(DISCOVERED_FROM, from)).build());
        StorageArraySpec spec = new StorageArraySpec();
        spec.setEndpoint(endpoint);
        spec.setSite(site);
        array.setSpec(spec);
        return array;
    }
}
