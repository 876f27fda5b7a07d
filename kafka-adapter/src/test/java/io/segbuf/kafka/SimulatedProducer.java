package io.segbuf.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * One process's producer to {@code buffered-segments}, whose every send has a fate drawn by the simulation: written
 * and acknowledged; failed (retriable, thrown at once, or fatal); timed out after the broker wrote it; or left
 * pending (the flush waits a nanosecond and retries) until the simulation settles it, written or not. What is written
 * goes to {@code output}, the simulated topic, whatever happens to the process afterwards.
 */
final class SimulatedProducer extends MockProducer<byte[], byte[]> {
  /** What happens to one send. */
  enum Fate { ACK, FAIL, THROW, FATAL, WRITTEN_BUT_TIMED_OUT, PENDING }

  /** Chooses each send's fate. */
  interface Faults {
    Fate next();
  }

  private record Pending(ProducerRecord<byte[], byte[]> record, Callback callback) {}

  private final Faults faults;
  private final Consumer<ProducerRecord<byte[], byte[]>> output;
  private final List<Pending> pending = new ArrayList<>();

  SimulatedProducer(Faults faults, Consumer<ProducerRecord<byte[], byte[]>> output) {
    super(false, null, new ByteArraySerializer(), new ByteArraySerializer());
    this.faults = faults;
    this.output = output;
  }

  @Override
  public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
    switch (faults.next()) {
      case ACK -> {
        output.accept(record);
        callback.onCompletion(metadata(record), null);
      }
      case FAIL -> callback.onCompletion(null, new NetworkException("simulated: connection to the leader lost"));
      case THROW -> throw new KafkaException("simulated: the producer's buffer is exhausted");
      case FATAL -> callback.onCompletion(null, new TopicAuthorizationException("simulated: not authorized"));
      case WRITTEN_BUT_TIMED_OUT -> {
        output.accept(record);
        callback.onCompletion(null, new TimeoutException("simulated: written, acknowledgement lost"));
      }
      case PENDING -> pending.add(new Pending(record, callback));
    }
    return new CompletableFuture<>(); // the sink listens to the callback only
  }

  /** Settles every pending send: written and acknowledged, or failed, as {@code written} draws. */
  void settle(Random written) {
    List<Pending> now = new ArrayList<>(pending);
    pending.clear();
    for (Pending p : now) {
      if (written.nextBoolean()) {
        output.accept(p.record);
        p.callback.onCompletion(metadata(p.record), null);
      } else {
        p.callback.onCompletion(null, new TimeoutException("simulated: expired in the accumulator"));
      }
    }
  }

  private static RecordMetadata metadata(ProducerRecord<byte[], byte[]> record) {
    return new RecordMetadata(new TopicPartition(record.topic(), 0), 0, 0, 0, 0, 0);
  }

  @Override
  public synchronized void close(Duration timeout) {}
}
