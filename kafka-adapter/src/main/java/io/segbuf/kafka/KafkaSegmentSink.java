package io.segbuf.kafka;

import io.segbuf.Message;
import io.segbuf.SpanBufferConfig;
import io.segbuf.kafka.internal.RecordSize;
import io.segbuf.spi.FatalSinkException;
import io.segbuf.spi.RejectedMessageException;
import io.segbuf.spi.SegmentSink;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnsupportedForMessageFormatException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The {@link SegmentSink} that produces {@code buffered-segments}: one record per {@link Message}, its value the
 * message's bytes as they are.
 *
 * <ul>
 *   <li>Key: {@code <project_id>:<trace_id>:<segment_id>} (ASCII), so every chunk and generation of a segment goes
 *       to one partition; the idempotent producer ({@code acks=all}) keeps them in send order, which is chunk
 *       order.
 *   <li>Headers (ASCII): {@value #SEGMENT_ID}, {@value #CHUNK_INDEX}, {@value #CHUNK_COUNT}, {@value #GENERATION}
 *       (decimal), {@value #FLUSH_ID}, {@value #SKIP_ENRICHMENT} ({@code true} or {@code false}).
 *   <li>Size: each record's size bound (value, key, headers and record overhead) is checked against the
 *       producer's {@code max.request.size} before sending; a record that cannot fit, or that the broker refuses
 *       as too large, fails with {@link RejectedMessageException} and is never retried as is. Every other
 *       failure is retriable, but for the ones no retry can cure (authentication, authorization, an invalid topic or
 *       configuration), which fail with {@link FatalSinkException}.
 * </ul>
 *
 * <p>Build the buffer's config with {@link #maxMessageBytes()} as its {@code maxMessageBytes}, so that the chunker
 * never makes a message that cannot be produced. Thread-safe; the sink owns its producer and closes it.
 */
public final class KafkaSegmentSink implements SegmentSink, AutoCloseable {
  /** The header holding the segment id (16 hex digits). */
  public static final String SEGMENT_ID = "segment_id";
  /** The header holding the chunk's index within its segment generation, from 0. */
  public static final String CHUNK_INDEX = "chunk_index";
  /** The header holding the number of chunks of the segment generation. */
  public static final String CHUNK_COUNT = "chunk_count";
  /** The header holding the segment's generation: 0 for the first flush, then one more per continuation. */
  public static final String GENERATION = "generation";
  /** The header holding the message's flush id (32 hex digits): the same when it is sent again, for deduplication. */
  public static final String FLUSH_ID = "flush_id";
  /** The header holding {@code true} or {@code false}: the message's {@code skip_enrichment}. */
  public static final String SKIP_ENRICHMENT = "skip_enrichment";

  /** The longest key: a 19-digit project id, 32 + 16 hex digits and two colons. */
  static final int MAX_KEY_BYTES = 19 + 1 + 32 + 1 + 16;
  /** The largest headers: ten-digit numbers, 16 and 32 hex digits, {@code false}. */
  static final int MAX_HEADERS_BYTES = RecordSize.headersSize(new Header[] {
    header(SEGMENT_ID, "0123456789abcdef"),
    header(CHUNK_INDEX, "2147483647"),
    header(CHUNK_COUNT, "2147483647"),
    header(GENERATION, "2147483647"),
    header(FLUSH_ID, "0123456789abcdef0123456789abcdef"),
    header(SKIP_ENRICHMENT, "false"),
  });

  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private final Producer<byte[], byte[]> producer;
  private final String topic;
  private final int maxRequestSize;

  KafkaSegmentSink(Producer<byte[], byte[]> producer, String topic, int maxRequestSize) {
    this.producer = producer;
    this.topic = topic;
    this.maxRequestSize = maxRequestSize;
  }

  /**
   * Creates a sink with its own idempotent producer.
   *
   * @param options where to produce and the producer's properties
   * @return the sink, to close after the buffer that sends through it
   */
  public static KafkaSegmentSink create(KafkaSinkOptions options) {
    KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(options.producerConfig(), new ByteArraySerializer(), new ByteArraySerializer());
    return new KafkaSegmentSink(producer, options.topic(), options.maxRequestSize());
  }

  /**
   * The largest message value whose record fits {@code maxRequestSize} whatever its key and headers: the message
   * budget ({@code maxMessageBytes}) for a buffer that produces through a sink with this limit.
   *
   * @param maxRequestSize the producer's {@code max.request.size} in bytes
   * @return the largest message value in bytes
   */
  public static int maxMessageBytes(int maxRequestSize) {
    return RecordSize.largestValue(maxRequestSize, MAX_KEY_BYTES, MAX_HEADERS_BYTES);
  }

  /** The smallest {@code max.request.size} that leaves room for the smallest message budget. */
  static int minRequestSize() {
    return RecordSize.upperBound(MAX_KEY_BYTES, SpanBufferConfig.MIN_MESSAGE_BYTES, MAX_HEADERS_BYTES);
  }

  /**
   * {@return this sink's message budget in bytes: {@link #maxMessageBytes(int)} of its producer's {@code
   * max.request.size}}
   */
  public int maxMessageBytes() {
    return maxMessageBytes(maxRequestSize);
  }

  /** {@return the topic this sink produces to} */
  public String topic() {
    return topic;
  }

  @Override
  public CompletionStage<?> send(Message message) {
    byte[] key = key(message);
    Header[] headers = headers(message);
    int size = RecordSize.upperBound(key.length, message.value().length, headers);
    if (size > maxRequestSize) {
      return CompletableFuture.failedFuture(new RejectedMessageException(String.format(
          "record of %,d bytes (message of %,d bytes with key and headers) exceeds max.request.size=%,d",
          size, message.value().length, maxRequestSize)));
    }
    CompletableFuture<Void> acked = new CompletableFuture<>();
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(topic, null, key, message.value(), java.util.Arrays.asList(headers));
    try {
      producer.send(record, (metadata, error) -> {
        if (error == null) {
          acked.complete(null);
        } else if (error instanceof RecordTooLargeException) {
          acked.completeExceptionally(new RejectedMessageException(String.format(
              "record of %,d bytes refused as too large by %s: %s", size, topic, error.getMessage()), error));
        } else {
          acked.completeExceptionally(classified(error));
        }
      });
    } catch (RuntimeException e) {
      acked.completeExceptionally(classified(e));
    }
    return acked;
  }

  /**
   * A {@link FatalSinkException} for the errors no retry can cure (credentials, authorization, an invalid topic or
   * configuration, a broker too old, another producer fenced this one); every other error as it is, retriable.
   * {@link RecordTooLargeException} is neither: it refuses one record ({@link RejectedMessageException}).
   */
  private Throwable classified(Throwable error) {
    boolean fatal = error instanceof AuthenticationException
        || error instanceof AuthorizationException
        || error instanceof InvalidTopicException
        || error instanceof InvalidConfigurationException
        || error instanceof UnsupportedVersionException
        || error instanceof UnsupportedForMessageFormatException
        || error instanceof ProducerFencedException;
    return fatal
        ? new FatalSinkException("the producer cannot write to " + topic + ": " + error.getClass().getSimpleName()
            + ": " + error.getMessage(), error)
        : error;
  }

  /**
   * The record key of a message.
   *
   * @param message the message to be produced
   * @return {@code <project_id>:<trace_id>:<segment_id>} in ASCII, a new array
   */
  public static byte[] key(Message message) {
    return message.segment().toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static Header[] headers(Message m) {
    return new Header[] {
      header(SEGMENT_ID, m.segment().segmentIdHex()),
      header(CHUNK_INDEX, Integer.toString(m.chunkIndex())),
      header(CHUNK_COUNT, Integer.toString(m.chunkCount())),
      header(GENERATION, Integer.toString(m.generation())),
      header(FLUSH_ID, m.flushId()),
      header(SKIP_ENRICHMENT, Boolean.toString(m.skipEnrichment())),
    };
  }

  private static Header header(String name, String value) {
    return new RecordHeader(name, value.getBytes(StandardCharsets.US_ASCII));
  }

  /** Sends what is buffered, then closes the producer. */
  @Override
  public void close() {
    producer.close(CLOSE_TIMEOUT);
  }
}
