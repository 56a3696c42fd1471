// The five kinds of millrace.dev/v1alpha1, in the order a person creates them.
import { workspaceKind } from './workspace.ts';
import { namespaceKind } from './namespace.ts';
import { queueKind } from './queue.ts';
import { deploymentKind } from './deployment.ts';
import { savepointKind } from './savepoint.ts';
import type { KindDefinition } from './meta.ts';

export const ALL_KINDS: readonly KindDefinition[] = [workspaceKind, namespaceKind, queueKind, deploymentKind, savepointKind];
