package io.esmetrics.adapter.authentication;

import java.util.List;
import java.util.Map;

/** Who is calling, as Kubernetes names it: the identity SubjectAccessReview asks about. */
public record UserInfo(String username, List<String> groups, Map<String, List<String>> extra) {

    public UserInfo {
        groups = List.copyOf(groups);
        extra = Map.copyOf(extra);
    }

    public boolean isMemberOf(String group) {
        return groups.contains(group);
    }
}
