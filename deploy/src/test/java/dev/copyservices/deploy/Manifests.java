package dev.copyservices.deploy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The documents of a {@code helm template} output, read as Fabric8 model objects. */
final class Manifests {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final Pattern SEPARATOR = Pattern.compile("(?m)^---[ \\t]*$");

    private final String yaml;
    private final List<HasMetadata> objects;

    private Manifests(String yaml, List<HasMetadata> objects) {
        this.yaml = yaml;
        this.objects = List.copyOf(objects);
    }

    /**
     * Splits the YAML stream into documents and reads each as the model class of its kind. A
     * document only of comments (helm leaves those for templates that render nothing) is skipped.
     */
    static Manifests parse(String yaml) {
        List<HasMetadata> objects = new ArrayList<>();
        for (String document : SEPARATOR.split(yaml)) {
            if (document.lines().allMatch(line -> line.isBlank() || line.stripLeading().startsWith("#"))) {
                continue;
            }
            Object parsed = SERIALIZATION.unmarshal(document);
            if (!(parsed instanceof HasMetadata object)) {
                throw new AssertionError("not a Kubernetes object (" + (parsed == null ? "null" : parsed.getClass().getName())
                        + "):\n" + document);
            }
            objects.add(object);
        }
        return new Manifests(yaml, objects);
    }

    /** The YAML as helm wrote it. */
    String yaml() {
        return yaml;
    }

    List<HasMetadata> all() {
        return objects;
    }

    /** The objects of one model class. */
    <T extends HasMetadata> List<T> of(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> T one(Class<T> type, String name) {
        return find(type, name).orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name
                + " among " + describe()));
    }

    <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
        return of(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst();
    }

    /** The objects of a kind this classpath has no model for (read as GenericKubernetesResource). */
    List<GenericKubernetesResource> generic(String apiVersion, String kind) {
        return of(GenericKubernetesResource.class).stream()
                .filter(g -> apiVersion.equals(g.getApiVersion()) && kind.equals(g.getKind())).toList();
    }

    /** "Kind/name" of every object, sorted, for assertions and messages. */
    Set<String> kindsAndNames() {
        return objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName())
                .collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    String describe() {
        return String.join(", ", kindsAndNames());
    }

    /**
     * Fields a model class does not know, as paths: Fabric8 keeps them in additionalProperties
     * instead of failing, so a misspelt or misplaced field would otherwise go unnoticed.
     */
    static List<String> unknownFields(Object object) {
        List<String> found = new ArrayList<>();
        walk(object, object.getClass().getSimpleName(), found, new IdentityHashMap<>());
        return found;
    }

    private static void walk(Object value, String path, List<String> found, Map<Object, Boolean> seen) {
        if (value == null || seen.put(value, Boolean.TRUE) != null) {
            return;
        }
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                walk(item, path + "[" + i++ + "]", found, seen);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                walk(entry.getValue(), path + "." + entry.getKey(), found, seen);
            }
            return;
        }
        if (!(value instanceof KubernetesResource) || value instanceof GenericKubernetesResource) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            String name = getter.getName();
            if (name.equals("getAdditionalProperties")) {
                Map<?, ?> extra = (Map<?, ?>) invoke(getter, value);
                if (extra != null) {
                    extra.keySet().forEach(key -> found.add(path + "." + key));
                }
            } else if (name.startsWith("get") && name.length() > 3) {
                walk(invoke(getter, value), path + "." + Character.toLowerCase(name.charAt(3)) + name.substring(4), found, seen);
            }
        }
    }

    private static Object invoke(Method getter, Object target) {
        try {
            return getter.invoke(target);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + getter, e);
        }
    }
}
