package io.segbuf;

/** Why a span was refused at parse time. Each {@link Outcome.Invalid} carries one, with a detail message. */
public enum InvalidReason {
  /** The bytes are not one well-formed JSON value (syntax error, invalid UTF-8, nesting too deep, …). */
  MALFORMED_JSON,
  /** The JSON value is not an object. */
  NOT_AN_OBJECT,
  /** Something follows the span's object. */
  TRAILING_DATA,
  /** A field the buffer reads appears twice. */
  DUPLICATE_FIELD,
  /** {@code trace_id} is missing or not 32 lowercase hex digits. */
  TRACE_ID,
  /** {@code span_id} is missing or not 16 lowercase hex digits. */
  SPAN_ID,
  /** {@code parent_span_id} is not null and not 16 lowercase hex digits. */
  PARENT_SPAN_ID,
  /** {@code project_id} is missing or not a positive integer that fits 63 bits. */
  PROJECT_ID,
  /** {@code end_timestamp} is missing or not a finite number. */
  END_TIMESTAMP,
  /** {@code received} is not a finite number. */
  RECEIVED,
  /** {@code is_segment} is not a boolean. */
  IS_SEGMENT,
  /** {@code attributes} is not an object. */
  ATTRIBUTES,
  /** {@code attributes["sentry.segment.id"]} is not {@code {"type":"string","value":"<16 hex>"}}. */
  SEGMENT_ID
}
