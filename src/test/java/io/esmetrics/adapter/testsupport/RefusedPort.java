package io.esmetrics.adapter.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A loopback port on which every connection is refused, for as long as the test JVM lives.
 *
 * <p>Picking a free port and closing it is not enough: between the pick and the test, another test's
 * server (Elasticsearch, a proxy, a mock API server) may bind the same port and answer. A socket that is
 * bound but never listens keeps the port reserved, and the kernel refuses every connection to it.
 */
public final class RefusedPort {

    private static final Socket RESERVATION = reserve();

    private RefusedPort() {
    }

    /** {@code 127.0.0.1:port}, where nothing answers. */
    public static String hostAndPort() {
        return "127.0.0.1:" + RESERVATION.getLocalPort();
    }

    private static Socket reserve() {
        Socket socket = new Socket();
        try {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return socket;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reserve a loopback port", e);
        }
    }
}
