/** The Kafka adapter: the ingest-spans consumer loop and the buffered-segments producer sink. */
@NullMarked
package io.segbuf.kafka;

import org.jspecify.annotations.NullMarked;
