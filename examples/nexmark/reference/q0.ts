// q0, pass-through: every bid, unchanged. Measures the cost of reading and emitting events.

import type { Bid, NexmarkEvent } from '../../../runtime/connectors/nexmark/index.ts';

export function q0(events: readonly NexmarkEvent[]): Bid[] {
  return events.filter((event): event is Bid => event.kind === 'bid');
}
