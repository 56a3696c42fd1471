// Finalizer and status helpers shared by the reconcilers.
import { API_VERSION } from '../../api/v1alpha1/meta.ts';
import type { KubeObject } from '../../kube/rest-client.ts';
import { FINALIZER } from './context.ts';
import type { ReconcileContext } from './context.ts';

/** Adds our finalizer; resourceVersion makes the patch fail (and retry) if the object moved. */
export async function ensureFinalizer(ctx: ReconcileContext, obj: KubeObject): Promise<void> {
  const finalizers = obj.metadata.finalizers ?? [];
  if (finalizers.includes(FINALIZER)) return;
  await ctx.rest.mergePatch({ apiVersion: obj.apiVersion, kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name },
    { metadata: { finalizers: [...finalizers, FINALIZER], resourceVersion: obj.metadata.resourceVersion } });
}

export async function removeFinalizer(ctx: ReconcileContext, obj: KubeObject): Promise<void> {
  const finalizers = obj.metadata.finalizers ?? [];
  if (!finalizers.includes(FINALIZER)) return;
  await ctx.rest.mergePatch({ apiVersion: obj.apiVersion, kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name },
    { metadata: { finalizers: finalizers.filter((f) => f !== FINALIZER), resourceVersion: obj.metadata.resourceVersion } });
}

/**
 * Writes the whole status once, through the status subresource, with server-side apply. A
 * status that is already there is not sent again: ctx.rest leaves out applies this process
 * made before whose fields the cache already shows (operator/kube/unchanged-apply.ts).
 */
export async function writeStatus(ctx: ReconcileContext, obj: KubeObject, status: Record<string, unknown>): Promise<void> {
  await ctx.rest.apply({ apiVersion: API_VERSION, kind: obj.kind, metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace }, status }, ctx.fieldManager, 'status');
}
