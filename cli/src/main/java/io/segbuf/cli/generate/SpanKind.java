package io.segbuf.cli.generate;

import java.util.List;
import java.util.SplittableRandom;

/**
 * What a span does: its {@code sentry.op} and example names and descriptions. Some descriptions
 * carry quotes, backslashes and newlines on purpose, so that consumers see escaped JSON strings.
 */
@SuppressWarnings("ImmutableEnumChecker") // the name lists are List.of, unmodifiable
enum SpanKind {
  HTTP_SERVER(
      "http.server",
      List.of(
          "GET /api/0/projects/{organization_slug}/{project_slug}/",
          "POST /api/0/envelope/",
          "GET /api/0/organizations/{organization_slug}/issues/",
          "PUT /api/0/issues/{issue_id}/"),
      List.of("GET /café/menu/", "GET /api/0/検索/", "POST /api/0/résumé/")),
  TASK(
      "queue.task.celery",
      List.of(
          "sentry.tasks.store.save_event",
          "sentry.tasks.post_process.post_process_group",
          "sentry.tasks.digests.deliver_digest"),
      List.of("tâches.envoyer_résumé", "タスク.集計")),
  DB(
      "db",
      List.of(
          "SELECT \"sentry_project\".\"id\", \"sentry_project\".\"slug\" FROM \"sentry_project\""
              + " WHERE \"sentry_project\".\"id\" = %s",
          "INSERT INTO \"sentry_event\" (\"id\", \"data\") VALUES (%s, %s)",
          "SELECT *\nFROM \"orders\"\nWHERE \"note\" LIKE '%\\_%'",
          "UPDATE \"sentry_groupedmessage\" SET \"times_seen\" = %s WHERE \"id\" = %s"),
      List.of("UPDATE \"users\" SET \"name\" = 'Zoë' WHERE \"id\" = %s", "SELECT * FROM \"商品\"")),
  HTTP_CLIENT(
      "http.client",
      List.of(
          "GET https://api.example.com/v1/users",
          "POST https://hooks.example.org/notify",
          "GET http://symbolicator:3021/symbolicate"),
      List.of("GET https://例え.jp/api/検索", "GET https://api.example.com/v1/café")),
  CACHE(
      "cache.get",
      List.of("cache.get project_config:42", "cache.get user:1234", "cache.get\tdigest:9"),
      List.of("cache.get user:🙂", "cache.get clé:été")),
  FUNCTION(
      "function",
      List.of(
          "app.services.render_item",
          "C:\\app\\handlers.py in handle",
          "sentry.event_manager.save"),
      List.of("app.services.naïve_sum", "🚀 launch")),
  TEMPLATE(
      "template.render",
      List.of("items/list.html", "sentry/emails/digest.txt"),
      List.of("日本語/index.html", "Ελληνικά/page.html"));

  /** Probability that a name comes from the non-ASCII list when unicode is on. */
  private static final double UNICODE_SHARE = 0.25;

  private static final SpanKind[] CHILD_KINDS = {
    DB, DB, DB, DB, DB, DB, DB, HTTP_CLIENT, HTTP_CLIENT, HTTP_CLIENT, CACHE, CACHE, CACHE, CACHE,
    FUNCTION, FUNCTION, FUNCTION, FUNCTION, TEMPLATE, TEMPLATE
  };

  private final String op;
  private final List<String> asciiNames;
  private final List<String> unicodeNames;

  SpanKind(String op, List<String> asciiNames, List<String> unicodeNames) {
    this.op = op;
    this.asciiNames = asciiNames;
    this.unicodeNames = unicodeNames;
  }

  String op() {
    return op;
  }

  boolean server() {
    return this == HTTP_SERVER || this == TASK;
  }

  /** A name for a span of this kind. */
  String name(SplittableRandom random, boolean unicode) {
    List<String> names =
        unicode && random.nextDouble() < UNICODE_SHARE ? unicodeNames : asciiNames;
    return names.get(random.nextInt(names.size()));
  }

  /** The kind of a segment root: a web request (80%) or a background task. */
  static SpanKind segmentRoot(SplittableRandom random) {
    return random.nextInt(5) == 0 ? TASK : HTTP_SERVER;
  }

  /** The kind of an ordinary child span, weighted like a typical backend trace. */
  static SpanKind child(SplittableRandom random) {
    return CHILD_KINDS[random.nextInt(CHILD_KINDS.length)];
  }
}
