export type { OperationStats, ServiceStats, ServiceStatsPoint, Topology, TopologyEdge, TopologyEdgeKind, TopologyNode, TopologyNodeKind } from '../topology';
