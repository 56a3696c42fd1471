// Plans statements: validate and convert (validator/), optimize (rules/), check what streaming
// refuses, derive each node's changelog (and refuse an update stream into an append-only sink).
// The result is what the physical translation turns into runtime operators, and what EXPLAIN prints.
import type { Insert, Query, Statement } from '../parser/ast.ts';
import { SqlError } from '../errors.ts';
import { convertInsert } from '../validator/insert-converter.ts';
import { convertQuery } from '../validator/query-converter.ts';
import type { ResolveContext } from '../validator/table-resolver.ts';
import type { ChangelogInfo, ConnectorCapabilities } from './changelog.ts';
import { changelogText, defaultConnectorCapabilities, deriveChangelog } from './changelog.ts';
import { explainPlan, reuseMarks } from './explain.ts';
import { pushedWatermarks } from './explain-watermark.ts';
import type { LogicalNode } from './logical-plan.ts';
import { optimize } from './optimizer.ts';
import type { Rule } from './rules/index.ts';
import { DEFAULT_RULES } from './rules/index.ts';
import { applyConfiguredRules, configuredRules } from './rules/configured-rules.ts';
import { reuseSources } from './rules/source-reuse.ts';
import { checkStreaming } from './streaming-checks.ts';

export interface PlannerOptions {
  capabilities?: ConnectorCapabilities;
  rules?: readonly Rule[];
  /** the session's configuration: switches on the configured rewrites (rules/configured-rules.ts) */
  config?: ReadonlyMap<string, string>;
}

export interface PlannedTree {
  /** As converted from SQL, before any rule (EXPLAIN's "Abstract Syntax Tree"). */
  logical: LogicalNode;
  optimized: LogicalNode;
  changelog: Map<LogicalNode, ChangelogInfo>;
}

function planTree(logical: LogicalNode, options: PlannerOptions): PlannedTree {
  const capabilities = options.capabilities ?? defaultConnectorCapabilities;
  const optimized = applyConfiguredRules(optimize(logical, options.rules ?? DEFAULT_RULES), configuredRules(options.config, capabilities));
  checkStreaming(optimized);
  const changelog = deriveChangelog(optimized, capabilities);
  return { logical, optimized, changelog };
}

export function planQuery(query: Query, ctx: ResolveContext, options: PlannerOptions = {}): PlannedTree {
  return planTree(convertQuery(query, ctx), options);
}

/** One job: the INSERTs of a statement set (or a single INSERT), each ending in a Sink; identical scans shared (rules/source-reuse.ts). */
export function planInserts(inserts: readonly Insert[], ctx: ResolveContext, options: PlannerOptions = {}): PlannedTree[] {
  const pushesWatermark = options.capabilities?.watermarkPushDown?.bind(options.capabilities);
  return reuseSources(inserts.map((i) => planTree(convertInsert(i, ctx), options)), options.config, pushesWatermark);
}

export function explainTrees(trees: readonly PlannedTree[], details: readonly string[] = [], options: PlannerOptions = {}): string {
  const withChangelog = details.includes('CHANGELOG_MODE');
  const ast = trees.map((t) => explainPlan(t.logical)).join('\n\n');
  // a node shared by several consumers (a reused source) prints once, then as Reused(reference_id=[n]), as in Flink
  const reuse = reuseMarks(trees.map((t) => t.optimized));
  // a WATERMARK the source generates (kafka) shows in its TableSourceScan, as in Flink
  const pushes = options.capabilities?.watermarkPushDown?.bind(options.capabilities);
  const pushed = pushes ? { pushedWatermarks: pushedWatermarks(trees.map((t) => t.optimized), pushes, options.config) } : {};
  const optimized = trees.map((t) => explainPlan(t.optimized, { reuse, ...pushed, ...(withChangelog ? { changelog: (n: LogicalNode) => { const c = t.changelog.get(n); return c === undefined ? undefined : changelogText(c); } } : {}) })).join('\n\n');
  return `== Abstract Syntax Tree ==\n${ast}\n\n== Optimized Logical Plan ==\n${optimized}\n`;
}

/** EXPLAIN [details] <query | INSERT | statement set>. */
export function explainStatement(statement: Statement, details: readonly string[], ctx: ResolveContext, options: PlannerOptions = {}): string {
  switch (statement.kind) {
    case 'queryStatement': return explainTrees([planQuery(statement.query, ctx, options)], details, options);
    case 'insert': return explainTrees(planInserts([statement], ctx, options), details, options);
    case 'statementSet': return explainTrees(planInserts(statement.inserts, ctx, options), details, options);
    default: throw new SqlError('MR_ERR_SQL_UNSUPPORTED', `EXPLAIN supports queries, INSERT and statement sets, not ${statement.kind}`, statement.pos);
  }
}
