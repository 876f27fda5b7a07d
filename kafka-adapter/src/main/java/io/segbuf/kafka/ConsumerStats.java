package io.segbuf.kafka;

/**
 * A snapshot of a {@link SpanConsumer}'s counters (since it was created) and gauges.
 *
 * @param polledRecords records polled from the input topic and offered to the buffer (counted once offered)
 * @param commits offset commits that succeeded
 * @param storeFailures batches the store did not take; their records were read again
 * @param skippedRecords records Kafka deleted (retention) or truncated before this consumer read them; each
 *     skip is also logged as an error
 * @param flushCycles flush cycles over the owned partitions
 * @param rejectedMessages messages the sink refused for good
 * @param rejectedSpans spans in them
 * @param deadLettered invalid spans copied to the dead-letter topic
 * @param pauses times the input was paused for backpressure
 * @param resumes times it was resumed
 * @param paused whether the input is paused now
 * @param lostPartitions partitions taken away without a revoke (the consumer was out of its group), so that
 *     another consumer may have owned them already
 * @param assignedPartitions partitions owned now
 * @param lag records behind the end of the owned partitions, as of the last poll
 */
public record ConsumerStats(
    long polledRecords,
    long commits,
    long storeFailures,
    long skippedRecords,
    long flushCycles,
    long rejectedMessages,
    long rejectedSpans,
    long deadLettered,
    long pauses,
    long resumes,
    boolean paused,
    long lostPartitions,
    int assignedPartitions,
    long lag) {}
