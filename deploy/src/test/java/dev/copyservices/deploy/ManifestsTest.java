package dev.copyservices.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ManifestsTest {
    @Test
    void readsEachDocumentAsItsModelClassAndSkipsCommentOnlyDocuments() {
        Manifests manifests = Manifests.parse("""
                ---
                # Source: chart/templates/empty.yaml
                ---
                # Source: chart/templates/a.yaml
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: a}
                data: {k: v}
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: d}
                spec:
                  selector: {matchLabels: {app: d}}
                  template:
                    metadata: {labels: {app: d}}
                    spec: {containers: [{name: c, image: i}]}
                ---
                apiVersion: example.com/v1
                kind: Widget
                metadata: {name: w}
                """);
        assertEquals(Set.of("ConfigMap/a", "Deployment/d", "Widget/w"), manifests.kindsAndNames());
        assertEquals("v", manifests.one(ConfigMap.class, "a").getData().get("k"));
        assertEquals("c", manifests.one(Deployment.class, "d").getSpec().getTemplate().getSpec().getContainers().get(0).getName());
        assertEquals(1, manifests.generic("example.com/v1", "Widget").size());
        assertTrue(manifests.of(GenericKubernetesResource.class).stream().allMatch(g -> g.getKind().equals("Widget")));
    }

    @Test
    void findsFieldsTheModelDoesNotKnowAtAnyDepth() {
        Manifests manifests = Manifests.parse("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: d, labelz: {a: b}}
                spec:
                  replica: 2
                  selector: {matchLabels: {app: d}}
                  template:
                    metadata: {labels: {app: d}}
                    spec:
                      containers:
                        - name: c
                          image: i
                          ports: [{name: p, containerPort: 80, portName: x}]
                """);
        assertEquals(List.of("Deployment.metadata.labelz", "Deployment.spec.replica",
                        "Deployment.spec.template.spec.containers[0].ports[0].portName"),
                Manifests.unknownFields(manifests.one(Deployment.class, "d")).stream().sorted().toList());
    }

    @Test
    void aWellFormedObjectHasNoUnknownFields() {
        Manifests manifests = Manifests.parse("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: a, labels: {x: y}}
                data: {k: v}
                """);
        assertEquals(List.of(), Manifests.unknownFields(manifests.one(ConfigMap.class, "a")));
    }

    @Test
    void aDocumentThatIsNoKubernetesObjectIsAnError() {
        assertThrows(AssertionError.class, () -> Manifests.parse("just: a map\n"));
    }
}
