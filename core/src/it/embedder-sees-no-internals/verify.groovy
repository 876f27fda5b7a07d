// The build must fail for the right reason: javac refuses the package, not anything else.
String log = new File(basedir, 'build.log').text
assert log.contains('package io.segbuf.internal is not visible') : 'javac must refuse io.segbuf.internal'
assert log.contains('does not export it') : 'the reason must be that io.segbuf.core does not export it'
