package io.esmetrics.adapter.benchmark;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.SocketFactory;

/**
 * A closed-loop load driver for what {@code wrk} cannot do (client certificates): one thread and one
 * keep-alive HTTP/1.1 connection per simulated client over plain sockets (TLS handshake once per connection,
 * as the aggregator's connections are long-lived), the latency of every request recorded.
 */
final class JavaLoad {

    private JavaLoad() {
    }

    static Load run(SocketFactory sockets, int port, String path, int connections, Duration duration) throws InterruptedException {
        measure(sockets, port, path, connections, Duration.ofSeconds(5));
        return measure(sockets, port, path, connections, duration);
    }

    private static Load measure(SocketFactory sockets, int port, String path, int connections, Duration duration)
            throws InterruptedException {
        long end = System.nanoTime() + duration.toNanos();
        byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        AtomicLong failures = new AtomicLong();
        List<long[]> latencies = new ArrayList<>();
        List<int[]> counts = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            long[] mine = new long[4_000_000];
            int[] count = new int[1];
            latencies.add(mine);
            counts.add(count);
            threads.add(new Thread(() -> {
                try (Socket socket = sockets.createSocket("localhost", port)) {
                    socket.setTcpNoDelay(true);
                    OutputStream out = socket.getOutputStream();
                    InputStream in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
                    while (System.nanoTime() < end && count[0] < mine.length) {
                        long start = System.nanoTime();
                        out.write(request);
                        out.flush();
                        if (readResponse(in) != 200) {
                            failures.incrementAndGet();
                        }
                        mine[count[0]++] = System.nanoTime() - start;
                    }
                } catch (IOException e) {
                    failures.incrementAndGet();
                }
            }));
        }
        long started = System.nanoTime();
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        int total = counts.stream().mapToInt(count -> count[0]).sum();
        long[] all = new long[total];
        int at = 0;
        for (int c = 0; c < connections; c++) {
            System.arraycopy(latencies.get(c), 0, all, at, counts.get(c)[0]);
            at += counts.get(c)[0];
        }
        Arrays.sort(all);
        return new Load(total / seconds, millis(all, 0.50), millis(all, 0.99), failures.get());
    }

    /** Reads one response (Content-Length or chunked body) and returns its status code. */
    private static int readResponse(InputStream in) throws IOException {
        String status = line(in);
        int code = Integer.parseInt(status.substring(9, 12));
        long length = 0;
        boolean chunked = false;
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            String lower = header.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(lower.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            }
        }
        if (!chunked) {
            skip(in, length);
            return code;
        }
        for (long chunk = Long.parseLong(line(in).trim(), 16); chunk > 0; chunk = Long.parseLong(line(in).trim(), 16)) {
            skip(in, chunk);
            line(in);
        }
        line(in);
        return code;
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed");
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    private static void skip(InputStream in, long bytes) throws IOException {
        long left = bytes;
        while (left > 0) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new IOException("connection closed");
                }
                skipped = 1;
            }
            left -= skipped;
        }
    }

    private static String millis(long[] sorted, double quantile) {
        if (sorted.length == 0) {
            return "?";
        }
        return String.format(Locale.ROOT, "%.2fms", sorted[(int) Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))] / 1e6);
    }
}
