package dev.copyservices.operator.common;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Records events.k8s.io/v1 Events with the Fabric8 client, and counts the Warnings per kind and reason
 * in {@code copyservices_operator_warning_events_total}: every problem a reconciler finds ends in a
 * condition and one Warning per change, so the counter is the operator's error rate per kind. It
 * counts even when the Event itself cannot be recorded.
 */
@ApplicationScoped
public class FabricKubernetesEvents implements KubernetesEvents {
    private static final Logger LOG = Logger.getLogger(FabricKubernetesEvents.class);
    private static final String CONTROLLER = "copyservices.dev/operator";

    private final KubernetesClient client;
    private final MeterRegistry registry;

    public FabricKubernetesEvents(KubernetesClient client, MeterRegistry registry) {
        this.client = client;
        this.registry = registry;
    }

    @Override
    public void normal(HasMetadata about, String reason, String message) {
        record(about, "Normal", reason, message);
    }

    @Override
    public void warning(HasMetadata about, String reason, String message) {
        Counter.builder("copyservices.operator.warning.events")
                .description("Warning Events the operator recorded (or tried to), by kind and reason")
                .tag("kind", String.valueOf(about.getKind())).tag("reason", reason)
                .register(registry).increment();
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
