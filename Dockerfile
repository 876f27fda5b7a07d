# segbuf: the shaded command-line jar on a JRE, run as an unprivileged user.
#   docker build -t segbuf .
#   docker run --rm -e SEGBUF_BOOTSTRAP_SERVERS=kafka:9092 -p 9400:9400 segbuf run
# Options come from SEGBUF_* variables (see docs/operations.md); the command defaults to `run`.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
COPY .mvn .mvn
COPY core core
COPY redis-adapter redis-adapter
COPY kafka-adapter kafka-adapter
COPY cli cli
COPY benchmarks/pom.xml benchmarks/pom.xml
RUN mvn -B -q -DskipTests -pl cli -am package

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin segbuf
WORKDIR /app
COPY --from=build /src/cli/target/segbuf.jar /app/segbuf.jar
USER 10001
ENV SEGBUF_METRICS_PORT=9400 \
    JAVA_OPTS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
EXPOSE 9400
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s \
    CMD ["sh", "-c", "exec 3<>/dev/tcp/127.0.0.1/9400 && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && head -1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /app/segbuf.jar \"$@\"", "segbuf"]
CMD ["run"]
