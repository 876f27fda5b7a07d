package io.segbuf.kafka;

import io.segbuf.TestSpans;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Test traces written to an {@code ingest-spans} topic: each trace a root and children (half of them chained),
 * keyed by trace id, with fresh ids in every call. Shipped in kafka-adapter's test-jar for the cli's integration
 * tests.
 */
public final class InputTraces {
  private static final AtomicLong NEXT_ID = new AtomicLong(1);

  private InputTraces() {}

  /**
   * Writes {@code traces} traces of a root and {@code children} children of {@code padding} bytes to {@code topic},
   * with event times from {@code start} (one millisecond apart), children before their root in half the traces;
   * waits for every acknowledgement.
   *
   * @return the span ids written (16 hex digits)
   */
  public static Set<String> produce(Producer<byte[], byte[]> producer, String topic, int traces, int children,
      int padding, Instant start) {
    Set<String> spanIds = new HashSet<>();
    List<Future<?>> acks = new ArrayList<>();
    for (ProducerRecord<byte[], byte[]> r : records(topic, traces, children, padding, start, spanIds)) {
      acks.add(producer.send(r));
    }
    for (Future<?> ack : acks) {
      try {
        ack.get();
      } catch (Exception e) {
        throw new AssertionError("could not produce the test spans", e);
      }
    }
    return spanIds;
  }

  /** The records {@link #produce} writes, without sending them; their span ids go into {@code spanIds}. */
  public static List<ProducerRecord<byte[], byte[]>> records(String topic, int traces, int children, int padding,
      Instant start, Set<String> spanIds) {
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    long time = start.toEpochMilli();
    for (int t = 0; t < traces; t++) {
      String trace = String.format("%032x", NEXT_ID.getAndIncrement());
      long root = NEXT_ID.getAndIncrement();
      List<TestSpans> spans = new ArrayList<>();
      spans.add(TestSpans.span(root).trace(trace).padding(padding));
      spanIds.add(String.format("%016x", root));
      long previous = root;
      for (int c = 0; c < children; c++) {
        long id = NEXT_ID.getAndIncrement();
        spans.add(TestSpans.span(id).parent(c % 2 == 0 ? root : previous).trace(trace).padding(padding));
        spanIds.add(String.format("%016x", id));
        previous = id;
      }
      if (t % 2 == 1) {
        spans.add(spans.remove(0));
      }
      for (TestSpans s : spans) {
        records.add(new ProducerRecord<>(topic, null, time++, trace.getBytes(StandardCharsets.US_ASCII),
            s.bytes()));
      }
    }
    return records;
  }
}
