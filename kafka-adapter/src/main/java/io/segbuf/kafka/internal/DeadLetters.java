package io.segbuf.kafka.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies of input records for the dead-letter topic, the record's key and value as they were, with why in headers:
 * {@value #INVALID_REASON} and {@value #INVALID_DETAIL} for an invalid span, {@value #REFUSED_REASON} for a span the
 * store refuses, and {@value #SOURCE_PARTITION}, {@value #SOURCE_OFFSET}. Text from input or from an error has its
 * control characters escaped. Without a topic (or producer) it copies nothing. Used by the polling thread;
 * {@link #copied()} from any thread.
 */
public final class DeadLetters implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);
  public static final String INVALID_REASON = "invalid_reason";
  public static final String INVALID_DETAIL = "invalid_detail";
  public static final String REFUSED_REASON = "refused_reason";
  public static final String SOURCE_PARTITION = "source_partition";
  public static final String SOURCE_OFFSET = "source_offset";

  private final @Nullable Producer<byte[], byte[]> producer;
  private final @Nullable String topic;
  /** Copies of invalid spans sent and not yet acknowledged. */
  private final List<Future<RecordMetadata>> pending = new ArrayList<>();
  private final AtomicLong copied = new AtomicLong();

  public DeadLetters(@Nullable Producer<byte[], byte[]> producer, @Nullable String topic) {
    this.producer = producer;
    this.topic = topic;
  }

  public boolean enabled() {
    return producer != null && topic != null;
  }

  /** Sends a copy of an invalid span; {@link #awaitInvalid()} waits for it before the offsets are committed. */
  public void copyInvalid(TopicPartition tp, ConsumerRecord<byte[], byte[]> r, String reason, String detail) {
    Producer<byte[], byte[]> p = producer;
    String t = topic;
    if (p != null && t != null) {
      pending.add(p.send(copy(t, tp, r, INVALID_REASON, reason, Printable.escape(detail))));
    }
  }

  /** Waits for the copies of invalid spans; one that fails is logged, and the span stays counted as invalid. */
  public void awaitInvalid() {
    for (Future<RecordMetadata> ack : pending) {
      acknowledged(ack, "an invalid span could not be copied to {}; it is counted, not copied");
    }
    pending.clear();
  }

  /**
   * Copies a span the store refuses and waits for the acknowledgement.
   *
   * @return false when it could not be copied: the caller must read it again, never commit past it
   */
  public boolean copyRefused(TopicPartition tp, ConsumerRecord<byte[], byte[]> r, RuntimeException refusal) {
    Producer<byte[], byte[]> p = producer;
    String t = topic;
    if (p == null || t == null) {
      return false;
    }
    String reason = Printable.escape(refusal.toString());
    log.warn("{}: the store refuses the span at offset {} ({}); copying it to {}", tp, r.offset(), reason, t);
    return acknowledged(p.send(copy(t, tp, r, REFUSED_REASON, reason, null)),
        "a span the store refuses could not be copied to {}; it is read again");
  }

  /** Copies acknowledged so far. */
  public long copied() {
    return copied.get();
  }

  private boolean acknowledged(Future<RecordMetadata> ack, String failure) {
    try {
      ack.get();
      copied.incrementAndGet();
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException e) {
      log.error(failure, topic, e.getCause());
      return false;
    }
  }

  private static ProducerRecord<byte[], byte[]> copy(String topic, TopicPartition tp, ConsumerRecord<byte[], byte[]> r,
      String reasonHeader, String reason, @Nullable String detail) {
    ProducerRecord<byte[], byte[]> copy = new ProducerRecord<>(topic, null, r.key(), r.value());
    copy.headers().add(new RecordHeader(reasonHeader, reason.getBytes(StandardCharsets.UTF_8)));
    if (detail != null) {
      copy.headers().add(new RecordHeader(INVALID_DETAIL, detail.getBytes(StandardCharsets.UTF_8)));
    }
    copy.headers()
        .add(new RecordHeader(SOURCE_PARTITION, ascii(Integer.toString(tp.partition()))))
        .add(new RecordHeader(SOURCE_OFFSET, ascii(Long.toString(r.offset()))));
    return copy;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  @Override
  public void close() {
    if (producer != null) {
      producer.close();
    }
  }
}
