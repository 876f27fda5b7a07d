package io.segbuf.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.SpanBuffer;
import io.segbuf.SpanBufferConfig;
import io.segbuf.kafka.OutputRecords.Out;
import io.segbuf.spi.SegmentStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The broker restarted under a running service: a {@link SpanConsumer} and a {@link KafkaSegmentSink} keep running
 * while the broker is stopped as segments come due (sends fail, commits fail) and starts again on the same port
 * and log directories. Every span comes out, exactly once after dedupe by flush id, and a repeated flush id repeats
 * the same bytes.
 */
class BrokerRestartIT {
  @RegisterExtension static final KafkaExtension broker = new KafkaExtension();

  private static final Instant T0 = Instant.ofEpochSecond(1_700_000_000);
  private static final Duration WAIT = Duration.ofSeconds(90);

  private final TestClock clock = new TestClock(T0);
  private final String in = KafkaBroker.uniqueTopic("ingest-spans");
  private final String out = KafkaBroker.uniqueTopic("buffered-segments");

  @Test
  void brokerRestartedWhileSegmentsFlushLosesNothingAndRetriesWithTheSameFlushIds() throws Exception {
    broker.get().createTopic(in, 2, Map.of());
    broker.get().createTopic(out, 2, Map.of());
    String bootstrap = broker.get().bootstrapServers();
    // short timeouts, so that sends and commits fail during the outage instead of waiting it out
    KafkaSegmentSink sink = KafkaSegmentSink.create(KafkaSinkOptions.builder().bootstrapServers(bootstrap).topic(out)
        .producerProperty("delivery.timeout.ms", "3000").producerProperty("request.timeout.ms", "1000")
        .producerProperty("max.block.ms", "3000")
        .build());
    SegmentStore store = SegmentStore.inMemory();
    SpanBuffer buffer = SpanBuffer.create(
        SpanBufferConfig.builder().maxMessageBytes(sink.maxMessageBytes()).build(), store, sink);
    SpanConsumer consumer = SpanConsumer.create(SpanConsumerOptions.builder().bootstrapServers(bootstrap).topic(in)
        .groupId("segbuf-" + in).clock(clock).consumerProperty("default.api.timeout.ms", "5000").build(), buffer);
    consumer.start("restart-consumer");
    try (KafkaProducer<byte[], byte[]> input = broker.get().producer()) {
      // a first flush, so that the sink's producer knows the output topic before the broker goes away
      Set<String> spans = InputTraces.produce(input, in, 5, 2, 10, T0);
      Await.until("the first traces polled", WAIT, () -> consumer.stats().polledRecords() >= spans.size());
      clock.advance(Duration.ofHours(1));
      broker.get().readUntil(out, r -> OutputRecords.distinctSpans(r) >= spans.size(), WAIT);

      Set<String> flushing = InputTraces.produce(input, in, 60, 10, 400, T0.plus(Duration.ofHours(2)));
      spans.addAll(flushing);
      Await.until("the traces polled", WAIT, () -> consumer.stats().polledRecords() >= spans.size());
      broker.get().stop();
      clock.advance(Duration.ofHours(2)); // every segment due while the broker is away: their sends fail
      Await.until("sends failing", WAIT, () -> buffer.stats().sendFailures() > 0, () -> buffer.stats().toString());

      broker.get().startAgain();
      // input goes on after the restart (a producer blocks in send while the broker is away)
      Set<String> late = InputTraces.produce(input, in, 20, 5, 400, T0.plus(Duration.ofHours(4)));
      spans.addAll(late);
      Await.until("the late traces polled", WAIT,
          () -> consumer.stats().polledRecords() >= spans.size(), () -> consumer.stats().toString());
      clock.advance(Duration.ofHours(2));

      List<ConsumerRecord<byte[], byte[]>> records =
          broker.get().readUntil(out, r -> OutputRecords.distinctSpans(r) >= spans.size(), WAIT);
      List<Out> decoded = OutputRecords.decode(records);
      OutputRecords.assertExactlyOnce(decoded, spans);
      OutputRecords.assertSameBytesPerFlushId(records);
      assertThat(buffer.stats().rejectedSpans()).as("nothing refused for good").isZero();
      Await.until("the store empty", WAIT, () -> buffer.usage().spans() == 0, () -> buffer.usage().toString());
    } finally {
      consumer.close();
      assertThat(consumer.awaitStopped(60, TimeUnit.SECONDS)).isTrue();
      sink.close();
      store.close();
    }
  }
}
