package io.esmetrics.adapter.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Least privilege kept true: every (API group, resource, verb) that {@code kubectl kustomize k8s/} grants the adapter's
 * service account, through any Role or ClusterRole bound to it, has a use in the code, named here with the class that
 * makes the call and a piece of that class's source that shows it. A new grant without a use fails, and so does an
 * entry whose class no longer makes the call.
 */
class AdapterPermissionsTest {

    private static final String NAMESPACE = "es-metrics-adapter";
    private static final String SERVICE_ACCOUNT = "es-metrics-adapter";
    private static final Path MAIN = Path.of("src/main/java/io/esmetrics/adapter");

    /** One permission the adapter's code uses: {@code evidence} occurs in {@code user}'s source. */
    record Use(String apiGroup, String resource, String verb, String user, String evidence) {

        String permission() {
            return permission(apiGroup, resource, verb);
        }

        static String permission(String apiGroup, String resource, String verb) {
            return (apiGroup.isEmpty() ? "core" : apiGroup) + "/" + resource + " " + verb;
        }
    }

    private static final List<Use> USES = List.of(
            new Use("", "secrets", "get", "servingcert/SelfManagedCertificate", ".withName(config.caSecretName()).get()"),
            new Use("", "secrets", "create", "servingcert/SelfManagedCertificate", ".create()"),
            new Use("", "secrets", "update", "servingcert/SelfManagedCertificate", ".update()"),
            new Use("apiregistration.k8s.io", "apiservices", "get", "apiservice/ApiServiceTrust", ".withName(NAME).get()"),
            new Use("apiregistration.k8s.io", "apiservices", "patch", "apiservice/ApiServiceTrust", ".patch("),
            // fabric8's LeaseLock reads the Lease, creates it when absent and renews it with a patch (found by the
            // real API server of HorizontalPodAutoscalerIT: update was granted, and the Lease was lost after 10 s).
            new Use("coordination.k8s.io", "leases", "get", "crd/StatusWriterElection", "new LeaseLock("),
            new Use("coordination.k8s.io", "leases", "create", "crd/StatusWriterElection", "new LeaseLock("),
            new Use("coordination.k8s.io", "leases", "patch", "crd/StatusWriterElection", "new LeaseLock("),
            // An informer lists, then watches; it never gets one resource by name.
            new Use("esmetrics.io", "elasticsearchmetrics", "list", "crd/ElasticsearchMetricInformer", ".runnableInformer("),
            new Use("esmetrics.io", "elasticsearchmetrics", "watch", "crd/ElasticsearchMetricInformer", ".runnableInformer("),
            new Use("esmetrics.io", "elasticsearchmetrics/status", "update", "crd/StatusReconciler", ".updateStatus()"),
            new Use("authentication.k8s.io", "tokenreviews", "create", "authentication/TokenReviewAuthenticator", ".create()"),
            new Use("authorization.k8s.io", "subjectaccessreviews", "create", "authorization/SubjectAccessReviewAuthorizer",
                    ".create()"),
            new Use("", "configmaps", "list", "authentication/ClusterAuthenticationWatcher", ".runnableInformer("),
            new Use("", "configmaps", "watch", "authentication/ClusterAuthenticationWatcher", ".runnableInformer("));

    /**
     * The roles every aggregated API server is bound to, which Kubernetes makes (not in k8s/): what they grant, as
     * {@code kubectl get clusterrole system:auth-delegator -o yaml} and {@code kubectl -n kube-system get role
     * extension-apiserver-authentication-reader -o yaml} show.
     */
    private static final Map<String, List<PolicyRule>> BUILT_IN = Map.of(
            "ClusterRole system:auth-delegator", List.of(
                    rule("authentication.k8s.io", "tokenreviews", "create"),
                    rule("authorization.k8s.io", "subjectaccessreviews", "create")),
            "Role kube-system/extension-apiserver-authentication-reader", List.of(
                    rule("", "configmaps", "get", "list", "watch")));

    /** Granted by a built-in role as a whole, which cannot be narrowed; unused, and said so here. */
    private static final Set<String> UNUSED_BUT_BUILT_IN = Set.of(Use.permission("", "configmaps", "get"));

    @Test
    void everyPermissionGrantedToTheAdapterIsUsedByItsCode() {
        Set<String> granted = granted();

        Set<String> used = USES.stream().map(Use::permission).collect(Collectors.toCollection(TreeSet::new));
        assertThat(granted).as("granted to %s/%s without a use in the code (AdapterPermissionsTest.USES)", NAMESPACE,
                SERVICE_ACCOUNT).isSubsetOf(union(used, UNUSED_BUT_BUILT_IN));
        assertThat(used).as("used by the code but not granted").isSubsetOf(granted);
    }

    @Test
    void everyUseNamesAClassThatMakesTheCall() {
        assertThat(USES).allSatisfy(use -> {
            Path source = MAIN.resolve(use.user() + ".java");
            assertThat(source).as(use.permission()).exists();
            assertThat(Files.readString(source)).as("%s in %s", use.permission(), source).contains(use.evidence());
        });
    }

    private static Set<String> granted() {
        Set<String> granted = new TreeSet<>();
        for (RoleBinding binding : Manifests.all(RoleBinding.class)) {
            if (bindsTheAdapter(binding.getSubjects())) {
                rules(binding.getRoleRef(), binding.getMetadata().getNamespace()).forEach(rule -> add(granted, rule));
            }
        }
        for (ClusterRoleBinding binding : Manifests.all(ClusterRoleBinding.class)) {
            if (bindsTheAdapter(binding.getSubjects())) {
                rules(binding.getRoleRef(), null).forEach(rule -> add(granted, rule));
            }
        }
        assertThat(granted).as("the adapter is bound to something").isNotEmpty();
        return granted;
    }

    private static List<PolicyRule> rules(RoleRef ref, String namespace) {
        if (ref.getKind().equals("ClusterRole")) {
            return Manifests.find(ClusterRole.class, null, ref.getName()).map(ClusterRole::getRules)
                    .orElseGet(() -> builtIn("ClusterRole " + ref.getName()));
        }
        return Manifests.find(Role.class, namespace, ref.getName()).map(Role::getRules)
                .orElseGet(() -> builtIn("Role " + namespace + "/" + ref.getName()));
    }

    private static List<PolicyRule> builtIn(String role) {
        assertThat(BUILT_IN).as("bound to %s, which is neither in k8s/ nor a known built-in role", role).containsKey(role);
        return BUILT_IN.get(role);
    }

    private static void add(Set<String> granted, PolicyRule rule) {
        assertThat(rule.getNonResourceURLs()).as("non-resource URLs").isNullOrEmpty();
        for (String group : rule.getApiGroups()) {
            for (String resource : rule.getResources()) {
                for (String verb : rule.getVerbs()) {
                    assertThat(List.of(group, resource, verb)).as("a wildcard grants what no code uses").doesNotContain("*");
                    granted.add(Use.permission(group, resource, verb));
                }
            }
        }
    }

    private static boolean bindsTheAdapter(List<Subject> subjects) {
        return subjects != null && subjects.stream().anyMatch(subject -> "ServiceAccount".equals(subject.getKind())
                && NAMESPACE.equals(subject.getNamespace()) && SERVICE_ACCOUNT.equals(subject.getName()));
    }

    private static PolicyRule rule(String apiGroup, String resource, String... verbs) {
        PolicyRule rule = new PolicyRule();
        rule.setApiGroups(List.of(apiGroup));
        rule.setResources(List.of(resource));
        rule.setVerbs(List.of(verbs));
        return rule;
    }

    private static Set<String> union(Set<String> one, Set<String> other) {
        Set<String> union = new TreeSet<>(one);
        union.addAll(other);
        return union;
    }
}
