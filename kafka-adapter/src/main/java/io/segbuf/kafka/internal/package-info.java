/** Internal to the Kafka adapter: may change in any release. */
@NullMarked
package io.segbuf.kafka.internal;

import org.jspecify.annotations.NullMarked;
