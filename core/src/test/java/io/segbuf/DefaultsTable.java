package io.segbuf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A documented table of options and their defaults ({@code | option | default | meaning |}), read so that a test can
 * hold each default against the constant that defines it. Cells are read as people write them: {@code 10 s},
 * {@code 64 KiB}, {@code 100,000}, {@code `segbuf`}, {@code 500 per flush call}.
 */
public final class DefaultsTable {
  private static final Pattern ROW = Pattern.compile("^\\| ([^|]+?) \\| ([^|]+?) \\|", Pattern.MULTILINE);
  private static final Pattern SECONDS = Pattern.compile("(\\d+) s");
  private static final Pattern BYTES = Pattern.compile("(\\d[\\d,]*)(?: (KiB|MiB))?\\b.*");

  private final Map<String, String> defaults = new LinkedHashMap<>();

  private DefaultsTable(String table) {
    Matcher row = ROW.matcher(table);
    while (row.find()) {
      defaults.put(row.group(1).replace("`", ""), row.group(2).replace("`", ""));
    }
  }

  /** The first table after the line {@code heading} of the repository's {@code file}. */
  public static DefaultsTable read(String file, String heading) throws IOException {
    String text = Files.readString(Path.of("..").resolve(file));
    int start = text.indexOf("\n" + heading + "\n");
    assertThat(start).as(heading + " in " + file).isNotNegative();
    int table = text.indexOf("\n|", start);
    int end = text.indexOf("\n\n", table);
    return new DefaultsTable(text.substring(table + 1, end < 0 ? text.length() : end));
  }

  /** The default column of {@code option}, without backticks. */
  public String text(String option) {
    return Objects.requireNonNull(defaults.get(option), () -> option + " is not in the table " + defaults.keySet());
  }

  /** A default written in seconds ({@code 10 s}). */
  public Duration duration(String option) {
    Matcher seconds = SECONDS.matcher(text(option));
    assertThat(seconds.matches()).as(option + "'s default " + text(option) + " in seconds").isTrue();
    return Duration.ofSeconds(Long.parseLong(seconds.group(1)));
  }

  /** A default count or size, with thousands separated by commas and an optional KiB or MiB. */
  public long number(String option) {
    Matcher number = BYTES.matcher(text(option));
    assertThat(number.matches()).as(option + "'s default " + text(option) + " as a number").isTrue();
    long value = Long.parseLong(number.group(1).replace(",", ""));
    String unit = number.group(2);
    return unit == null ? value : value * (unit.equals("KiB") ? 1024 : 1024 * 1024);
  }
}
