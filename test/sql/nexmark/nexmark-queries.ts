// The Nexmark SQL files as the Nexmark project ships them (queries/), with its `${VAR}` placeholders
// filled in the way its harness does (QueryRunner substitutes them before submitting the text).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const QUERIES_DIR = join(dirname(fileURLToPath(import.meta.url)), 'queries');

/** q0 ... q23, in numeric order. */
export function nexmarkQueryNames(): string[] {
  return readdirSync(QUERIES_DIR)
    .filter((f) => /^q\d+\.sql$/.test(f))
    .map((f) => f.slice(0, -4))
    .sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
}

export const DEFAULT_VARIABLES: Readonly<Record<string, string>> = {
  NEXMARK_TABLE: 'datagen',
  TPS: '10000000',
  EVENTS_NUM: '100000000',
  PERSON_PROPORTION: '1',
  AUCTION_PROPORTION: '3',
  BID_PROPORTION: '46',
  KEEP_ALIVE: 'false',
  STOP_AT: '-1',
  BOOTSTRAP_SERVERS: 'localhost:9092',
  NEXMARK_DIR: '/tmp/nexmark',
  SUBMIT_TIME: '0',
  FLINK_HOME: '/tmp/flink',
};

/** Replaces `${NAME}`; an unknown name is an error rather than text left behind. */
export function substituteVariables(text: string, variables: Readonly<Record<string, string>> = DEFAULT_VARIABLES): string {
  return text.replace(/\$\{([A-Z_]+)\}/g, (_m, name: string) => {
    const v = variables[name];
    if (v === undefined) throw new Error(`Nexmark SQL variable \${${name}} has no value`);
    return v;
  });
}

export function readNexmarkFile(file: string, variables?: Readonly<Record<string, string>>): string {
  return substituteVariables(readFileSync(join(QUERIES_DIR, file), 'utf8'), variables);
}
