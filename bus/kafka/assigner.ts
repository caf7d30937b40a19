import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

export const SUBSCRIPTION_AWARE_ASSIGNER = 'ChainscopeSubscriptionRoundRobin';

/**
 * Round robin that gives each topic's partitions only to the members
 * subscribed to that topic. The bus runs one consumer per (topic, group), so
 * one group holds members of different topics (ingest: spans and logs).
 * kafkajs' own RoundRobinAssigner spreads the leader's topics over every
 * member, and a member drops what it did not subscribe to: those partitions
 * were never consumed, and the other topic was not assigned at all.
 */
export const subscriptionAwareRoundRobin: PartitionAssigner = ({ cluster }) => ({
  name: SUBSCRIPTION_AWARE_ASSIGNER,
  version: 0,

  async assign({ members }) {
    const subscribed = new Map<string, string[]>();
    for (const { memberId, memberMetadata } of members) {
      for (const topic of AssignerProtocol.MemberMetadata.decode(memberMetadata)?.topics ?? []) {
        subscribed.set(topic, [...(subscribed.get(topic) ?? []), memberId]);
      }
    }
    // The leader's metadata covers its own topics only.
    await cluster.addMultipleTargetTopics([...subscribed.keys()]);
    const assignment: Record<string, Record<string, number[]>> = {};
    for (const [topic, memberIds] of subscribed) {
      const eligible = [...memberIds].sort();
      const partitions = cluster
        .findTopicPartitionMetadata(topic)
        .map((p) => p.partitionId)
        .sort((a, b) => a - b);
      partitions.forEach((partition, i) => {
        const member = eligible[i % eligible.length];
        ((assignment[member] ??= {})[topic] ??= []).push(partition);
      });
    }
    return Object.entries(assignment).map(([memberId, topics]) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 0, assignment: topics, userData: Buffer.alloc(0) }),
    }));
  },

  protocol({ topics }) {
    return { name: SUBSCRIPTION_AWARE_ASSIGNER, metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }) };
  },
});
