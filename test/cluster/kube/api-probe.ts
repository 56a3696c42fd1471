import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';

/** GETs a path of the API server as the cluster admin; resolves with status and body. */
export async function apiGet(server: string, pkiDir: string, path: string): Promise<{ status: number; body: string }> {
  const [ca, cert, key] = await Promise.all(['ca.crt', 'admin.crt', 'admin.key'].map((f) => readFile(join(pkiDir, f))));
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, server), { ca, cert, key, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}
