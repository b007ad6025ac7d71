#!/usr/bin/env bash
# Test setup: makes sure the Debian packages the integration tests use are installed, then starts the servers
# on 127.0.0.1 and exports their addresses. Sourced by scripts/test.sh; `stop_test_services` stops them.
# Packages: mosquitto (MQTT 5 broker), redis-server (hot shuffle tier), kcat (librdkafka mock Kafka cluster),
# chromium (dashboard browser test).
set -u
EP_PACKAGES="mosquitto redis-server kcat chromium"
EP_SERVICE_DIR="$(mktemp -d -t edgepilot-services-XXXXXX)"
EP_PIDS=()

ensure_packages() {
  local missing=()
  command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || missing+=(mosquitto)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  command -v kcat >/dev/null 2>&1 || missing+=(kcat)
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  if [ ${#missing[@]} -eq 0 ]; then return 0; fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "test setup: missing Debian packages: ${missing[*]}" >&2
    echo "test setup: run as root: apt-get update && apt-get install -y ${missing[*]}" >&2
    return 1
  fi
  echo "test setup: installing ${missing[*]} (apt-get) ..." >&2
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null || {
    echo "test setup: apt-get install failed; run: apt-get update && apt-get install -y ${missing[*]}" >&2
    return 1
  }
}

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

wait_port() {
  local port=$1
  for _ in $(seq 500); do
    (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.02
  done
  echo "test setup: nothing listening on 127.0.0.1:$port after 10 s" >&2
  return 1
}

start_test_services() {
  ensure_packages || return 1
  local mqtt_port redis_port
  mqtt_port=$(free_port)
  redis_port=$(free_port)
  cat >"$EP_SERVICE_DIR/mosquitto.conf" <<CONF
listener $mqtt_port 127.0.0.1
allow_anonymous true
persistence false
log_dest stderr
log_type error
max_queued_messages 100000
CONF
  local mosq=mosquitto
  command -v mosquitto >/dev/null 2>&1 || mosq=/usr/sbin/mosquitto
  "$mosq" -c "$EP_SERVICE_DIR/mosquitto.conf" 2>"$EP_SERVICE_DIR/mosquitto.log" &
  EP_PIDS+=($!)
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$EP_SERVICE_DIR" >"$EP_SERVICE_DIR/redis.log" 2>&1 &
  EP_PIDS+=($!)
  kcat -b 127.0.0.1:1 -C -t __keepalive -X test.mock.num.brokers=3 -d mock -q 2>"$EP_SERVICE_DIR/kafka-mock.log" >/dev/null &
  EP_PIDS+=($!)
  wait_port "$mqtt_port" && wait_port "$redis_port" || return 1
  local bs=""
  for _ in $(seq 250); do
    bs=$(grep -oE 'bootstrap.servers=[0-9.:,]+' "$EP_SERVICE_DIR/kafka-mock.log" | head -1 | cut -d= -f2)
    [ -n "$bs" ] && break
    sleep 0.02
  done
  export EDGEPILOT_TEST_MQTT_URL="mqtt://127.0.0.1:$mqtt_port"
  export EDGEPILOT_TEST_REDIS_URL="redis://127.0.0.1:$redis_port"
  export EDGEPILOT_TEST_KAFKA_BROKERS="$bs"
  export EDGEPILOT_TEST_CHROMIUM="$(command -v chromium)"
  export EDGEPILOT_TEST_MOSQUITTO_PID="${EP_PIDS[0]}"
  export EDGEPILOT_TEST_REDIS_PID="${EP_PIDS[1]}"
  echo "test setup: mosquitto $EDGEPILOT_TEST_MQTT_URL, redis $EDGEPILOT_TEST_REDIS_URL, kafka mock ${bs:-unavailable}" >&2
}

stop_test_services() {
  for pid in "${EP_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$EP_SERVICE_DIR"
}
