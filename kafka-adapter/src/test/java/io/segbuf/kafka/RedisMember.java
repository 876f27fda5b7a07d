package io.segbuf.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.segbuf.SpanBuffer;
import io.segbuf.SpanBufferConfig;
import io.segbuf.redis.RedisSegmentStore;
import io.segbuf.redis.RedisStoreOptions;
import io.segbuf.spi.SegmentStore;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * A consumer of a group on its own connection to a Redis shared with the group's other members, leaving revoked
 * partitions to their next owner (no drain), started at creation.
 */
final class RedisMember implements AutoCloseable {
  final SegmentStore store;
  final KafkaSegmentSink sink;
  final SpanBuffer buffer;
  final SpanConsumer consumer;

  RedisMember(String name, KafkaBroker broker, String redisUri, String keyPrefix, String in, String out,
      String group, Clock clock) {
    store = RedisSegmentStore.connect(RedisStoreOptions.builder().uri(redisUri).keyPrefix(keyPrefix).build());
    sink = KafkaSegmentSink.create(
        KafkaSinkOptions.builder().bootstrapServers(broker.bootstrapServers()).topic(out).build());
    buffer = SpanBuffer.create(SpanBufferConfig.builder().maxMessageBytes(sink.maxMessageBytes()).build(), store, sink);
    consumer = SpanConsumer.create(SpanConsumerOptions.builder().bootstrapServers(broker.bootstrapServers()).topic(in)
        .groupId(group).clock(clock).drainOnRevoke(false).build(), buffer);
    consumer.start(name);
  }

  @Override
  public void close() throws Exception {
    consumer.close();
    assertThat(consumer.awaitStopped(60, TimeUnit.SECONDS)).isTrue();
    sink.close();
    store.close();
  }
}
