package io.esmetrics.adapter.testsupport;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/** Stops the shared Kubernetes control plane when the test run ends, so no test leaves a process behind. */
public final class StopControlPlaneAfterTests implements LauncherSessionListener {

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        SharedControlPlane.stop();
    }
}
