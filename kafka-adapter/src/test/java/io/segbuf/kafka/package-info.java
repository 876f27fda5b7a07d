/** Tests of the Kafka adapter, against a real broker started in the test JVM. */
@NullMarked
package io.segbuf.kafka;

import org.jspecify.annotations.NullMarked;
