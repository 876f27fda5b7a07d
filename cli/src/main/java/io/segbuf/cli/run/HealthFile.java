package io.segbuf.cli.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A file touched while the service is live, for platforms that probe a file's age rather than an HTTP endpoint
 * (as Sentry's consumers do with {@code --healthcheck-file-path}): a stale file means a wedged consumer.
 */
final class HealthFile {
  private static final Logger log = LoggerFactory.getLogger(HealthFile.class);

  private final Path file;
  private final HealthCheck health;
  private final Clock clock;
  private boolean failed;

  HealthFile(Path file, HealthCheck health, Clock clock) {
    this.file = file;
    this.health = health;
    this.clock = clock;
  }

  /** Sets the file's modification time to now when the service is live; creates it when missing. */
  void touch() {
    if (!health.liveness().ok()) {
      return;
    }
    try {
      if (!Files.exists(file)) {
        Files.createFile(file);
      }
      Files.setLastModifiedTime(file, FileTime.from(clock.instant()));
      failed = false;
    } catch (IOException e) {
      if (!failed) {
        log.error("cannot touch the health file {}: {}", file, Failures.describe(e));
        failed = true;
      }
    }
  }
}
