// Wires informers, work queues and reconcilers into one operator. main.ts builds it with real
// clients; integration tests build it in-process against a real API server.
import type { Logger } from 'pino';
import { API_VERSION } from './api/v1alpha1/meta.ts';
import type { JobManagerClientFactory } from './jobmanager/client.ts';
import type { Clock, Random } from './kube/clock.ts';
import { ControllerRunner } from './kube/controller-runner.ts';
import type { Reconcile } from './kube/controller-runner.ts';
import { createEventRecorder } from './kube/events.ts';
import { SupervisedInformer } from './kube/informer.ts';
import type { KubeObject, KubeRest, ObjectRef } from './kube/rest-client.ts';
import { slimPod } from './kube/slim.ts';
import type { CacheTransform } from './kube/slim.ts';
import { InstanceLabellingClient } from './kube/instance-labels.ts';
import { UnchangedApplySkipper } from './kube/unchanged-apply.ts';
import { OwnWriteRecorder, OwnWrites } from './kube/own-writes.ts';
import { formatSelector, parseWatchSelector } from './kube/watch-selector.ts';
import { WorkQueue } from './kube/work-queue.ts';
import type { Priority } from './kube/work-queue.ts';
import type { OperatorMetrics } from './server/metrics.ts';
import type { WorkspaceStorage } from './storage/workspace-storage.ts';
import type { SavepointFiles } from './storage/savepoint-files.ts';
import { FIELD_MANAGER, keyOf, LABELS, MANAGED_BY, POD_INDEX_DEPLOYMENT, SAVEPOINT_INDEX_DEPLOYMENT, splitKey } from './controllers/shared/context.ts';
import type { Caches, ReconcileContext } from './controllers/shared/context.ts';
import { reconcileWorkspace } from './controllers/workspace/reconciler.ts';
import { reconcileNamespace } from './controllers/namespace/reconciler.ts';
import type { SweepSettings } from './controllers/namespace/savepoint-sweep.ts';
import type { OperatorTenantAccess } from './rbac/operator-role.ts';
import { reconcileQueue } from './controllers/queue/reconciler.ts';
import { reconcileDeployment } from './controllers/deployment/reconciler.ts';
import { reconcileSavepoint } from './controllers/savepoint/reconciler.ts';
import { refreshUsage } from './controllers/shared/usage-refresh.ts';
import { usageRefreshDelayMs } from './controllers/shared/usage-coalescing.ts';
import { owningDeployment } from './controllers/deployment/pod-ownership.ts';
import { waitingHead } from './controllers/deployment/queue-view.ts';
import { usableQueueCU } from './controllers/queue/in-force.ts';
import { deploymentEventPriority } from './controllers/deployment/event-priority.ts';

export interface OperatorDeps {
  rest: KubeRest;
  clock: Clock;
  random: Random;
  logger: Logger;
  metrics: OperatorMetrics;
  jobManagers: JobManagerClientFactory;
  storage: WorkspaceStorage;
  /** Deletes savepoint files from a workspace bucket when no JobManager of the deployment runs. */
  savepointFiles: SavepointFiles;
  /** How often and with what grace savepoint directories no Savepoint owns are swept (default: 10 min, 10 min). */
  savepointSweep?: SweepSettings;
  defaultImage: string;
  /** Reconciles running at once per controller (keys are always exclusive). */
  workers: number;
  /** Identity reported in Events. */
  instance: string;
  /** Equality label selector (`k=v,...`) limiting the Millrace objects this instance reconciles. */
  watchSelector?: string;
  /** Namespace the operator runs in (default millrace-system): where Workspace credentials live. */
  operatorNamespace?: string;
  /** Its ServiceAccount and tenant ClusterRole: bound by a RoleBinding in each namespace it makes (rbac/operator-role.ts). */
  operatorTenantAccess?: OperatorTenantAccess;
}

type ControllerName = 'workspace' | 'namespace' | 'queue' | 'deployment' | 'savepoint' | 'namespaceUsage' | 'workspaceUsage' | 'queueUsage' | 'queueWaiting';
type Obj = KubeObject & { spec?: Record<string, unknown> };

export class Operator {
  readonly ctx: ReconcileContext;
  private readonly rest: UnchangedApplySkipper;
  private readonly ownWrites: OwnWrites;
  private readonly deps: OperatorDeps;
  private readonly informers: SupervisedInformer<KubeObject>[] = [];
  private readonly queues = new Map<ControllerName, WorkQueue>();
  private runners: ControllerRunner[] = [];
  private readonly reconcilers: Record<ControllerName, Reconcile>;
  private synced = false;
  private phaseTimer: unknown;

  constructor(deps: OperatorDeps) {
    this.deps = deps;
    const informer = (kind: string, apiVersion = API_VERSION, labelSelector?: string, transform?: CacheTransform) => {
      const i = new SupervisedInformer<KubeObject>({ rest: deps.rest, apiVersion, kind, labelSelector, transform, clock: deps.clock, random: deps.random, logger: deps.logger, onRestart: (k) => deps.metrics.informerRestarts.inc({ kind: k }) });
      this.informers.push(i);
      return i;
    };
    const instanceLabels = parseWatchSelector(deps.watchSelector);
    const selector = formatSelector(instanceLabels);
    const workspaces = informer('Workspace', API_VERSION, selector);
    const namespaces = informer('Namespace', API_VERSION, selector);
    const queues = informer('Queue', API_VERSION, selector);
    const deployments = informer('Deployment', API_VERSION, selector);
    const savepoints = informer('Savepoint', API_VERSION, selector);
    savepoints.addIndex(SAVEPOINT_INDEX_DEPLOYMENT, (s) => {
      const d = (s as Obj).spec?.deployment;
      return typeof d === 'string' ? [`${s.metadata.namespace}/${d}`] : [];
    });
    // An instance with a watch selector stamps its labels on the pods it creates and caches only those.
    const pods = informer('Pod', 'v1', [`${LABELS.managedBy}=${MANAGED_BY}`, selector].filter(Boolean).join(','), slimPod);
    // Only pods the Deployment owns count as its pods: a look-alike with its label holds nothing (pod-ownership.ts).
    pods.addIndex(POD_INDEX_DEPLOYMENT, (p) => {
      const d = owningDeployment(p);
      return d ? [`${p.metadata.namespace}/${d}`] : [];
    });
    const caches = { workspaces, namespaces, queues, deployments, savepoints, pods } as unknown as Caches;
    const millraceCaches: Record<string, SupervisedInformer<KubeObject>> = { Workspace: workspaces, Namespace: namespaces, Queue: queues, Deployment: deployments, Savepoint: savepoints };
    const cachedObjects = {
      hasKind: (apiVersion: string, kind: string) => apiVersion === API_VERSION && kind in millraceCaches,
      get: (ref: ObjectRef) => (ref.apiVersion === API_VERSION ? millraceCaches[ref.kind]?.get(ref.name, ref.namespace) : undefined),
    };
    this.rest = new UnchangedApplySkipper(new InstanceLabellingClient(deps.rest, instanceLabels), cachedObjects, (kind) => deps.metrics.writesSkipped.inc({ kind }));
    // Read-your-own-writes: a pass of a key waits until the cache holds the key's last write (own-writes.ts).
    const controllerOf: Record<string, ControllerName> = { Workspace: 'workspace', Namespace: 'namespace', Queue: 'queue', Deployment: 'deployment', Savepoint: 'savepoint' };
    this.ownWrites = new OwnWrites({ clock: deps.clock, wake: (kind, key) => { const c = controllerOf[kind]; if (c) this.queues.get(c)?.add(key); } });
    // Registered before the controllers' handlers: a key's event first releases its own-write wait.
    for (const cache of Object.values(millraceCaches)) cache.on((e, o) => {
      this.ownWrites.observed(o.kind, keyOf(o), e === 'delete' ? undefined : o.metadata.resourceVersion);
      if (e === 'delete') this.rest.forget({ apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name });
    });
    this.ctx = {
      rest: new OwnWriteRecorder(this.rest, cachedObjects, this.ownWrites), caches, clock: deps.clock, fieldManager: FIELD_MANAGER, instanceLabels, operatorNamespace: deps.operatorNamespace, operatorTenantAccess: deps.operatorTenantAccess,
      events: createEventRecorder(deps.rest, { controller: 'millrace.dev/operator', instance: deps.instance, clock: deps.clock, logger: deps.logger }),
    };
    const ctx = this.ctx;
    // A pass waits (returns at once; its key is woken) while the cache lacks the key's own last write.
    const fresh = (kind: string, reconcile: Reconcile): Reconcile => async (key, log) => (this.ownWrites.defer(kind, key) ? {} : reconcile(key, log));
    this.reconcilers = {
      workspace: fresh('Workspace', (key) => reconcileWorkspace(ctx, deps.storage, key)),
      namespace: fresh('Namespace', (key) => reconcileNamespace(ctx, key, { files: deps.savepointFiles, sweep: deps.savepointSweep })),
      queue: fresh('Queue', (key) => { const k = splitKey(key); return reconcileQueue(ctx, k.namespace ?? '', k.name); }),
      deployment: fresh('Deployment', (key) => { const k = splitKey(key); return reconcileDeployment(ctx, { jobManagers: deps.jobManagers, defaultImage: deps.defaultImage }, k.namespace ?? '', k.name); }),
      savepoint: fresh('Savepoint', (key) => { const k = splitKey(key); return reconcileSavepoint(ctx, { jobManagers: deps.jobManagers, files: deps.savepointFiles }, k.namespace ?? '', k.name); }),
      // USED only (usage-refresh.ts): one status patch, or the full pass when the object is not settled.
      namespaceUsage: fresh('Namespace', async (key) => { if (await refreshUsage(ctx, 'Namespace', key) === 'full') this.queues.get('namespace')?.add(key); }),
      workspaceUsage: fresh('Workspace', async (key) => { if (await refreshUsage(ctx, 'Workspace', key) === 'full') this.queues.get('workspace')?.add(key); }),
      queueUsage: fresh('Queue', async (key) => { if (await refreshUsage(ctx, 'Queue', key) === 'full') this.queues.get('queue')?.add(key); }),
      // The CU in use of a queue changed: the head of its waiting line decides again (queue-view.ts
      // waitingHead), not every Deployment waiting (O(queued) passes per change, each writing its
      // place in line). Run from its own queue, so the admission index has seen the event first.
      queueWaiting: async (key) => {
        const { namespace = '', name } = splitKey(key);
        const queueCU = usableQueueCU(ctx.caches.queues.get(name, namespace));
        if (queueCU === undefined) return; // not active: the queue's own events wake its deployments
        const head = waitingHead(ctx, namespace, name, queueCU)
          ?? ctx.caches.deployments.list(namespace).filter((d) => (d.spec?.queue ?? 'default-queue') === name).map((d) => d.metadata.name);
        // Only those a pass put in Queued: one not reconciled yet is on its way anyway (a pass in
        // flight would run again for nothing).
        for (const d of head) if (ctx.caches.deployments.get(d, namespace)?.status?.phase === 'Queued') this.queues.get('deployment')?.add(`${namespace}/${d}`);
      },
    };
    for (const name of Object.keys(this.reconcilers) as ControllerName[]) this.queues.set(name, new WorkQueue({ clock: deps.clock, random: deps.random }));

    const c = caches;
    // New work (an object created, its spec or a phase others depend on changed) is high priority;
    // follow-ups (events of the pods a Deployment owns, requeues and retries: controller-runner.ts)
    // are low, so a newcomer does not wait behind the follow-ups of thousands.
    const add = (controller: ControllerName, key: string, priority: Priority = 'high') => this.queues.get(controller)?.add(key, priority);
    const list = (cache: { list(ns?: string): ReadonlyArray<Obj> }, ns?: string) => cache.list(ns) as ReadonlyArray<Obj>;
    // Level-based: every event only names keys to look at again; the reconcile re-reads the cache.
    // Our own status writes come back as events too; they matter only where they change what
    // others decide (a phase), so the signatures below keep O(n^2) fan-out away.
    const seen = new Map<string, string>();
    const changed = (kind: string, o: KubeObject, signature: string) => {
      const k = `${kind}:${keyOf(o)}`;
      if (seen.get(k) === signature) return false;
      seen.set(k, signature);
      return true;
    };
    const specSignature = (o: KubeObject) => `${o.metadata.generation}|${o.metadata.deletionTimestamp ?? ''}|${(o.metadata.finalizers ?? []).join(',')}`;
    const phaseOf = (o: KubeObject) => String((o.status as { phase?: string } | undefined)?.phase ?? '');
    workspaces.on((e, o) => {
      const specChanged = e === 'delete' || changed('Workspace', o, specSignature(o));
      if (specChanged) add('workspace', keyOf(o));
      // Its namespaces read its spec (capacity, storage, pods) and phase, not its usage: a USED
      // refresh (one a second in a wave) does not make every namespace of it take a full pass.
      const forNamespaces = specChanged || changed('Workspace.phase', o, phaseOf(o));
      if (e === 'delete') { seen.delete(`Workspace:${keyOf(o)}`); seen.delete(`Workspace.phase:${keyOf(o)}`); }
      if (!forNamespaces) return;
      for (const n of list(c.namespaces)) {
        if (n.spec?.workspace !== o.metadata.name) continue;
        add('namespace', keyOf(n));
        // spec.pods decides which image and service account its Deployments may use.
        if (specChanged) for (const d of list(c.deployments, n.metadata.name)) add('deployment', keyOf(d));
      }
    });
    namespaces.on((e, o) => {
      const ws = (o as Obj).spec?.workspace as string | undefined;
      // A namespace's quota in force (status.acceptedQuotaCU) decides whether the others fit.
      if (e === 'delete' || changed('Namespace', o, `${specSignature(o)}|${String((o.status as { acceptedQuotaCU?: number } | undefined)?.acceptedQuotaCU)}`)) {
        add('namespace', keyOf(o));
        if (ws) { add('workspace', ws); for (const n of list(c.namespaces)) if (n.spec?.workspace === ws) add('namespace', keyOf(n)); }
      }
      if (e === 'delete' || changed('Namespace.phase', o, phaseOf(o))) for (const q of list(c.queues, o.metadata.name)) add('queue', keyOf(q));
    });
    queues.on((e, o) => {
      const ns = o.metadata.namespace ?? '';
      // A queue's size in force (status.acceptedCU) decides the default-queue and whether the others fit.
      if (e === 'delete' || changed('Queue', o, `${specSignature(o)}|${String((o.status as { acceptedCU?: number } | undefined)?.acceptedCU)}`)) {
        add('namespace', ns);
        for (const q of list(c.queues, ns)) add('queue', keyOf(q));
      }
      // Deployments care about the queue's size and phase, not about its usage counters.
      if (e === 'delete' || changed('Queue.capacity', o, `${phaseOf(o)}|${String((o as Obj).spec?.cu)}|${String((o.status as { acceptedCU?: number } | undefined)?.acceptedCU)}`)) {
        for (const d of list(c.deployments, ns)) if ((d.spec?.queue ?? 'default-queue') === o.metadata.name) add('deployment', keyOf(d));
      }
    });
    deployments.on((e, o) => {
      const ns = o.metadata.namespace ?? '';
      const queue = ((o as Obj).spec?.queue as string | undefined) ?? 'default-queue';
      // A spec not yet reconciled goes high, a settled one (the initial list after a restart) low: event-priority.ts.
      if (e === 'delete' || changed('Deployment', o, specSignature(o))) add('deployment', keyOf(o), deploymentEventPriority(e, o));
      if (e === 'delete' || changed('Deployment.phase', o, `${phaseOf(o)}|${(o.status as { cuInUse?: number } | undefined)?.cuInUse ?? ''}`)) {
        // The queue's status only reports usage: one refresh per window at most, however many of its
        // deployments change (1,000 starting at once made 1,000 queue reconciles); the window grows
        // with the objects of the kind (usage-coalescing.ts): 50 namespaces in a wave would otherwise
        // take 100 patches a second.
        this.queues.get('queueUsage')?.addAfter(`${ns}/${queue}`, usageRefreshDelayMs(queues.size));
        // USED of the Namespace and of its Workspace sum the deployments' cuInUse: same coalescing,
        // and only USED is refreshed: no full pass of a settled namespace (usage-refresh.ts); one
        // being deleted, which waits for its deployments to go, still gets its full pass.
        this.queues.get('namespaceUsage')?.addAfter(ns, usageRefreshDelayMs(namespaces.size));
        const ws = c.namespaces.get(ns)?.spec?.workspace;
        if (ws) this.queues.get('workspaceUsage')?.addAfter(ws, usageRefreshDelayMs(workspaces.size));
        // Capacity may have freed: the head of the queue's waiting line decides again (queueWaiting above).
        this.queues.get('queueWaiting')?.add(`${ns}/${queue}`);
        for (const s of c.savepoints.byIndex(SAVEPOINT_INDEX_DEPLOYMENT, keyOf(o))) add('savepoint', keyOf(s));
      }
      if (e === 'delete') { seen.delete(`Deployment:${keyOf(o)}`); seen.delete(`Deployment.phase:${keyOf(o)}`); }
    });
    savepoints.on((e, o) => {
      if (e === 'delete' || changed('Savepoint', o, specSignature(o))) add('savepoint', keyOf(o));
      // The deployment counts its periodic savepoints: one finishing or going starts the next interval or frees history.
      const d = (o as Obj).spec?.deployment;
      if (typeof d === 'string' && (e === 'delete' || changed('Savepoint.phase', o, `${phaseOf(o)}|${o.metadata.deletionTimestamp ?? ''}`))) add('deployment', `${o.metadata.namespace}/${d}`);
      if (e === 'delete') { seen.delete(`Savepoint:${keyOf(o)}`); seen.delete(`Savepoint.phase:${keyOf(o)}`); }
    });
    pods.on((_e, o) => {
      const d = owningDeployment(o);
      if (d) add('deployment', `${o.metadata.namespace}/${d}`, 'low');
    });
  }

  /** Starts the informers and waits for their caches; reconciling starts with startControllers(). */
  async startInformers(): Promise<void> {
    await Promise.all(this.informers.map((i) => i.start()));
    this.synced = true;
    this.refreshPhaseGauge();
  }

  startControllers(): void {
    if (this.runners.length) return;
    for (const [name, reconcile] of Object.entries(this.reconcilers) as [ControllerName, Reconcile][]) {
      const queue = this.queues.get(name);
      if (!queue) continue;
      const runner = new ControllerRunner({ name, queue, reconcile, workers: this.deps.workers, logger: this.deps.logger, metrics: this.deps.metrics });
      runner.start();
      this.runners.push(runner);
    }
    this.deps.logger.info('controllers started');
  }

  private refreshPhaseGauge(): void {
    const g = this.deps.metrics.objectsByPhase;
    g.reset();
    const kinds: Array<[string, { list(): ReadonlyArray<KubeObject> }]> = [
      ['Workspace', this.ctx.caches.workspaces], ['Namespace', this.ctx.caches.namespaces], ['Queue', this.ctx.caches.queues],
      ['Deployment', this.ctx.caches.deployments], ['Savepoint', this.ctx.caches.savepoints],
    ];
    for (const [kind, cache] of kinds) {
      for (const o of cache.list()) g.inc({ kind, phase: String((o.status as { phase?: string } | undefined)?.phase ?? 'Unknown') });
    }
    for (const [name, q] of this.queues) this.deps.metrics.queueDepth.set({ controller: name }, q.depth);
    this.phaseTimer = this.deps.clock.setTimeout(() => this.refreshPhaseGauge(), 5_000);
  }

  /** Why the operator is not ready, or undefined. */
  notReadyReason(): string | undefined {
    if (!this.synced) return 'informer caches not synced';
    const lagging = this.informers.filter((i) => !i.synced).map((i) => i.name);
    return lagging.length ? `informers not synced: ${lagging.join(', ')}` : undefined;
  }

  /** Graceful: stop taking keys, let reconciles in flight finish, then stop watching. */
  async stop(): Promise<void> {
    this.deps.clock.clearTimeout(this.phaseTimer);
    this.ownWrites.close();
    await Promise.all(this.runners.map((r) => r.stop()));
    for (const q of this.queues.values()) q.shutDown();
    await Promise.all(this.informers.map((i) => i.stop()));
    this.runners = [];
  }
}
