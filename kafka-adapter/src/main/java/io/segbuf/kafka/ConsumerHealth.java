package io.segbuf.kafka;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A {@link SpanConsumer}'s signs of life, for liveness and readiness checks: times are from the consumer's clock.
 *
 * @param assignedPartitions partitions owned now
 * @param lastPoll when the loop's last poll returned; null before the first
 * @param oldestFlusherBeat the oldest of the flusher threads' last rounds; null when none has run a round
 */
public record ConsumerHealth(int assignedPartitions, @Nullable Instant lastPoll, @Nullable Instant oldestFlusherBeat) {}
