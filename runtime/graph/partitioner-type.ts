// How an edge of the graph spreads records over the next operator's subtasks. A property of the
// graph (set by the API, checked when chaining); task/record-writer.ts implements each kind.

export type PartitionerType = 'forward' | 'rebalance' | 'hash' | 'broadcast' | 'global';
