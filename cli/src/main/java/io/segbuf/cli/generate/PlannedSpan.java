package io.segbuf.cli.generate;

/**
 * One span of a planned trace: everything fixed before emission. Its JSON is rendered only when it
 * is emitted, because {@code received} is assigned then; {@code renderSeed} makes the rendering
 * deterministic. Immutable.
 */
record PlannedSpan(
    long traceIdHigh,
    long traceIdLow,
    long spanId,
    long parentSpanId,
    boolean hasParent,
    boolean segment,
    int projectId,
    long startMicros,
    long endMicros,
    SpanKind kind,
    int targetBytes,
    long renderSeed) {}
