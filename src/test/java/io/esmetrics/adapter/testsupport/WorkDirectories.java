package io.esmetrics.adapter.testsupport;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import org.jboss.logging.Logger;

/** The private temporary directories of the processes tests start (Elasticsearch nodes, the control plane). */
public final class WorkDirectories {

    private static final Logger LOG = Logger.getLogger(WorkDirectories.class);

    private WorkDirectories() {
    }

    /**
     * Deletes {@code root} and everything under it, if it exists. A leftover directory in the temporary directory is
     * harmless, a test run failing because of it is not: a failure is logged, never thrown.
     */
    public static void delete(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path directory, IOException e) throws IOException {
                    Files.delete(directory);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.warnf("cannot delete %s: %s", root, e.getMessage());
        }
    }
}
