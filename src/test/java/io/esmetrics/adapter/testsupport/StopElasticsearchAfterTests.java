package io.esmetrics.adapter.testsupport;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/** Stops the shared Elasticsearch node when the test run ends, so no test leaves a process behind. */
public final class StopElasticsearchAfterTests implements LauncherSessionListener {

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        SharedElasticsearch.stop();
        SecuredElasticsearch.stop();
    }
}
