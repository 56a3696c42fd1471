// A label selector that limits which Millrace objects one operator instance reconciles, so
// several instances (a canary, parallel test runs) can share one API server. Only equality
// terms (`key=value`, comma-separated): the operator stamps the same labels on the Millrace
// objects it creates itself (a namespace's default-queue), so they stay in its view.
import { MillraceError } from '../errors.ts';

const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** The labels of an equality selector; empty for an empty or absent selector. */
export function parseWatchSelector(selector: string | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const term of (selector ?? '').split(',').map((t) => t.trim()).filter(Boolean)) {
    const m = /^([^=!]+?)\s*==?\s*([^=!]*)$/.exec(term);
    const key = m?.[1]?.trim() ?? '';
    const value = m?.[2]?.trim() ?? '';
    if (!m || !LABEL_KEY.test(key) || !LABEL_VALUE.test(value)) {
      throw new MillraceError('MR_ERR_CONFIG', `MILLRACE_WATCH_SELECTOR term '${term}' is not key=value with a valid label key and value; use for example 'millrace.dev/operator=canary'`);
    }
    labels[key] = value;
  }
  return labels;
}

export const formatSelector = (labels: Record<string, string>): string | undefined =>
  Object.keys(labels).length ? Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',') : undefined;
