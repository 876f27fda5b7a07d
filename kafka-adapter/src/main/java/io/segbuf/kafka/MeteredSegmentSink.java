package io.segbuf.kafka;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.segbuf.Message;
import io.segbuf.spi.SegmentSink;
import java.util.concurrent.CompletionStage;

/**
 * A {@link SegmentSink} that measures the messages it passes on (docs/design.md §6, message size distribution): a
 * distribution summary {@code segbuf.messages.size} of every message's value length, and a timer {@code
 * segbuf.sink.latency} from send to acknowledgement, tagged {@code outcome} = acknowledged or failed. Thread-safe
 * when the wrapped sink is.
 */
public final class MeteredSegmentSink implements SegmentSink {
  private final SegmentSink sink;
  private final Clock clock;
  private final DistributionSummary sizes;
  private final Timer acknowledged;
  private final Timer failed;

  /**
   * Wraps {@code sink} and registers its meters.
   *
   * @param sink the sink that sends the messages; still the caller's to close
   * @param registry where the meters are registered; its clock times the sends
   * @param tags added to every meter
   */
  public MeteredSegmentSink(SegmentSink sink, MeterRegistry registry, Iterable<Tag> tags) {
    this.sink = sink;
    this.clock = registry.config().clock();
    this.sizes = DistributionSummary.builder("segbuf.messages.size").description("bytes of one message's value")
        .baseUnit(BaseUnits.BYTES).tags(tags).publishPercentileHistogram().register(registry);
    this.acknowledged = latency(registry, tags, "acknowledged");
    this.failed = latency(registry, tags, "failed");
  }

  private static Timer latency(MeterRegistry registry, Iterable<Tag> tags, String outcome) {
    return Timer.builder("segbuf.sink.latency").description("time from send to the sink's answer")
        .tags(Tags.of(tags).and("outcome", outcome)).publishPercentileHistogram().register(registry);
  }

  @Override
  public CompletionStage<?> send(Message message) {
    sizes.record(message.value().length);
    Timer.Sample sample = Timer.start(clock);
    return sink.send(message).whenComplete((ack, error) -> sample.stop(error == null ? acknowledged : failed));
  }
}
