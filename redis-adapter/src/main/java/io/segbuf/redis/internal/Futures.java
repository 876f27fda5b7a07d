package io.segbuf.redis.internal;

import io.segbuf.SegbufException;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Awaits Lettuce futures with the command timeout and turns failures into {@link SegbufException}. */
public final class Futures {
  private Futures() {}

  public static <T> T await(CompletionStage<T> future, Duration timeout, String what) {
    try {
      return future.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SegbufException("interrupted while waiting for Redis: " + what, e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw failure(what, cause);
    } catch (TimeoutException e) {
      throw new SegbufException("Redis did not answer " + what + " within " + timeout, e);
    }
  }

  /** The cause unwrapped, when it is one (NOSCRIPT handling needs to see it). */
  public static Throwable cause(Throwable t) {
    Throwable c = t;
    while ((c instanceof ExecutionException || c instanceof java.util.concurrent.CompletionException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }

  public static SegbufException failure(String what, Throwable e) {
    if (e instanceof SegbufException) {
      return (SegbufException) e;
    }
    Throwable c = cause(e);
    return new SegbufException("Redis failed " + what + ": " + c, c);
  }
}
