#!/usr/bin/env bash
# Fetches an Apache Kafka broker (KRaft mode) from Maven Central with Maven and runs a
# single-node broker on 127.0.0.1:9092 for development and tests.
#   scripts/kafka.sh start|stop|status
set -euo pipefail

KAFKA_VERSION="${KAFKA_VERSION:-3.9.1}"
SCALA_VERSION="2.13"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${KAFKA_CACHE_DIR:-$HOME/.cache/one-gate-payment/kafka-$KAFKA_VERSION}"
STATE="${KAFKA_STATE_DIR:-$ROOT/.data/kafka}"
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
LOG="$STATE/broker.log"
PIDFILE="$STATE/broker.pid"

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

fetch() {
  if [ -f "$CACHE/.complete" ]; then return; fi
  mkdir -p "$CACHE/libs"
  local pom="$CACHE/pom.xml"
  cat >"$pom" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.onegate</groupId><artifactId>kafka-runtime</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_$SCALA_VERSION</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version></dependency>
  </dependencies>
</project>
POM
  echo "kafka.sh: fetching Apache Kafka $KAFKA_VERSION from Maven Central" >&2
  mvn -q -f "$pom" dependency:copy-dependencies -DoutputDirectory="$CACHE/libs" -DincludeScope=runtime >&2
  touch "$CACHE/.complete"
}

start() {
  if answers; then echo "kafka.sh: a broker already answers on 127.0.0.1:$PORT"; return; fi
  fetch
  mkdir -p "$STATE"
  local props="$STATE/server.properties"
  cat >"$props" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$STATE/data
num.partitions=3
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
PROPS
  local cp="$CACHE/libs/*"
  local log4j="$STATE/log4j.properties"
  printf 'log4j.rootLogger=WARN, stdout\nlog4j.appender.stdout=org.apache.log4j.ConsoleAppender\nlog4j.appender.stdout.layout=org.apache.log4j.PatternLayout\nlog4j.appender.stdout.layout.ConversionPattern=[%%d] %%p %%m (%%c)%%n\nlog4j.logger.kafka.server.KafkaServer=INFO\n' >"$log4j"
  local jvm=(-Xms256m -Xmx512m -Dlog4j.configuration="file:$log4j" -cp "$cp")
  if [ ! -f "$STATE/data/meta.properties" ]; then
    java "${jvm[@]}" kafka.tools.StorageTool format -t "$(java "${jvm[@]}" kafka.tools.StorageTool random-uuid)" -c "$props" >/dev/null
  fi
  nohup java "${jvm[@]}" kafka.Kafka "$props" >"$LOG" 2>&1 &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 120); do
    if answers; then echo "kafka.sh: broker up on 127.0.0.1:$PORT (pid $(cat "$PIDFILE"), log $LOG)"; return; fi
    if ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then echo "kafka.sh: broker exited; see $LOG" >&2; tail -20 "$LOG" >&2; exit 1; fi
    sleep 1
  done
  echo "kafka.sh: broker did not answer within 120 s; see $LOG" >&2
  exit 1
}

stop() {
  if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    kill "$(cat "$PIDFILE")"
    for _ in $(seq 1 30); do kill -0 "$(cat "$PIDFILE")" 2>/dev/null || break; sleep 1; done
    kill -9 "$(cat "$PIDFILE")" 2>/dev/null || true
  fi
  rm -f "$PIDFILE"
  echo "kafka.sh: stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if answers; then echo "up"; else echo "down"; exit 1; fi ;;
  fetch) fetch ;;
  *) echo "usage: $0 start|stop|status|fetch" >&2; exit 2 ;;
esac
