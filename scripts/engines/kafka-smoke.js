#!/usr/bin/env node
// Checks that our Kafka client (kafkajs, from the repo's node_modules) works
// against the broker that scripts/engines/up started: metadata, topic
// creation, acks=all produce, consumer-group consume, offset commit and
// fetch, then clean-up. Exit 0 on success, 1 with a reason otherwise.
//
//   node scripts/engines/kafka-smoke.js            full round trip
//   node scripts/engines/kafka-smoke.js --health   metadata request only
//
// Broker list: $KAFKA_BROKERS (default 127.0.0.1:9092).
'use strict';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

const { Kafka, logLevel, CompressionTypes } = require('kafkajs');

const brokers = (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(',');
const healthOnly = process.argv.includes('--health');
const DEADLINE_MS = Number(process.env.KAFKA_SMOKE_TIMEOUT_MS || 60000);

const kafka = new Kafka({
  clientId: 'chainscope-engines-smoke',
  brokers,
  logLevel: logLevel.NOTHING,
  connectionTimeout: 3000,
  retry: { retries: healthOnly ? 0 : 5 },
});

function say(msg) {
  process.stderr.write(`kafka-smoke: ${msg}\n`);
}

async function health() {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const cluster = await admin.describeCluster();
    say(`cluster ${cluster.clusterId}, ${cluster.brokers.length} broker(s), controller ${cluster.controller}`);
  } finally {
    await admin.disconnect();
  }
}

async function roundTrip() {
  const suffix = `${Date.now()}_${process.pid}`;
  const topic = `engines_smoke_${suffix}`;
  const groupId = `engines_smoke_group_${suffix}`;
  const count = 20;
  const extraTopics = [];

  const admin = kafka.admin();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10000, heartbeatInterval: 1000 });
  await admin.connect();
  try {
    const cluster = await admin.describeCluster();
    say(`connected: cluster ${cluster.clusterId}, controller ${cluster.controller}`);

    await admin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 1 }], waitForLeaders: true });
    say(`created topic ${topic}`);

    await producer.connect();
    const messages = Array.from({ length: count }, (_, i) => ({ key: `k${i % 5}`, value: `v${i}` }));
    await producer.send({ topic, acks: -1, messages: messages.slice(0, count / 2) });
    await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages: messages.slice(count / 2) }] });
    say(`produced ${count} messages with acks=all`);

    // what the bus relies on besides: auto-created topics (num.partitions),
    // gzip batches and the idempotent producer (InitProducerId)
    const autoTopic = `${topic}_auto`;
    const idem = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await idem.connect();
    try {
      await idem.send({ topic: autoTopic, acks: -1, compression: CompressionTypes.GZIP, messages: [{ value: 'auto' }] });
    } finally {
      await idem.disconnect();
    }
    const meta = await admin.fetchTopicMetadata({ topics: [autoTopic] });
    say(`idempotent gzip produce auto-created ${autoTopic} with ${meta.topics[0].partitions.length} partitions`);
    extraTopics.push(autoTopic);

    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const seen = new Set();
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`consumed only ${seen.size}/${count} before the deadline`)), DEADLINE_MS);
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
            for (const m of batch.messages) {
              seen.add(m.value.toString());
              resolveOffset(m.offset);
            }
            // commit explicitly, as ingest does after the store acks
            await consumer.commitOffsets([
              { topic: batch.topic, partition: batch.partition, offset: String(Number(batch.lastOffset()) + 1) },
            ]);
            await heartbeat();
            if (seen.size >= count) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    say(`consumed ${seen.size} messages in group ${groupId} and committed offsets`);
    await consumer.stop();
    await consumer.disconnect();

    const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
    const committed = offsets[0].partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    if (committed !== count) throw new Error(`committed offsets add up to ${committed}, expected ${count}`);
    say(`fetched committed offsets: ${committed}`);

    const groups = await admin.describeGroups([groupId]);
    say(`group state after leave: ${groups.groups[0].state}`);

    await admin.deleteGroups([groupId]);
    await admin.deleteTopics({ topics: [topic, ...extraTopics] });
    say('deleted group and topic');
  } finally {
    await Promise.allSettled([producer.disconnect(), consumer.disconnect()]);
    await admin.disconnect();
  }
}

const overall = setTimeout(() => {
  say(`gave up after ${DEADLINE_MS + 15000} ms`);
  process.exit(1);
}, DEADLINE_MS + 15000);
overall.unref();

(healthOnly ? health() : roundTrip()).then(
  () => {
    if (!healthOnly) say('OK');
    process.exit(0);
  },
  (err) => {
    say(`FAILED: ${err && err.stack ? err.stack : err}`);
    process.exit(1);
  },
);
