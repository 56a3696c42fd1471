// Drafts: SQL scripts and YAML pipelines a member edits in the console before deploying them,
// kept with every saved version in the workspace bucket:
//   drafts/namespaces/<namespace>/<draft>/<version>.json   (version: 6 digits, 000001 first)
// Each version is written once (a write that succeeds only if the number is free) and never
// changed; the newest version is the draft. The object
// holds the text and who saved it when, so the history reads without another index.
import type { ObjectStore } from '../../../runtime/storage/object-store.ts';
import { ConsoleError } from '../errors.ts';

export const DRAFT_KINDS = ['sql', 'pipeline'] as const;
export type DraftKind = (typeof DRAFT_KINDS)[number];

export interface DraftVersion {
  namespace: string;
  name: string;
  version: number;
  kind: DraftKind;
  text: string;
  savedBy: string;
  savedAt: string;
}

export const DRAFT_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const MAX_DRAFT_BYTES = 256 * 1024;

export const draftPrefix = (namespace: string, name?: string) => `drafts/namespaces/${namespace}/${name ? `${name}/` : ''}`;
const versionKey = (namespace: string, name: string, version: number) => `${draftPrefix(namespace, name)}${String(version).padStart(6, '0')}.json`;
const versionOf = (key: string) => Number(/(\d{6})\.json$/.exec(key)?.[1] ?? NaN);

export function checkDraftName(name: string): void {
  if (!DRAFT_NAME.test(name)) throw new ConsoleError('MR_ERR_CONSOLE_REQUEST_INVALID', `draft name '${name}' is not valid: use lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters`);
}

export class DraftStore {
  private readonly store: ObjectStore;
  private readonly now: () => number;
  constructor(store: ObjectStore, now: () => number) { this.store = store; this.now = now; }

  get description(): string { return this.store.description; }

  /** Names of the drafts of a namespace, sorted. */
  async list(namespace: string): Promise<string[]> {
    return this.wrap(() => this.store.listDirs(draftPrefix(namespace)));
  }

  /** Version numbers of a draft, oldest first; empty when it does not exist. */
  async versions(namespace: string, name: string): Promise<number[]> {
    checkDraftName(name);
    const objects = await this.wrap(() => this.store.list(draftPrefix(namespace, name)));
    return objects.map((o) => versionOf(o.key)).filter((v) => Number.isInteger(v)).sort((a, b) => a - b);
  }

  /** One version, or the newest when `version` is undefined. */
  async read(namespace: string, name: string, version?: number): Promise<DraftVersion> {
    const all = await this.versions(namespace, name);
    const v = version ?? all.at(-1);
    if (v === undefined || !all.includes(v)) throw new ConsoleError('MR_ERR_CONSOLE_NOT_FOUND', `draft ${namespace}/${name}${version ? ` version ${version}` : ''} does not exist`);
    const bytes = await this.wrap(() => this.store.get(versionKey(namespace, name, v)));
    return JSON.parse(bytes.toString('utf8')) as DraftVersion;
  }

  /** Saves a new version (the next free number, also against concurrent saves) and returns it. */
  async save(namespace: string, name: string, kind: DraftKind, text: string, savedBy: string): Promise<DraftVersion> {
    checkDraftName(name);
    if (!DRAFT_KINDS.includes(kind)) throw new ConsoleError('MR_ERR_CONSOLE_REQUEST_INVALID', `draft kind '${kind}' is not valid: use sql or pipeline`);
    if (Buffer.byteLength(text) > MAX_DRAFT_BYTES) throw new ConsoleError('MR_ERR_CONSOLE_REQUEST_INVALID', `the draft text is over ${MAX_DRAFT_BYTES} bytes (the limit of a Deployment's source.sql)`);
    for (let attempt = 0; attempt < 10; attempt++) {
      const version = ((await this.versions(namespace, name)).at(-1) ?? 0) + 1;
      const draft: DraftVersion = { namespace, name, version, kind, text, savedBy, savedAt: new Date(this.now()).toISOString() };
      // Written only if the number is still free: another save that took it makes us count again.
      if (await this.wrap(() => this.store.create(versionKey(namespace, name, version), Buffer.from(JSON.stringify(draft))))) return draft;
    }
    throw new ConsoleError('MR_ERR_CONSOLE_CONFLICT', `draft ${namespace}/${name}: too many concurrent saves; save again`);
  }

  private async wrap<T>(fn: () => Promise<T>): Promise<T> {
    try { return await fn(); } catch (err) {
      if (err instanceof ConsoleError) throw err;
      throw new ConsoleError('MR_ERR_CONSOLE_STORAGE', `drafts storage ${this.store.description}: ${(err as Error).message}`, { cause: err });
    }
  }
}
