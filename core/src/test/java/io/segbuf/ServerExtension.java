package io.segbuf;

import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit extension that starts a test server once per test class and closes it after the class: register it in a
 * {@code @RegisterExtension static final} field and call {@link #get()} from the tests. A server that cannot start
 * throws from {@code beforeAll}, which fails the class; it never skips. The servers' own extensions (in the test-jars
 * that ship {@code RedisServers} and {@code KafkaBroker}) extend this one.
 */
public class ServerExtension<T extends AutoCloseable> implements BeforeAllCallback, AfterAllCallback {
  private final Supplier<T> start;
  private @Nullable T server;

  protected ServerExtension(Supplier<T> start) {
    this.start = start;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    server = start.get();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    T started = server;
    server = null;
    if (started != null) {
      started.close();
    }
  }

  /** The running server; only between the class's {@code beforeAll} and {@code afterAll}. */
  public T get() {
    T started = server;
    if (started == null) {
      throw new IllegalStateException("the test server runs only while its test class does");
    }
    return started;
  }
}
