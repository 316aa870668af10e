package dev.copyservices.deploy;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the RBAC objects of a manifest set grant each ServiceAccount, as a table from
 * "[namespace:]group/resource" to its verbs ("core" for the core group; a namespace prefix for what a
 * RoleBinding grants in that namespace only).
 */
final class Grants {
    private Grants() {
    }

    /** ServiceAccount "namespace/name" to its grants; a ServiceAccount bound to nothing maps to an empty table. */
    static Map<String, SortedMap<String, Set<String>>> byServiceAccount(Manifests manifests) {
        Map<String, SortedMap<String, Set<String>>> result = new TreeMap<>();
        manifests.of(io.fabric8.kubernetes.api.model.ServiceAccount.class).forEach(sa ->
                result.put(sa.getMetadata().getNamespace() + "/" + sa.getMetadata().getName(), new TreeMap<>()));
        for (ClusterRoleBinding binding : manifests.of(ClusterRoleBinding.class)) {
            List<PolicyRule> rules = rules(manifests, binding.getRoleRef(), null);
            for (Subject subject : binding.getSubjects()) {
                add(result, subject, rules, "");
            }
        }
        for (RoleBinding binding : manifests.of(RoleBinding.class)) {
            String namespace = binding.getMetadata().getNamespace();
            List<PolicyRule> rules = rules(manifests, binding.getRoleRef(), namespace);
            for (Subject subject : binding.getSubjects()) {
                add(result, subject, rules, namespace + ":");
            }
        }
        return result;
    }

    /**
     * The grants as a table for a person to read (the test prints it, so the CI log lists them): each
     * ServiceAccount, then one line per resource with its verbs, sorted.
     */
    static String table(Map<String, ? extends Map<String, Set<String>>> grants) {
        int width = grants.values().stream().flatMap(t -> t.keySet().stream()).mapToInt(String::length).max().orElse(0);
        StringBuilder out = new StringBuilder();
        new TreeMap<>(grants).forEach((account, table) -> {
            out.append(account).append('\n');
            if (table.isEmpty()) {
                out.append("  (no access)\n");
            }
            new TreeMap<>(table).forEach((resource, verbs) -> out.append("  ").append(resource)
                    .append(" ".repeat(width - resource.length() + 2)).append(String.join(" ", new TreeSet<>(verbs)))
                    .append('\n'));
        });
        return out.toString();
    }

    private static List<PolicyRule> rules(Manifests manifests, RoleRef ref, String namespace) {
        if (!"rbac.authorization.k8s.io".equals(ref.getApiGroup())) {
            throw new AssertionError("roleRef of another API group: " + ref);
        }
        return switch (ref.getKind()) {
            case "ClusterRole" -> manifests.one(ClusterRole.class, ref.getName()).getRules();
            case "Role" -> {
                Role role = manifests.one(Role.class, ref.getName());
                if (!role.getMetadata().getNamespace().equals(namespace)) {
                    throw new AssertionError("RoleBinding in " + namespace + " names Role " + ref.getName()
                            + " of namespace " + role.getMetadata().getNamespace());
                }
                yield role.getRules();
            }
            default -> throw new AssertionError("roleRef of unknown kind: " + ref);
        };
    }

    private static void add(Map<String, SortedMap<String, Set<String>>> result, Subject subject, List<PolicyRule> rules,
            String scope) {
        if (!"ServiceAccount".equals(subject.getKind())) {
            throw new AssertionError("the chart binds roles to ServiceAccounts only, not to " + subject);
        }
        SortedMap<String, Set<String>> table = result.computeIfAbsent(subject.getNamespace() + "/" + subject.getName(),
                k -> new TreeMap<>());
        for (PolicyRule rule : rules) {
            if (!rule.getNonResourceURLs().isEmpty() || !rule.getResourceNames().isEmpty()) {
                throw new AssertionError("rule outside what this table describes: " + rule);
            }
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    String key = scope + (group.isEmpty() ? "core" : group) + "/" + resource;
                    table.computeIfAbsent(key, k -> new TreeSet<>()).addAll(rule.getVerbs());
                }
            }
        }
    }
}
