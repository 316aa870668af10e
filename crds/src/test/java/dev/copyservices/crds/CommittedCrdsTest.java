package dev.copyservices.crds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The drift check: the CRD YAML a user applies must be exactly what the model generates. */
class CommittedCrdsTest {
    private static final String FIX = " Run bin/update-crds and commit the result.";
    private final Path committed = Path.of(System.getProperty("crds.committed", "."));

    @Test
    void committedCrdFilesAreExactlyTheOnesTheModelGenerates() throws IOException {
        Map<String, String> generated = CrdYaml.generate();
        Set<String> onDisk;
        try (Stream<Path> files = Files.list(committed)) {
            onDisk = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(CrdYaml.FILE_SUFFIX))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(generated.keySet(), onDisk, "the CRD files in " + committed + " are not those of the model's kinds." + FIX);
        for (Map.Entry<String, String> file : generated.entrySet()) {
            String text = Files.readString(committed.resolve(file.getKey()));
            if (!text.equals(file.getValue())) {
                fail(file.getKey() + " differs from what the model generates (first difference at line "
                        + firstDifferentLine(text, file.getValue()) + ")." + FIX);
            }
        }
    }

    @Test
    void printerColumnsKeepTheirAnnotationOrderWithAgeLast() {
        for (String yaml : CrdYaml.generate().values()) {
            CustomResourceDefinition crd = Serialization.unmarshal(yaml, CustomResourceDefinition.class);
            List<String> columns = crd.getSpec().getVersions().get(0).getAdditionalPrinterColumns().stream()
                    .map(c -> c.getName())
                    .toList();
            assertEquals("Age", columns.get(columns.size() - 1), crd.getMetadata().getName() + ": " + columns);
        }
        String mirrors = CrdYaml.generate().get("remotemirrors" + CrdYaml.FILE_SUFFIX);
        List<String> columns = Serialization.unmarshal(mirrors, CustomResourceDefinition.class)
                .getSpec().getVersions().get(0).getAdditionalPrinterColumns().stream().map(c -> c.getName()).toList();
        assertEquals(List.of("Role", "State", "Mode", "Progress", "Lag", "Age"), columns);
    }

    @Test
    void everySchemaPropertyHasADescriptionForKubectlExplain() {
        for (String yaml : CrdYaml.generate().values()) {
            CustomResourceDefinition crd = Serialization.unmarshal(yaml, CustomResourceDefinition.class);
            JSONSchemaProps root = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
            List<String> missing = new ArrayList<>();
            collectUndescribed("", root, missing);
            missing.removeAll(List.of(".apiVersion", ".kind", ".metadata"));
            assertEquals(List.of(), missing, crd.getMetadata().getName() + ": properties without a description");
        }
    }

    private static void collectUndescribed(String path, JSONSchemaProps schema, List<String> missing) {
        if (schema.getProperties() != null) {
            schema.getProperties().forEach((name, property) -> {
                if (property.getDescription() == null || property.getDescription().isBlank()) {
                    missing.add(path + "." + name);
                }
                collectUndescribed(path + "." + name, property, missing);
            });
        }
        if (schema.getItems() != null && schema.getItems().getSchema() != null) {
            collectUndescribed(path + "[]", schema.getItems().getSchema(), missing);
        }
    }

    private static int firstDifferentLine(String a, String b) {
        String[] x = a.split("\n", -1);
        String[] y = b.split("\n", -1);
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            if (!x[i].equals(y[i])) {
                return i + 1;
            }
        }
        return Math.min(x.length, y.length) + 1;
    }
}
