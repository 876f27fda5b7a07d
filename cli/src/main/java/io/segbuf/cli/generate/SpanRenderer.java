package io.segbuf.cli.generate;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Renders a {@link PlannedSpan} as one JSON object of exactly its target size where possible.
 *
 * <p>The fixed fields (ids, project, timestamps, {@code received}, {@code is_segment}, name, status
 * and {@code attributes["sentry.op"]}) always come first; they take roughly 300 to 400 bytes. Then
 * optional attributes (description, environment, release, ...) are added in order while they leave
 * room for the padding attribute {@code payload}, whose string value fills the span to its target
 * size exactly. When the target is less than a padding attribute above the fixed fields, the name is
 * stretched by the missing bytes instead. So a span is exactly its target size unless the target is
 * below its fixed fields, in which case it is the size of its fixed fields. Not thread-safe.
 */
final class SpanRenderer {

  private static final String PAD_OPEN = ",\"payload\":{\"type\":\"string\",\"value\":\"";
  private static final String PAD_CLOSE = "\"}";
  private static final int PAD_SKELETON = PAD_OPEN.length() + PAD_CLOSE.length();
  private static final String CLOSE = "}}";

  private final boolean unicode;
  private final Filler filler;
  private final JsonBuffer json = new JsonBuffer();

  SpanRenderer(boolean unicode) {
    this.unicode = unicode;
    this.filler = new Filler(unicode);
  }

  private record Attribute(String key, String type, String value, boolean quoted) {
    static Attribute string(String key, String value) {
      return new Attribute(key, "string", value, true);
    }
  }

  byte[] render(PlannedSpan span, long receivedMicros) {
    SplittableRandom random = new SplittableRandom(span.renderSeed());
    String name = span.kind().name(random, unicode);
    String status = status(random);
    List<Attribute> optional = optionalAttributes(span, name, status, random);
    int target = span.targetBytes();

    json.clear();
    writeFixed(span, receivedMicros, name, 0, status, random);
    int added = 0;
    for (Attribute attribute : optional) {
      int mark = json.length();
      write(attribute);
      if (json.length() + PAD_SKELETON + CLOSE.length() > target) {
        json.truncate(mark);
        break;
      }
      added++;
    }
    int remaining = target - json.length() - CLOSE.length();
    if (remaining >= PAD_SKELETON) {
      json.ascii(PAD_OPEN);
      filler.write(json, remaining - PAD_SKELETON, random);
      json.ascii(PAD_CLOSE);
    } else if (remaining > 0 && added == 0) {
      json.clear();
      writeFixed(span, receivedMicros, name, remaining, status, random);
    }
    json.ascii(CLOSE);
    return json.toByteArray();
  }

  private void writeFixed(
      PlannedSpan span,
      long receivedMicros,
      String name,
      int nameFillerBytes,
      String status,
      SplittableRandom random) {
    json.ascii("{\"trace_id\":");
    json.hexString(span.traceIdHigh(), span.traceIdLow());
    json.ascii(",\"span_id\":");
    json.hexString(span.spanId(), 16);
    if (span.hasParent()) {
      json.ascii(",\"parent_span_id\":");
      json.hexString(span.parentSpanId(), 16);
    }
    json.ascii(",\"project_id\":");
    json.number(span.projectId());
    json.ascii(",\"organization_id\":1,\"start_timestamp\":");
    json.seconds(span.startMicros());
    json.ascii(",\"end_timestamp\":");
    json.seconds(span.endMicros());
    json.ascii(",\"received\":");
    json.seconds(receivedMicros);
    if (span.segment()) {
      json.ascii(",\"is_segment\":true");
    }
    json.ascii(",\"name\":\"");
    json.stringContent(name);
    filler.write(json, nameFillerBytes, random);
    json.ascii("\",\"status\":");
    json.string(status);
    json.ascii(",\"attributes\":{\"sentry.op\":{\"type\":\"string\",\"value\":");
    json.string(span.kind().op());
    json.ascii("}");
  }

  private void write(Attribute attribute) {
    json.ascii(",");
    json.string(attribute.key());
    json.ascii(":{\"type\":");
    json.string(attribute.type());
    json.ascii(",\"value\":");
    if (attribute.quoted()) {
      json.string(attribute.value());
    } else {
      json.ascii(attribute.value());
    }
    json.ascii("}");
  }

  private List<Attribute> optionalAttributes(
      PlannedSpan span, String name, String status, SplittableRandom random) {
    List<Attribute> attributes = new ArrayList<>(8);
    attributes.add(Attribute.string("sentry.description", name));
    attributes.add(
        Attribute.string("sentry.environment", random.nextInt(5) == 0 ? "staging" : "production"));
    attributes.add(
        Attribute.string(
            "sentry.release", "backend@24." + random.nextInt(1, 13) + "." + random.nextInt(5)));
    attributes.add(
        Attribute.string(
            "sentry.sdk.name",
            random.nextBoolean() ? "sentry.python" : "sentry.java"));
    attributes.add(Attribute.string("server.address", "web-" + random.nextInt(1, 21) + ".internal"));
    switch (span.kind()) {
      case DB -> attributes.add(Attribute.string("db.system", "postgresql"));
      case HTTP_SERVER, HTTP_CLIENT ->
          attributes.add(
              new Attribute(
                  "http.response.status_code", "integer", httpStatus(status), false));
      case CACHE ->
          attributes.add(
              new Attribute("cache.hit", "boolean", Boolean.toString(random.nextBoolean()), false));
      default -> {}
    }
    String thread =
        unicode && random.nextInt(4) == 0
            ? "ワーカー-" + random.nextInt(8)
            : "worker-" + random.nextInt(8);
    attributes.add(Attribute.string("thread.name", thread));
    return attributes;
  }

  private static String status(SplittableRandom random) {
    int roll = random.nextInt(100);
    if (roll < 90) {
      return "ok";
    } else if (roll < 94) {
      return "internal_error";
    } else if (roll < 97) {
      return "not_found";
    } else if (roll < 99) {
      return "deadline_exceeded";
    }
    return "cancelled";
  }

  private static String httpStatus(String status) {
    return switch (status) {
      case "ok" -> "200";
      case "not_found" -> "404";
      case "deadline_exceeded" -> "504";
      case "cancelled" -> "499";
      default -> "500";
    };
  }
}
