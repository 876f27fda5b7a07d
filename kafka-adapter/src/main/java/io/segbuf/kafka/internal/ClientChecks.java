package io.segbuf.kafka.internal;

import io.segbuf.ConfigProblem;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** The option checks that the sink's and the consumer's builders share; each adds its problem to a list. */
public final class ClientChecks {
  private static final Pattern TOPIC_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

  private ClientChecks() {}

  public static void bootstrapServers(String servers, List<ConfigProblem> problems) {
    if (servers.isBlank()) {
      problems.add(new ConfigProblem("bootstrapServers", "be host:port[,host:port...]", "'" + servers + "'"));
    }
  }

  /** {@code name} must be a legal Kafka topic name; {@code property} names the option in the message. */
  public static void topic(String property, String name, List<ConfigProblem> problems) {
    if (!TOPIC_NAME.matcher(name).matches()) {
      problems.add(new ConfigProblem(property, "be 1 to 249 of [a-zA-Z0-9._-]", "'" + name + "'"));
    }
  }

  /** The client properties that the adapter sets itself must not come in {@code properties}. */
  public static void notSet(String property, Map<String, String> properties, List<String> fixed,
      List<ConfigProblem> problems) {
    for (String name : fixed) {
      if (properties.containsKey(name)) {
        problems.add(new ConfigProblem(property, "not set " + name, properties.get(name)));
      }
    }
  }
}
