package io.segbuf.cli.run;

import io.segbuf.Message;
import io.segbuf.SpanBuffer;
import io.segbuf.SpanBufferConfig;
import io.segbuf.cli.StoreUri;
import io.segbuf.kafka.KafkaSegmentSink;
import io.segbuf.kafka.KafkaSinkOptions;
import io.segbuf.kafka.SpanConsumer;
import io.segbuf.kafka.SpanConsumerOptions;
import io.segbuf.spi.SegmentSink;
import io.segbuf.spi.SegmentStore;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code segbuf run}'s service (the real {@link SpanConsumer}, store and {@link KafkaSegmentSink}, wired as
 * {@code RunCommand} wires them for a shared store) that ends its process with {@code Runtime.halt(137)}, as a
 * SIGKILL would, at the {@code n}th occurrence of one step of a flush:
 *
 * <ul>
 *   <li>{@code add}: the store acknowledged a batch, the consumer has not committed its offsets;
 *   <li>{@code seal}: a generation is sealed, nothing of it sent;
 *   <li>{@code send}: Kafka acknowledged a message, the buffer has not seen the acknowledgement;
 *   <li>{@code complete}: every message of a generation is acknowledged, the store not yet told.
 * </ul>
 *
 * <p>Run as a child process by {@link RunHaltedAtEachStepJarIT}: {@code HaltingRun <bootstrap> <input topic> <output
 * topic> <group> <store uri> <step> <n>}.
 */
public final class HaltingRun {
  /** The status of a process killed by SIGKILL. */
  static final int KILLED = 137;

  /** Where a flush can be cut. */
  enum Step {
    ADD, SEAL, SEND, COMPLETE
  }

  private final Step step;
  private final AtomicInteger left;

  private HaltingRun(Step step, int n) {
    this.step = step;
    this.left = new AtomicInteger(n);
  }

  /** Ends the process at the {@code n}th passage of {@code at} when it is this run's step. */
  private void passed(Step at) {
    if (at == step && left.decrementAndGet() == 0) {
      System.err.println("halting at " + at);
      System.err.flush();
      Runtime.getRuntime().halt(KILLED);
    }
  }

  public static void main(String[] args) {
    String bootstrap = args[0];
    HaltingRun halting = new HaltingRun(Step.valueOf(args[5].toUpperCase(Locale.ROOT)), Integer.parseInt(args[6]));
    SpanConsumerOptions consumerOptions = SpanConsumerOptions.builder().bootstrapServers(bootstrap).topic(args[1])
        .groupId(args[3]).drainOnRevoke(false)
        .consumerProperties(Map.of("session.timeout.ms", "6000", "heartbeat.interval.ms", "1000")).build();
    KafkaSinkOptions sinkOptions = KafkaSinkOptions.builder().bootstrapServers(bootstrap).topic(args[2]).build();
    SpanBufferConfig config = SpanBufferConfig.builder().rootTimeout(Duration.ofMillis(50))
        .maxMessageBytes(KafkaSegmentSink.maxMessageBytes(KafkaSinkOptions.DEFAULT_MAX_REQUEST_SIZE)).build();
    try (SegmentStore store = StoreUri.open(args[4]); KafkaSegmentSink kafka = KafkaSegmentSink.create(sinkOptions)) {
      SpanBuffer buffer = SpanBuffer.create(config, halting.halting(store), halting.new Sink(kafka));
      SpanConsumer.create(consumerOptions, buffer).run();
    }
  }

  /** The sink, halting once Kafka acknowledged the {@code n}th message, before the buffer sees it. */
  private final class Sink implements SegmentSink {
    private final SegmentSink sink;

    Sink(SegmentSink sink) {
      this.sink = sink;
    }

    @Override
    public CompletionStage<?> send(Message message) {
      return sink.send(message).thenApply(acknowledged -> {
        passed(Step.SEND);
        return acknowledged;
      });
    }
  }

  /**
   * The store, halting after the {@code n}th acknowledged add or seal (one that sealed something), or before the
   * {@code n}th complete; every other call goes to the store as it is.
   */
  private SegmentStore halting(SegmentStore store) {
    InvocationHandler handler = (proxy, method, args) -> {
      if (method.getName().equals("complete")) {
        passed(Step.COMPLETE);
      }
      Object result;
      try {
        result = method.invoke(store, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
      if (method.getName().equals("add")) {
        passed(Step.ADD);
      } else if (method.getName().equals("seal") && result != null) {
        passed(Step.SEAL);
      }
      return result;
    };
    return (SegmentStore) Proxy.newProxyInstance(SegmentStore.class.getClassLoader(),
        new Class<?>[] {SegmentStore.class}, handler);
  }
}
