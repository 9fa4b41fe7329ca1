package io.esmetrics.adapter.selector;

/** The label selector operators of Kubernetes, as in {@code k8s.io/apimachinery/pkg/selection}. */
public enum Operator {
    EQUALS,
    NOT_EQUALS,
    IN,
    NOT_IN,
    EXISTS,
    DOES_NOT_EXIST
}
