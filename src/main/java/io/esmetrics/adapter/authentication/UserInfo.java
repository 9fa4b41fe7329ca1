package io.esmetrics.adapter.authentication;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who is calling, as Kubernetes names it: the identity SubjectAccessReview asks about.
 *
 * @param uid the user's unique id where the credential carries one (a TokenReview, a front proxy that sends
 *            {@code X-Remote-Uid}); empty for client certificates
 */
public record UserInfo(String username, Optional<String> uid, List<String> groups, Map<String, List<String>> extra) {

    public UserInfo {
        groups = List.copyOf(groups);
        extra = Map.copyOf(extra);
    }

    public boolean isMemberOf(String group) {
        return groups.contains(group);
    }
}
