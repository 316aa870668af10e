package dev.copyservices.operator.common;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.jboss.logging.Logger;

/** Records events.k8s.io/v1 Events with the Fabric8 client. */
@ApplicationScoped
public class FabricKubernetesEvents implements KubernetesEvents {
    private static final Logger LOG = Logger.getLogger(FabricKubernetesEvents.class);
    private static final String CONTROLLER = "copyservices.dev/operator";

    private final KubernetesClient client;

    public FabricKubernetesEvents(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public void normal(HasMetadata about, String reason, String message) {
        record(about, "Normal", reason, message);
    }

    @Override
    public void warning(HasMetadata about, String reason, String message) {
        record(about, "Warning", reason, message);
    }

    private void record(HasMetadata about, String type, String reason, String message) {
        // Cluster-scoped objects get their Events in the default namespace, as kubectl describe expects.
        String namespace = about.getMetadata().getNamespace() != null ? about.getMetadata().getNamespace() : "default";
        try {
            client.resource(new EventBuilder()
                    .withNewMetadata()
                    .withName(about.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 8))
                    .withNamespace(namespace)
                    .endMetadata()
                    .withType(type)
                    .withReason(reason)
                    // events.k8s.io/v1 caps the note at 1 KiB
                    .withNote(message.length() > 1024 ? message.substring(0, 1021) + "..." : message)
                    .withAction(reason)
                    .withReportingController(CONTROLLER)
                    .withReportingInstance(CONTROLLER)
                    .withEventTime(new io.fabric8.kubernetes.api.model.MicroTime(
                            DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.MICROS))))
                    .withRegarding(new ObjectReferenceBuilder()
                            .withApiVersion(about.getApiVersion())
                            .withKind(about.getKind())
                            .withName(about.getMetadata().getName())
                            .withNamespace(about.getMetadata().getNamespace())
                            .withUid(about.getMetadata().getUid())
                            .build())
                    .build())
                    .create();
        } catch (KubernetesClientException e) {
            LOG.debugf("could not record the Event %s for %s: %s", reason, about.getMetadata().getName(), e.getMessage());
        }
    }
}
