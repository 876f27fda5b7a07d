/** {@code segbuf run}: the streaming service, Kafka in, a store in between, Kafka out. */
@NullMarked
package io.segbuf.cli.run;

import org.jspecify.annotations.NullMarked;
