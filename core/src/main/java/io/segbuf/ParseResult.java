package io.segbuf;

/** The result of {@link Span#parse(byte[])}: a {@link Span}, or an {@link Outcome.Invalid} with its reason. */
public sealed interface ParseResult permits Span, Outcome.Invalid {}
