// Where Debian's Chromium is (.ci/prepare-chromium.sh installs it); MILLRACE_CHROMIUM overrides.
import { existsSync } from 'node:fs';

export function chromiumPath(): string {
  const path = process.env.MILLRACE_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(path)) throw new Error(`MR_ERR_TEST_SETUP: no Chromium at ${path}; run bash .ci/prepare-chromium.sh (Debian package chromium) or set MILLRACE_CHROMIUM`);
  return path;
}
