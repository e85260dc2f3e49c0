# The Dynalog node image.
#
#   docker build -t dynalog .
#   docker run --rm dynalog --help
#   docker run -p 8000:8000 -v dynalog-data:/data dynalog start --kafka HOST:9092 --data-dir /data
#
# docker-compose.yml builds it and runs three nodes on a three-broker Kafka cluster.

# ---- build: the Maven wrapper on JDK 17, as in the README ------------------------------------
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src

# The wrapper and every pom first: the dependency layer below is rebuilt only when one changes.
# (A new module needs its pom and sources listed here too.)
COPY mvnw ./
COPY .mvn/ .mvn/
COPY pom.xml ./
COPY topology/pom.xml topology/
COPY checker/pom.xml checker/
COPY client/pom.xml client/
COPY dynamodb-local/pom.xml dynamodb-local/
COPY expression/pom.xml expression/
COPY ingest/pom.xml ingest/
COPY replica/pom.xml replica/
COPY query-api/pom.xml query-api/
COPY control/pom.xml control/
COPY node/pom.xml node/
# Builds the modules with no sources: that fetches Maven, the plugins and every dependency into
# ~/.m2 (kept in this layer), then throws the empty artifacts away.
RUN set -eu; \
    chmod +x mvnw; \
    ./mvnw -B -q -Dmaven.test.skip=true install; \
    rm -rf target */target ~/.m2/repository/io/dynalog

# Main sources only: the image build skips the tests, so a test edit does not rebuild the image.
COPY topology/src/main/ topology/src/main/
COPY checker/src/main/ checker/src/main/
COPY client/src/main/ client/src/main/
COPY expression/src/main/ expression/src/main/
COPY ingest/src/main/ ingest/src/main/
COPY replica/src/main/ replica/src/main/
COPY query-api/src/main/ query-api/src/main/
COPY control/src/main/ control/src/main/
COPY node/src/main/ node/src/main/
RUN set -eu; \
    ./mvnw -B -q -Dmaven.test.skip=true install; \
    set -- node/target/dynalog-node-*.jar; \
    if [ "$#" -ne 1 ]; then echo "expected one node jar, found: $*" >&2; exit 1; fi; \
    mkdir -p /out; \
    cp "$1" /out/dynalog-node.jar; \
    cp -r node/target/lib /out/lib

# ---- runtime: a JRE, the node jar and its runtime classpath ---------------------------------
FROM eclipse-temurin:17-jre

# A system user of its own. It owns /data (docker-compose.yml's --data-dir), so a named volume
# mounted there starts out writable by it.
RUN groupadd --system --gid 10001 dynalog \
 && useradd --system --uid 10001 --gid dynalog --home-dir /opt/dynalog --no-create-home --shell /usr/sbin/nologin dynalog \
 && mkdir -p /opt/dynalog /data \
 && chown dynalog:dynalog /data

COPY --from=build /out/lib/ /opt/dynalog/lib/
COPY --from=build /out/dynalog-node.jar /opt/dynalog/dynalog-node.jar

USER dynalog
WORKDIR /opt/dynalog

# 8000: the DynamoDB API (--port); 7000: node-to-node traffic (--peer-port).
EXPOSE 8000 7000

# GET / answers "200 healthy: dynalog". Bash's /dev/tcp, so no curl is needed in the image.
# DYNALOG_HEALTH_PORT follows a node started with another --port.
ENV DYNALOG_HEALTH_PORT=8000
HEALTHCHECK --interval=5s --timeout=3s --start-period=60s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${DYNALOG_HEALTH_PORT} && printf 'GET / HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && IFS= read -r status <&3 && [[ $status == 'HTTP/1.'[01]' 200 '* ]]"]

ENTRYPOINT ["java", "-cp", "/opt/dynalog/dynalog-node.jar:/opt/dynalog/lib/*", "io.dynalog.node.DynalogCli"]
CMD ["--help"]
