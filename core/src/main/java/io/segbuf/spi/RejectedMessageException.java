package io.segbuf.spi;

import io.segbuf.SegbufException;

/** A sink refuses a message for good (for example, too large for the broker): it must not be sent again as is. */
public final class RejectedMessageException extends SegbufException {
  private static final long serialVersionUID = 1L;

  /**
   * A refusal.
   *
   * @param message why the sink refuses the message
   */
  public RejectedMessageException(String message) {
    super(message);
  }

  /**
   * A refusal with the client's error.
   *
   * @param message why the sink refuses the message
   * @param cause the client's error
   */
  public RejectedMessageException(String message, Throwable cause) {
    super(message, cause);
  }
}
