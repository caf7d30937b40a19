# shellcheck shell=bash
# Apache Kafka, single KRaft node (broker + controller), from Maven Central jars.
# Sourced by scripts/engines/up, after lib.sh.

KAFKA_DIR="$ENGINES_DIR/kafka"
KAFKA_LOG="$KAFKA_DIR/kafka.log"

kafka_java() { find_java 17 "${KAFKA_JAVA_HOME:-}" || die "kafka: needs Java 17+ (set KAFKA_JAVA_HOME)"; }

install_kafka() {
  mkdir -p "$KAFKA_DIR"
  kafka_java >/dev/null
  maven_copy_deps "$ENGINES_SCRIPT_DIR/kafka/pom.xml" "$KAFKA_DIR/lib"
}

# A probe that speaks Kafka: kafkajs (our client) asks for cluster metadata.
# Without node_modules it falls back to "the port accepts connections".
kafka_probe() {
  port_open "$KAFKA_PORT" || return 1
  if command -v node >/dev/null && (cd "$REPO_ROOT" && node -e "require.resolve('kafkajs')" 2>/dev/null); then
    KAFKA_BROKERS="127.0.0.1:$KAFKA_PORT" node "$ENGINES_SCRIPT_DIR/kafka-smoke.js" --health 2>/dev/null
  else
    grep -q 'Kafka Server started' "$KAFKA_LOG" 2>/dev/null
  fi
}

kafka_write_config() {
  cat >"$KAFKA_DIR/server.properties" <<PROPS
# written by scripts/engines/up on every start
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$KAFKA_DIR/data
auto.create.topics.enable=true
delete.topic.enable=true
num.partitions=4
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# tests create consumer groups all the time: no 3 s wait before the first rebalance
group.initial.rebalance.delay.ms=0
log.retention.hours=24
log.segment.bytes=67108864
num.network.threads=2
num.io.threads=4
PROPS
}

start_kafka() {
  local java
  java="$(kafka_java)"
  mkdir -p "$KAFKA_DIR"
  kafka_write_config
  local cp="$KAFKA_DIR/lib/*"
  local jvm=(-Dlog4j2.configurationFile="$ENGINES_SCRIPT_DIR/kafka/log4j2.xml" -Djava.awt.headless=true -XX:+UseG1GC -XX:MaxGCPauseMillis=20)
  if [ ! -f "$KAFKA_DIR/data/meta.properties" ]; then
    local cluster_id
    cluster_id="$("$java" "${jvm[@]}" -cp "$cp" kafka.tools.StorageTool random-uuid 2>>"$KAFKA_LOG" | tail -n 1)"
    log "kafka: formatting $KAFKA_DIR/data (cluster id $cluster_id)"
    "$java" "${jvm[@]}" -cp "$cp" kafka.tools.StorageTool format -t "$cluster_id" -c "$KAFKA_DIR/server.properties" >>"$KAFKA_LOG" 2>&1 \
      || fail_with_log kafka "StorageTool format failed" "$KAFKA_LOG"
  fi
  # shellcheck disable=SC2086
  spawn kafka "$KAFKA_LOG" "$java" $KAFKA_HEAP_OPTS "${jvm[@]}" -cp "$cp" kafka.Kafka "$KAFKA_DIR/server.properties"
}

wait_kafka() { wait_healthy kafka kafka_probe "$KAFKA_LOG"; }

kafka_ports() { echo "$KAFKA_PORT,$KAFKA_CONTROLLER_PORT"; }

kafka_in_use() { port_open "$KAFKA_PORT" || port_open "$KAFKA_CONTROLLER_PORT"; }

export_kafka() { echo "export KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT"; }
