package dev.copyservices.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class GrantsTest {
    private static final String ACCOUNTS = """
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: one, namespace: ns}
            ---
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: idle, namespace: ns}
            ---
            """;

    @Test
    void mergesTheVerbsOfEveryRuleAndBindingPerServiceAccount() {
        Manifests manifests = Manifests.parse(ACCOUNTS + """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata: {name: reader}
                rules:
                  - {apiGroups: [""], resources: [pods, nodes], verbs: [get, list]}
                  - {apiGroups: [""], resources: [pods], verbs: [watch]}
                  - {apiGroups: [apps], resources: [deployments/status], verbs: [patch]}
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata: {name: reader}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
                subjects: [{kind: ServiceAccount, name: one, namespace: ns}]
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: Role
                metadata: {name: leases, namespace: ns}
                rules:
                  - {apiGroups: [coordination.k8s.io], resources: [leases], verbs: [get, update]}
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata: {name: leases, namespace: ns}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: leases}
                subjects: [{kind: ServiceAccount, name: one, namespace: ns}]
                """);
        Map<String, Object> one = new TreeMap<>();
        one.put("apps/deployments/status", Set.of("patch"));
        one.put("core/nodes", Set.of("get", "list"));
        one.put("core/pods", Set.of("get", "list", "watch"));
        one.put("ns:coordination.k8s.io/leases", Set.of("get", "update"));
        assertEquals(Map.of("ns/one", one, "ns/idle", Map.of()), Grants.byServiceAccount(manifests));
    }

    @Test
    void theTableListsEachAccountThenItsResourcesWithTheirVerbs() {
        Map<String, Map<String, Set<String>>> grants = new TreeMap<>();
        grants.put("ns/reader", Map.of("core/pods", Set.of("watch", "get", "list"), "apps/deployments/status", Set.of("patch")));
        grants.put("ns/idle", Map.of());
        assertEquals("""
                ns/idle
                  (no access)
                ns/reader
                  apps/deployments/status  patch
                  core/pods                get list watch
                """, Grants.table(grants));
    }

    @Test
    void aBindingToAnotherKindOfSubjectIsRefused() {
        Manifests manifests = Manifests.parse(ACCOUNTS + """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata: {name: r}
                rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata: {name: r}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}
                subjects: [{kind: Group, name: "system:authenticated", apiGroup: rbac.authorization.k8s.io}]
                """);
        assertThrows(AssertionError.class, () -> Grants.byServiceAccount(manifests));
    }
}
