package dev.copyservices.csi.agent;

import dev.copyservices.crds.array.StorageArray;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The agents of the cluster's StorageArray resources, kept current by an informer: a new resource
 * adds its agent, a changed endpoint (an agent pod that moved) replaces it, a deleted one removes
 * it. On a node, the node's own agent is the StorageArray named after the node, the name the
 * operator gives the StorageArray of each agent pod it finds.
 */
public final class StorageArrayAgents implements AgentSource, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(StorageArrayAgents.class.getName());

    private record Known(String endpoint, Agent agent) {
    }

    private final String nodeName;
    private final Function<String, ? extends Agent> connect;
    private final Map<String, Known> byResource = new TreeMap<>();
    private SharedIndexInformer<StorageArray> informer;

    /**
     * @param nodeName this node's name in node mode, null in controller mode
     * @param connect  makes the agent for an endpoint (a gRPC channel in the driver)
     */
    StorageArrayAgents(String nodeName, Function<String, ? extends Agent> connect) {
        this.nodeName = nodeName;
        this.connect = connect;
    }

    /** Lists the StorageArrays and watches them from then on; returns once the first list is in. */
    public static StorageArrayAgents watch(KubernetesClient client, String nodeName,
            Function<String, ? extends Agent> connect) {
        StorageArrayAgents agents = new StorageArrayAgents(nodeName, connect);
        agents.informer = client.resources(StorageArray.class).inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(StorageArray array) {
                agents.put(array);
            }

            @Override
            public void onUpdate(StorageArray before, StorageArray after) {
                agents.put(after);
            }

            @Override
            public void onDelete(StorageArray array, boolean finalStateUnknown) {
                agents.remove(array.getMetadata().getName());
            }
        }, 0);
        return agents;
    }

    synchronized void put(StorageArray array) {
        String name = array.getMetadata().getName();
        String endpoint = array.getSpec() == null ? null : array.getSpec().getEndpoint();
        if (endpoint == null || endpoint.isBlank()) {
            remove(name);
            return;
        }
        Known known = byResource.get(name);
        if (known != null && known.endpoint().equals(endpoint)) {
            return;
        }
        byResource.put(name, new Known(endpoint, connect.apply(endpoint)));
        LOG.info("StorageArray " + name + ": agent at " + endpoint + (known == null ? "" : " (was " + known.endpoint() + ")"));
        if (known != null) {
            retire(known.agent());
        }
    }

    synchronized void remove(String name) {
        Known known = byResource.remove(name);
        if (known != null) {
            LOG.info("StorageArray " + name + " is gone: no more agent at " + known.endpoint());
            retire(known.agent());
        }
    }

    /** Calls already under way on a replaced agent finish; new calls go to the new one. */
    private static void retire(Agent agent) {
        if (agent instanceof GrpcAgent grpc) {
            grpc.retire();
        }
    }

    @Override
    public synchronized List<Agent> agents() {
        List<Agent> agents = new ArrayList<>();
        byResource.values().forEach(known -> agents.add(known.agent()));
        return agents;
    }

    @Override
    public synchronized Optional<Agent> local() {
        return Optional.ofNullable(nodeName).map(byResource::get).map(Known::agent);
    }

    @Override
    public String localMissingHint() {
        return "there is no StorageArray named '" + nodeName + "' after this node; the operator makes one when"
                + " the agent pod on this node runs (check it with kubectl get pods,storagearrays)";
    }

    /** A node plugin is ready when its own agent answers; a controller when all do. */
    @Override
    public List<Agent> probed() {
        return nodeName == null ? agents() : local().map(List::of).orElse(List.of());
    }

    @Override
    public String noAgentsHint() {
        return nodeName != null ? localMissingHint() : "there are no StorageArray resources yet; "
                + "the operator makes one for each agent pod (check it with kubectl get pods,storagearrays)";
    }

    @Override
    public String missingArrayHint() {
        return "create a StorageArray for its agent (the operator makes one for each agent pod)";
    }

    @Override
    public synchronized void close() {
        if (informer != null) {
            informer.close();
        }
        byResource.values().forEach(known -> retire(known.agent()));
        byResource.clear();
    }
}
