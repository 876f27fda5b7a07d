package io.segbuf.kafka;

import io.segbuf.ServerExtension;

/**
 * A KRaft broker for one test class: {@code @RegisterExtension static final KafkaExtension broker = new
 * KafkaExtension();}, then {@code broker.get().bootstrapServers()}. Shipped in kafka-adapter's test-jar.
 */
public final class KafkaExtension extends ServerExtension<KafkaBroker> {
  public KafkaExtension() {
    super(KafkaBroker::start);
  }
}
