package dev.copyservices.crds;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import dev.copyservices.crds.array.StorageArray;
import dev.copyservices.crds.flashcopy.FlashCopy;
import dev.copyservices.crds.flashcopy.FlashCopyGroup;
import dev.copyservices.crds.mirror.MirrorGroup;
import dev.copyservices.crds.mirror.RemoteMirror;
import dev.copyservices.crds.volumecopy.VolumeCopy;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.CustomResource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.ParameterizedType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Generates the CRD YAML of every kind from the model classes, as committed beside the crds pom.
 *
 * <p>Two things the Fabric8 generator does not do are done here after it: printer columns keep the
 * order of their annotations (the generator sorts them by JSON path, which would put Age first), and
 * the kind, its spec and its status get the description of their class's {@link JsonClassDescription}.
 *
 * <p>{@code bin/update-crds} runs {@link #main} to rewrite the committed files; {@code CommittedCrdsTest}
 * fails when they differ from what this produces.
 */
public final class CrdYaml {
    static final List<Class<? extends CustomResource<?, ?>>> KINDS = List.of(
            StorageArray.class, FlashCopy.class, FlashCopyGroup.class, VolumeCopy.class,
            RemoteMirror.class, MirrorGroup.class);
    static final String FILE_SUFFIX = "." + ApiGroup.GROUP + ".yaml";
    private static final String HEADER = "# Generated from the model in crds/src/main/java by bin/update-crds: edit the Java, not this file.\n";

    private CrdYaml() {
    }

    /** File name (plural.group.yaml) to its content, for every kind. */
    static Map<String, String> generate() {
        Map<String, ByteArrayOutputStream> outputs = new TreeMap<>();
        new CRDGenerator()
                .customResourceClasses(new ArrayList<>(KINDS))
                .forCRDVersions("v1")
                .withMinQuotes(true)
                .withPostProcessor(new OrderAndDescribe())
                .withOutput(new CRDGenerator.CRDOutput<ByteArrayOutputStream>() {
                    @Override
                    public ByteArrayOutputStream outputFor(String crdName) {
                        return outputs.computeIfAbsent(crdName, n -> new ByteArrayOutputStream());
                    }

                    @Override
                    public void close() {
                    }
                })
                .generate();
        Map<String, String> files = new TreeMap<>();
        outputs.forEach((crdName, bytes) -> {
            String plural = crdName.substring(0, crdName.indexOf('.'));
            files.put(plural + FILE_SUFFIX, HEADER + withoutLeadingComments(bytes.toString(StandardCharsets.UTF_8)));
        });
        return files;
    }

    private static String withoutLeadingComments(String yaml) {
        StringBuilder out = new StringBuilder();
        boolean body = false;
        for (String line : yaml.split("\n", -1)) {
            if (!body && line.startsWith("#")) {
                continue;
            }
            body = true;
            out.append(line).append('\n');
        }
        String text = out.toString();
        return text.endsWith("\n\n") ? text.substring(0, text.length() - 1) : text;
    }

    /** Writes every kind's file into the directory given and removes files of kinds that no longer exist. */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "crds");
        Map<String, String> files = generate();
        try (Stream<Path> existing = Files.list(dir)) {
            for (Path stale : existing.filter(p -> p.getFileName().toString().endsWith(FILE_SUFFIX)).toList()) {
                if (!files.containsKey(stale.getFileName().toString())) {
                    Files.delete(stale);
                }
            }
        }
        for (Map.Entry<String, String> file : files.entrySet()) {
            Files.writeString(dir.resolve(file.getKey()), file.getValue());
            System.out.println("wrote " + dir.resolve(file.getKey()));
        }
    }

    private static final class OrderAndDescribe implements CRDPostProcessor {
        @Override
        public HasMetadata process(HasMetadata resource, String crdSpecVersion) {
            CustomResourceDefinition crd = (CustomResourceDefinition) resource;
            Class<?> kind = KINDS.stream()
                    .filter(k -> k.getSimpleName().equals(crd.getSpec().getNames().getKind()))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("no model class for " + crd.getSpec().getNames().getKind()));
            List<String> order = Arrays.stream(kind.getAnnotationsByType(AdditionalPrinterColumn.class))
                    .map(AdditionalPrinterColumn::name)
                    .toList();
            ParameterizedType types = (ParameterizedType) kind.getGenericSuperclass();
            for (CustomResourceDefinitionVersion version : crd.getSpec().getVersions()) {
                if (version.getAdditionalPrinterColumns() != null) {
                    List<CustomResourceColumnDefinition> columns = new ArrayList<>(version.getAdditionalPrinterColumns());
                    columns.sort(Comparator.comparingInt(c -> order.indexOf(c.getName())));
                    version.setAdditionalPrinterColumns(columns);
                }
                JSONSchemaProps root = version.getSchema().getOpenAPIV3Schema();
                root.setDescription(describe(kind));
                root.getProperties().get("spec").setDescription(describe((Class<?>) types.getActualTypeArguments()[0]));
                root.getProperties().get("status").setDescription(describe((Class<?>) types.getActualTypeArguments()[1]));
                describeKubernetesTypes(root);
            }
            return crd;
        }

        /** Conditions and label selectors come from the Fabric8 model, whose fields carry no description. */
        private static void describeKubernetesTypes(JSONSchemaProps schema) {
            if (schema == null) {
                return;
            }
            if (schema.getProperties() != null) {
                schema.getProperties().forEach((name, property) -> {
                    Map<String, String> known = switch (name) {
                        case "conditions" -> CONDITION_FIELDS;
                        case "matchExpressions" -> EXPRESSION_FIELDS;
                        default -> Map.of();
                    };
                    if (property.getItems() != null && property.getItems().getSchema() != null
                            && property.getItems().getSchema().getProperties() != null) {
                        property.getItems().getSchema().getProperties().forEach((field, props) -> {
                            if (props.getDescription() == null && known.containsKey(field)) {
                                props.setDescription(known.get(field));
                            }
                        });
                    }
                    if (property.getDescription() == null && SELECTOR_FIELDS.containsKey(name)) {
                        property.setDescription(SELECTOR_FIELDS.get(name));
                    }
                    describeKubernetesTypes(property);
                    if (property.getItems() != null) {
                        describeKubernetesTypes(property.getItems().getSchema());
                    }
                });
            }
        }

        private static final Map<String, String> CONDITION_FIELDS = Map.of(
                "type", "The concern: Ready, or a specific one such as Synchronized.",
                "status", "True, False or Unknown.",
                "reason", "A CamelCase word for why, from the array's error reason where there is one.",
                "message", "What happened and what to do, in words.",
                "lastTransitionTime", "When status last changed (RFC 3339).",
                "observedGeneration", "The metadata.generation the condition was set for.");
        private static final Map<String, String> EXPRESSION_FIELDS = Map.of(
                "key", "The label's key.",
                "operator", "In, NotIn, Exists or DoesNotExist.",
                "values", "The values for In and NotIn; empty for Exists and DoesNotExist.");
        private static final Map<String, String> SELECTOR_FIELDS = Map.of(
                "matchLabels", "Labels that must all be present with these values.",
                "matchExpressions", "Label requirements that must all hold.");

        private static String describe(Class<?> type) {
            JsonClassDescription description = type.getAnnotation(JsonClassDescription.class);
            if (description == null) {
                throw new IllegalStateException(type.getName() + " needs a @JsonClassDescription: it becomes the schema's description");
            }
            return description.value();
        }
    }
}
