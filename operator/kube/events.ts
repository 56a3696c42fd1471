// Kubernetes Events (events.k8s.io/v1) for what the operator did or refused. Event failures
// are logged and never fail a reconcile.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { KubeObject, KubeRest } from './rest-client.ts';
import type { Clock } from './clock.ts';

export interface EventRecorder {
  record(regarding: KubeObject, type: 'Normal' | 'Warning', reason: string, action: string, note: string): Promise<void>;
}

/** Events about cluster-scoped objects must live in the default namespace (API server rule). */
export const CLUSTER_EVENTS_NAMESPACE = 'default';

export function createEventRecorder(rest: KubeRest, opts: { controller: string; instance: string; clock: Clock; logger: Logger }): EventRecorder {
  return {
    async record(regarding, type, reason, action, note) {
      const namespace = regarding.metadata.namespace ?? CLUSTER_EVENTS_NAMESPACE;
      const now = new Date(opts.clock.now());
      try {
        await rest.create({
          apiVersion: 'events.k8s.io/v1', kind: 'Event',
          metadata: { name: `${regarding.metadata.name}.${now.getTime().toString(16)}${randomBytes(3).toString('hex')}`, namespace },
          eventTime: now.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z'),
          reportingController: opts.controller, reportingInstance: opts.instance,
          action, reason, type, note: note.slice(0, 1000),
          regarding: { apiVersion: regarding.apiVersion, kind: regarding.kind, name: regarding.metadata.name, namespace: regarding.metadata.namespace, uid: regarding.metadata.uid, resourceVersion: regarding.metadata.resourceVersion },
        });
      } catch (err) {
        opts.logger.warn({ err: String(err), reason, object: regarding.metadata.name }, 'could not record event');
      }
    },
  };
}
