package io.esmetrics.adapter.cache;

import io.quarkus.logging.Log;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;

/**
 * Runs refresh batches on a few threads so that no namespace can hold up the others (docs/design.md, "Fair refresh
 * between namespaces"). Each batch belongs to a lane (a namespace, or a metric refreshed across namespaces); a lane
 * has at most one batch on the threads (running or waiting for a thread), its next ones wait behind it in the lane,
 * not in front of other lanes. A namespace whose searches are slow, or that has many batches, therefore holds one
 * thread at a time, and when its batch ends its next one goes to the back of the threads' queue, behind the other
 * lanes'.
 */
final class FairRefreshSchedule implements AutoCloseable {

    /** One {@code _msearch} worth of work, whose claims must be completed whether it runs or not. */
    interface Batch {
        void run();

        /** Completes what the batch holds (its claims) with a failure saying {@code why}, without searching. */
        void abandon(String why);
    }

    private record Scheduled(Batch batch, CompletableFuture<Void> done) {
    }

    /** Guarded by the schedule's lock. */
    private static final class Lane {
        final String name;
        final ArrayDeque<Scheduled> waiting = new ArrayDeque<>();
        Scheduled current;
        long runningSince = -1;

        Lane(String name) {
            this.name = name;
        }
    }

    private final ExecutorService threads;
    private final Map<String, Lane> lanes = new HashMap<>();
    private boolean closed;

    FairRefreshSchedule(int threads, ThreadFactory factory) {
        this.threads = Executors.newFixedThreadPool(Math.max(1, threads), factory);
    }

    /**
     * Schedules every lane's batches, round-robin: the first batch of each lane in the map's order, then the second
     * of each, and so on. Answers one future per batch, done when it ran or was abandoned.
     */
    List<CompletableFuture<Void>> submitRoundRobin(Map<String, List<Batch>> batchesByLane) {
        List<CompletableFuture<Void>> done = new ArrayList<>();
        int rounds = batchesByLane.values().stream().mapToInt(List::size).max().orElse(0);
        for (int round = 0; round < rounds; round++) {
            for (Map.Entry<String, List<Batch>> lane : batchesByLane.entrySet()) {
                if (round < lane.getValue().size()) {
                    done.add(submit(lane.getKey(), lane.getValue().get(round)));
                }
            }
        }
        return done;
    }

    /** Runs {@code batch} once the lane's earlier batches are done; abandons it if the schedule is closed. */
    CompletableFuture<Void> submit(String laneName, Batch batch) {
        Scheduled scheduled = new Scheduled(batch, new CompletableFuture<>());
        Lane startNow = null;
        boolean refused;
        synchronized (this) {
            refused = closed;
            if (!refused) {
                Lane lane = lanes.computeIfAbsent(laneName, Lane::new);
                if (lane.current == null) {
                    lane.current = scheduled;
                    startNow = lane;
                } else {
                    lane.waiting.add(scheduled);
                }
            }
        }
        if (startNow != null) {
            start(startNow, scheduled);
        } else if (refused) {
            abandon(scheduled, "did not run: the adapter is stopping");
        }
        return scheduled.done();
    }

    private void start(Lane lane, Scheduled scheduled) {
        try {
            threads.execute(() -> run(lane, scheduled));
        } catch (RejectedExecutionException e) {
            // Closed meanwhile: close() abandons the lane's current batch, this one.
        }
    }

    private void run(Lane lane, Scheduled scheduled) {
        synchronized (this) {
            if (lane.current == scheduled) {
                lane.runningSince = System.nanoTime();
            }
        }
        try {
            scheduled.batch().run();
        } catch (RuntimeException e) {
            // A batch completes its own claims; one that failed halfway must not leave askers waiting for ever.
            Log.errorf(e, "Refreshing a batch of %s failed", lane.name);
            scheduled.batch().abandon("failed: " + e);
        } finally {
            scheduled.done().complete(null);
            next(lane, scheduled);
        }
    }

    private void next(Lane lane, Scheduled finished) {
        Scheduled following;
        synchronized (this) {
            if (closed || lane.current != finished) {
                return;
            }
            following = lane.waiting.poll();
            lane.current = following;
            lane.runningSince = -1;
            if (following == null) {
                lanes.remove(lane.name, lane);
            }
        }
        if (following != null) {
            start(lane, following);
        }
    }

    /**
     * The lanes with batches not done yet, the longest running first, then those waiting for a thread: at most
     * {@code limit} names, so that a warning can say whose searches are slow without listing every namespace.
     */
    synchronized List<String> slowest(int limit) {
        return lanes.values().stream()
                .sorted(Comparator.comparingLong((Lane lane) -> lane.runningSince < 0 ? Long.MAX_VALUE : lane.runningSince)
                        .thenComparing(lane -> lane.name))
                .limit(limit).map(lane -> lane.name).toList();
    }

    /**
     * Stops the threads and abandons every batch not done, the running ones included: whoever waits for one of their
     * claims gets a failure instead of waiting for a search that may never end.
     */
    @Override
    public void close() {
        List<Scheduled> outstanding = new ArrayList<>();
        synchronized (this) {
            closed = true;
            for (Lane lane : lanes.values()) {
                if (lane.current != null) {
                    outstanding.add(lane.current);
                }
                outstanding.addAll(lane.waiting);
            }
            lanes.clear();
        }
        threads.shutdownNow();
        outstanding.forEach(scheduled -> abandon(scheduled, "was stopped: the adapter is stopping"));
    }

    private static void abandon(Scheduled scheduled, String why) {
        try {
            scheduled.batch().abandon(why);
        } finally {
            scheduled.done().complete(null);
        }
    }
}
