package io.esmetrics.adapter.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.esmetrics.adapter.provider.MetricQuery;
import io.esmetrics.adapter.selector.LabelSelector;
import io.esmetrics.adapter.time.BackgroundThreads;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Fair refresh as plain Java, without Elasticsearch: how the due answers are cut into lanes and batches, and how the
 * schedule runs them (one batch per lane at a time, round-robin, abandoned on close). Batches block on latches the
 * test opens; nothing is slept.
 */
class FairRefreshScheduleTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final Queue<String> started = new ConcurrentLinkedQueue<>();
    private final Queue<String> abandoned = new ConcurrentLinkedQueue<>();
    private final CountDownLatch gate = new CountDownLatch(1);
    private FairRefreshSchedule schedule;

    @AfterEach
    void close() {
        gate.countDown();
        if (schedule != null) {
            schedule.close();
        }
    }

    @Test
    void batchesNeverMixNamespacesAndTheAnswersSharedAcrossNamespacesComeFirst() {
        MetricQuery sharedInA = query("team-a", "request_rate", "");
        MetricQuery sharedInB = query("team-b", "request_rate", "");
        MetricQuery a1 = query("team-a", "queue_max", "service=chat");
        MetricQuery a2 = query("team-a", "chat-requests", "");
        MetricQuery a3 = query("team-a", "queue_max", "service=search");
        MetricQuery b1 = query("team-b", "queue_max", "service=chat");

        Map<String, List<List<MetricQuery>>> lanes = SeriesRefresher.lanes(List.of(a1, sharedInA, b1, a2, sharedInB, a3),
                Function.identity(), query -> query.metricName().equals("request_rate"), 2);

        assertThat(lanes).containsExactly(
                Map.entry("every namespace, metric request_rate", List.of(List.of(sharedInA, sharedInB))),
                Map.entry("team-a", List.of(List.of(a2, a1), List.of(a3))),
                Map.entry("team-b", List.of(List.of(b1))));
    }

    @Test
    void runsOneBatchOfANamespaceAtATimeSoItsOtherBatchesCannotTakeTheOtherThreads() {
        schedule = new FairRefreshSchedule(2, BackgroundThreads.named("fair-test"));
        AtomicInteger slowAtOnce = new AtomicInteger();
        AtomicInteger mostSlowAtOnce = new AtomicInteger();
        Map<String, List<FairRefreshSchedule.Batch>> lanes = new LinkedHashMap<>();
        lanes.put("slow", List.of(counted("slow-1", slowAtOnce, mostSlowAtOnce), counted("slow-2", slowAtOnce, mostSlowAtOnce),
                counted("slow-3", slowAtOnce, mostSlowAtOnce)));
        lanes.put("quick", List.of(batch("quick-1"), batch("quick-2"), batch("quick-3")));

        List<CompletableFuture<Void>> done = schedule.submitRoundRobin(lanes);

        await().atMost(WAIT).until(() -> started.containsAll(List.of("quick-1", "quick-2", "quick-3")));
        assertThat(started).contains("slow-1").doesNotContain("slow-2", "slow-3");
        gate.countDown();
        await().atMost(WAIT).until(() -> done.stream().allMatch(CompletableFuture::isDone));
        assertThat(started.stream().filter(name -> name.startsWith("slow"))).containsExactly("slow-1", "slow-2", "slow-3");
        assertThat(mostSlowAtOnce).hasValue(1);
        assertThat(abandoned).isEmpty();
    }

    @Test
    void takesTheLanesInTurnSharedAnswersFirst() {
        schedule = new FairRefreshSchedule(1, BackgroundThreads.named("fair-test"));
        schedule.submit("earlier", blocking("earlier"));
        await().atMost(WAIT).until(() -> started.contains("earlier"));
        Map<String, List<FairRefreshSchedule.Batch>> lanes = new LinkedHashMap<>();
        lanes.put("every namespace, metric request_rate", List.of(batch("shared")));
        lanes.put("team-a", List.of(batch("a-1"), batch("a-2"), batch("a-3")));
        lanes.put("team-b", List.of(batch("b-1"), batch("b-2")));

        List<CompletableFuture<Void>> done = schedule.submitRoundRobin(lanes);
        gate.countDown();

        await().atMost(WAIT).until(() -> done.stream().allMatch(CompletableFuture::isDone));
        assertThat(started).containsExactly("earlier", "shared", "a-1", "b-1", "a-2", "b-2", "a-3");
    }

    @Test
    void namesAtMostTheLimitOfOutstandingLanesTheLongestRunningFirst() {
        schedule = new FairRefreshSchedule(2, BackgroundThreads.named("fair-test"));
        schedule.submit("team-z", blocking("z"));
        await().atMost(WAIT).until(() -> started.contains("z"));
        schedule.submit("team-y", blocking("y"));
        await().atMost(WAIT).until(() -> started.contains("y"));
        schedule.submit("team-x", blocking("x"));
        schedule.submit("team-w", blocking("w"));

        assertThat(schedule.slowest(3)).containsExactly("team-z", "team-y", "team-w");
    }

    @Test
    void forgetsALaneOnceItsBatchesAreDone() {
        schedule = new FairRefreshSchedule(1, BackgroundThreads.named("fair-test"));

        CompletableFuture<Void> done = schedule.submit("team-a", batch("a"));

        await().atMost(WAIT).until(done::isDone);
        await().atMost(WAIT).until(() -> schedule.slowest(3).isEmpty());
    }

    /** Whoever waits for an answer of a batch (a request sharing its search) gets a failure, not a wait for ever. */
    @Test
    void closingAbandonsEveryBatchNotDoneRunningOrQueuedAndEveryOneSubmittedLater() {
        schedule = new FairRefreshSchedule(1, BackgroundThreads.named("fair-test"));
        List<CompletableFuture<Void>> done = schedule.submitRoundRobin(Map.of("team-a", List.of(blocking("a-1"), batch("a-2"))));
        await().atMost(WAIT).until(() -> started.contains("a-1"));
        CompletableFuture<Void> queued = schedule.submit("team-b", batch("b-1"));

        schedule.close();

        assertThat(done).allMatch(CompletableFuture::isDone);
        assertThat(queued).isDone();
        assertThat(abandoned).containsExactlyInAnyOrder("a-1", "a-2", "b-1");
        assertThat(schedule.submit("team-c", batch("c-1"))).isDone();
        assertThat(abandoned).contains("c-1");
        assertThat(started).containsExactly("a-1");
    }

    @Test
    void aBatchThatThrowsIsAbandonedAndItsLaneGoesOn() {
        schedule = new FairRefreshSchedule(1, BackgroundThreads.named("fair-test"));
        FairRefreshSchedule.Batch failing = new FairRefreshSchedule.Batch() {
            @Override
            public void run() {
                throw new IllegalStateException("a bug");
            }

            @Override
            public void abandon(String why) {
                abandoned.add("failing " + why);
            }
        };

        List<CompletableFuture<Void>> done = schedule.submitRoundRobin(Map.of("team-a", List.of(failing, batch("a-2"))));

        await().atMost(WAIT).until(() -> done.stream().allMatch(CompletableFuture::isDone));
        assertThat(started).containsExactly("a-2");
        assertThat(abandoned).singleElement().asString().startsWith("failing failed: ").contains("a bug");
    }

    private static MetricQuery query(String namespace, String metric, String selector) {
        return new MetricQuery(namespace, metric,
                selector.isEmpty() ? LabelSelector.everything() : LabelSelector.parse(selector));
    }

    private FairRefreshSchedule.Batch batch(String name) {
        return new Recorded(name, () -> { });
    }

    private FairRefreshSchedule.Batch blocking(String name) {
        return new Recorded(name, this::awaitGate);
    }

    private FairRefreshSchedule.Batch counted(String name, AtomicInteger atOnce, AtomicInteger most) {
        return new Recorded(name, () -> {
            most.accumulateAndGet(atOnce.incrementAndGet(), Math::max);
            try {
                awaitGate();
            } finally {
                atOnce.decrementAndGet();
            }
        });
    }

    private void awaitGate() {
        try {
            gate.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Recorded implements FairRefreshSchedule.Batch {
        private final String name;
        private final Runnable work;

        Recorded(String name, Runnable work) {
            this.name = name;
            this.work = work;
        }

        @Override
        public void run() {
            started.add(name);
            work.run();
        }

        @Override
        public void abandon(String why) {
            abandoned.add(name);
        }
    }
}
