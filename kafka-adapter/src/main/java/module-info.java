/**
 * segbuf's Kafka adapter: the {@code ingest-spans} consumer loop ({@link io.segbuf.kafka.SpanConsumer}), the
 * {@code buffered-segments} producer sink ({@link io.segbuf.kafka.KafkaSegmentSink}) and the Micrometer binders.
 * Kafka's types stay out of its API; Micrometer's are in it (a {@code MeterRegistry} to bind to).
 */
// Kafka clients and Micrometer ship no module descriptor: they are automatic modules.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module io.segbuf.kafka {
  requires transitive io.segbuf.core;
  requires transitive micrometer.core;
  requires kafka.clients;
  requires org.slf4j;
  requires static transitive org.jspecify;

  exports io.segbuf.kafka;
}
