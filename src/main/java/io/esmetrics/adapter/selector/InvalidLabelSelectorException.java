package io.esmetrics.adapter.selector;

/** The {@code labelSelector} parameter does not follow the Kubernetes grammar. */
public final class InvalidLabelSelectorException extends RuntimeException {

    public InvalidLabelSelectorException(String selector, String problem) {
        super("unable to parse requirement: invalid label selector \"" + selector + "\": " + problem);
    }
}
