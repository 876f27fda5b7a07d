package io.segbuf.cli.run;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where {@code segbuf run}'s options come from, first match wins: the command line, the properties file
 * ({@code --config}), the environment ({@code SEGBUF_<OPTION>}), the option's default. An option's properties key is
 * its name without the dashes ({@code root-timeout}); its environment variable is that key in upper case with
 * underscores ({@code SEGBUF_ROOT_TIMEOUT}). Kafka client properties come from the command line and the file only:
 * their names hold dots, which environment variables cannot carry portably.
 */
final class OptionSources {
  static final String ENVIRONMENT_PREFIX = "SEGBUF_";
  static final String PRODUCER_PREFIX = "producer.";
  static final String CONSUMER_PREFIX = "consumer.";

  private final CommandSpec spec;
  private final List<String> problems;

  /** Sets options of {@code spec}'s command, collecting every problem in {@code problems}. */
  OptionSources(CommandSpec spec, List<String> problems) {
    this.spec = spec;
    this.problems = problems;
  }

  /** The properties key of an option: its longest name without the leading dashes. */
  static String key(OptionSpec option) {
    return option.longestName().replaceFirst("^-+", "");
  }

  /** The environment variable of an option, or null for those it cannot set (help, version, the map options). */
  static @Nullable String variable(OptionSpec option) {
    if (option.usageHelp() || option.versionHelp() || option.isMultiValue()) {
      return null;
    }
    return ENVIRONMENT_PREFIX + key(option).toUpperCase(Locale.ROOT).replace('-', '_');
  }

  /** The file {@code --config} names, else {@code SEGBUF_CONFIG}'s, else none. */
  static @Nullable Path configFile(@Nullable Path commandLine, Map<String, String> environment) {
    String variable = environment.get(ENVIRONMENT_PREFIX + "CONFIG");
    return commandLine != null || variable == null || variable.isBlank() ? commandLine : Path.of(variable.trim());
  }

  /**
   * Sets every option the file names and the command line did not; {@code producer.*} and {@code consumer.*}
   * keys go to the client properties, unless the command line set them. Returns the keys the file holds.
   */
  Set<String> readFile(Path file, Map<String, String> producer, Map<String, String> consumer) {
    Properties properties = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      properties.load(in);
    } catch (IOException e) {
      problems.add("--config must be a readable properties file but was " + file + " (" + e.getMessage() + ")");
      return Set.of();
    }
    for (String key : new TreeSet<>(properties.stringPropertyNames())) {
      String value = properties.getProperty(key).trim();
      if (key.startsWith(PRODUCER_PREFIX)) {
        producer.putIfAbsent(key.substring(PRODUCER_PREFIX.length()), value);
        continue;
      }
      if (key.startsWith(CONSUMER_PREFIX)) {
        consumer.putIfAbsent(key.substring(CONSUMER_PREFIX.length()), value);
        continue;
      }
      OptionSpec option = spec.findOption("--" + key);
      if (option == null || key.equals("config") || variable(option) == null) {
        problems.add("--config key must be an option name but was " + key);
        continue;
      }
      if (!setByCommandLine(option)) {
        set(option, value, "--" + key);
      }
    }
    return properties.stringPropertyNames();
  }

  /**
   * Sets every option that neither the command line nor the file set from its environment variable, when that is
   * present. {@code fromFile}: the keys the file holds.
   */
  void readEnvironment(Map<String, String> environment, Set<String> fromFile) {
    for (OptionSpec option : spec.options()) {
      String variable = variable(option);
      if (variable == null || key(option).equals("config") || setByCommandLine(option)
          || fromFile.contains(key(option))) {
        continue;
      }
      String value = environment.get(variable);
      if (value != null) {
        set(option, value.trim(), variable);
      }
    }
  }

  private boolean setByCommandLine(OptionSpec option) {
    return spec.commandLine().getParseResult().hasMatchedOption(option);
  }

  private void set(OptionSpec option, String value, String source) {
    try {
      option.setValue(convert(value, option.type()));
    } catch (RuntimeException e) {
      problems.add(source + " must be " + kind(option.type()) + " but was " + value);
    }
  }

  private static Object convert(String value, Class<?> type) {
    if (type == int.class || type == Integer.class) {
      return Integer.valueOf(value);
    }
    if (type == long.class || type == Long.class) {
      return Long.valueOf(value);
    }
    if (type == double.class || type == Double.class) {
      return Double.valueOf(value);
    }
    if (type == Path.class) {
      return Path.of(value);
    }
    if (type == String.class) {
      return value;
    }
    throw new IllegalArgumentException("unsupported option type " + type);
  }

  private static String kind(Class<?> type) {
    if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
      return "an integer";
    }
    return type == double.class || type == Double.class ? "a number" : "a " + type.getSimpleName();
  }
}
