package io.segbuf.spi;

import io.segbuf.SegbufException;
import io.segbuf.SpanBuffer;

/**
 * A sink can send nothing any more until an operator acts (credentials refused, no authorization, an invalid
 * topic or configuration). {@link SpanBuffer#flush} and {@link SpanBuffer#drain} throw it once the messages in
 * flight are settled; the segments it hit stay sealed, so nothing unsent is deleted. A service should stop.
 */
public final class FatalSinkException extends SegbufException {
  private static final long serialVersionUID = 1L;

  /**
   * A fatal sink failure.
   *
   * @param message what the sink cannot do any more
   * @param cause the client's error
   */
  public FatalSinkException(String message, Throwable cause) {
    super(message, cause);
  }
}
