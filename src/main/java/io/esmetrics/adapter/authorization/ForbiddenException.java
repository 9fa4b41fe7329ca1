package io.esmetrics.adapter.authorization;

/** The cluster's RBAC does not allow the request: answered 403 Forbidden. */
public final class ForbiddenException extends RuntimeException {

    public ForbiddenException(String username, ResourceAttributes attributes) {
        super(attributes.group() + " \"" + attributes.resource() + "\" is forbidden: User \"" + username
                + "\" cannot " + attributes.verb() + " resource \"" + attributes.resource() + "\" in API group \""
                + attributes.group() + "\" in the namespace \"" + attributes.namespace() + "\"");
    }
}
