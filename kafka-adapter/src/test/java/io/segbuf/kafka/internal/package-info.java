/** Tests of the Kafka adapter's internals. */
@NullMarked
package io.segbuf.kafka.internal;

import org.jspecify.annotations.NullMarked;
