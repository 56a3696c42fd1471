// The connector metric groups of one task (a subtask's chain may hold a source and a sink, or
// several sinks): operators create a group per connector when the connector asks for one, and the
// task's metrics carry their snapshots to the TaskManager.

import { ConnectorMetricGroup, type ConnectorKind, type ConnectorMetricsSnapshot } from '../../metrics/connector-metric-group.ts';

export class TaskConnectorMetrics {
  private readonly groups: ConnectorMetricGroup[] = [];

  /** A new group for one connector instance of the operator `operator`. */
  group(kind: ConnectorKind, connector: string, operator: string): ConnectorMetricGroup {
    const g = new ConnectorMetricGroup(kind, connector, operator);
    this.groups.push(g);
    return g;
  }

  snapshot(): ConnectorMetricsSnapshot[] {
    return this.groups.map((g) => g.snapshot());
  }
}

/** The group an operator hands to its connector: in the task's set, or detached when the operator runs outside a task (harness tests). */
export function connectorGroup(ctx: { readonly operatorName: string; readonly connectorMetrics?: TaskConnectorMetrics }, kind: ConnectorKind, connector: string): ConnectorMetricGroup {
  return ctx.connectorMetrics ? ctx.connectorMetrics.group(kind, connector, ctx.operatorName) : new ConnectorMetricGroup(kind, connector, ctx.operatorName);
}
