package io.segbuf;

/** The root of every exception segbuf throws. Unchecked: the hot path reports bad data as outcomes instead. */
public class SegbufException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SegbufException(String message) {
    super(message);
  }

  public SegbufException(String message, Throwable cause) {
    super(message, cause);
  }
}
