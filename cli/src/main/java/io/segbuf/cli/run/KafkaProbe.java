package io.segbuf.cli.run;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;

/**
 * Asks the Kafka cluster whether it answers, with an admin client of its own configured like the producer (same
 * bootstrap servers and security settings): at start, whether any broker answers; for readiness, whether the output
 * topic's metadata, which the producer needs, can be read.
 */
final class KafkaProbe implements AutoCloseable {
  private final Admin admin;

  KafkaProbe(String bootstrapServers, Map<String, String> clientProperties) {
    Map<String, Object> config = new HashMap<>();
    clientProperties.forEach((name, value) -> {
      if (AdminClientConfig.configNames().contains(name)) {
        config.put(name, value);
      }
    });
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(AdminClientConfig.CLIENT_ID_CONFIG, "segbuf-probe");
    admin = Admin.create(config);
  }

  /** Returns once a broker has described the cluster; throws when none did within {@code limit}. */
  void awaitCluster(Duration limit) throws ExecutionException, InterruptedException,
      java.util.concurrent.TimeoutException {
    int millis = (int) Math.min(Integer.MAX_VALUE, limit.toMillis());
    admin.describeCluster(new DescribeClusterOptions().timeoutMs(millis)).nodes()
        .get(millis, TimeUnit.MILLISECONDS);
  }

  /** Returns once {@code topic}'s metadata was read; throws when it could not be within {@code limit}. */
  void describeTopic(String topic, Duration limit) throws Exception {
    int millis = (int) Math.min(Integer.MAX_VALUE, limit.toMillis());
    admin.describeTopics(List.of(topic), new DescribeTopicsOptions().timeoutMs(millis)).allTopicNames()
        .get(millis, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    admin.close(Duration.ZERO);
  }
}
