package io.segbuf;

/** The root of every exception segbuf throws. Unchecked: the hot path reports bad data as outcomes instead. */
public class SegbufException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * An exception with this message.
   *
   * @param message what failed, with the numbers
   */
  public SegbufException(String message) {
    super(message);
  }

  /**
   * An exception with this message and cause.
   *
   * @param message what failed, with the numbers
   * @param cause the failure underneath
   */
  public SegbufException(String message, Throwable cause) {
    super(message, cause);
  }
}
