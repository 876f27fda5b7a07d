package io.segbuf.kafka;

import static io.segbuf.TestSpans.span;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.segbuf.spi.SegmentStore;
import io.segbuf.spi.SegmentStoreContract;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The metered store keeps the whole store contract, and times each call by operation. */
class MeteredSegmentStoreTest extends SegmentStoreContract {
  private final MockClock clock = new MockClock();
  private final MeterRegistry registry = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);

  @Override
  protected SegmentStore newStore() {
    return new MeteredSegmentStore(slow(SegmentStore.inMemory()), registry, Tags.of("store", "memory"));
  }

  /** {@code store}, where every call takes 3 ms of the mock clock. */
  private SegmentStore slow(SegmentStore store) {
    InvocationHandler slowly = (proxy, method, args) -> {
      clock.add(Duration.ofMillis(3));
      try {
        return method.invoke(store, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    };
    return (SegmentStore) Proxy.newProxyInstance(SegmentStore.class.getClassLoader(),
        new Class<?>[] {SegmentStore.class}, slowly);
  }

  @Test
  void everyCallIsTimedByOperation() {
    add(T0, span(1), span(2).parent(1));
    add(T0, span(3).parent(1));
    flushAll();
    for (String operation : new String[] {"add", "due", "seal", "read", "complete"}) {
      var timer = registry.get("segbuf.store.latency").tags("operation", operation, "store", "memory").timer();
      long calls = operation.equals("add") ? 2 : 1;
      assertThat(timer.count()).as(operation).isEqualTo(calls);
      assertThat(timer.totalTime(TimeUnit.MILLISECONDS)).as(operation).isEqualTo(3.0 * calls);
    }
  }

  @Test
  void segmentsSealedTogetherAreOneTimedCallOfTheWrappedStore() {
    add(T0, span(1), span(2));

    assertThat(store.seal(List.of(key(1), key(2)), T0)).doesNotContainNull();

    var timer = registry.get("segbuf.store.latency").tags("operation", "seal", "store", "memory").timer();
    assertThat(timer.count()).isOne();
    assertThat(timer.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(3.0);
  }

  @Test
  void everythingButTheTimedCallsIsTheWrappedStores() {
    List<String> calls = new ArrayList<>();
    InvocationHandler durable = (proxy, method, args) -> {
      calls.add(method.getName() + (args == null ? "" : " " + args[0]));
      return switch (method.getName()) {
        case "durable" -> true;
        case "shards" -> Set.of(4);
        default -> null;
      };
    };
    SegmentStore wrapped = (SegmentStore) Proxy.newProxyInstance(SegmentStore.class.getClassLoader(),
        new Class<?>[] {SegmentStore.class}, durable);
    SegmentStore store = new MeteredSegmentStore(wrapped, registry, Tags.empty());

    assertThat(store.durable()).isTrue();
    assertThat(store.shards()).containsExactly(4);
    store.acquire(4);
    store.release(5);
    store.check();
    store.close();

    assertThat(calls).containsExactly("durable", "shards", "acquire 4", "release 5", "check", "close");
  }

  @Test
  void aStoreThatIsNotDurableIsNotMadeSo() {
    assertThat(new MeteredSegmentStore(SegmentStore.inMemory(), registry, Tags.empty()).durable()).isFalse();
  }
}
