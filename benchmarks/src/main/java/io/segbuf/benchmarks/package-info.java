/** JMH benchmarks of segbuf and the baselines they are measured against in the same run. */
@NullMarked
package io.segbuf.benchmarks;

import org.jspecify.annotations.NullMarked;
