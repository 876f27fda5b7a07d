package io.segbuf.spi;

import io.segbuf.SegbufException;

/**
 * A store refused a change for a reason of its own, not of the spans it was given: it cannot be reached or did not
 * answer in time, it is out of memory, or this process no longer owns the shard. Nothing of the change may be
 * acknowledged, and the same spans may be taken later. A consumer reads them again; it never treats them as spans the
 * store cannot take (a dead-letter copy of them would be committed and never flushed).
 */
public class StoreUnavailableException extends SegbufException {
  private static final long serialVersionUID = 1L;

  /**
   * A refusal by the store itself.
   *
   * @param message what the store could not do, and why
   */
  public StoreUnavailableException(String message) {
    super(message);
  }

  /**
   * A refusal by the store itself.
   *
   * @param message what the store could not do, and why
   * @param cause the failure underneath
   */
  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
