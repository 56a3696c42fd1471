// SCRAM users of the shared broker's SASL listener on the host address (plan.ts
// `hostSaslMechanisms`). They live in the cluster metadata, made through the
// AlterUserScramCredentials API (what `kafka-configs --alter --add-config
// 'SCRAM-SHA-256=[password=…]' --entity-type users` sends), so a test makes a user with a
// password of its own, which it can then search for where it must not appear, and deletes it after.
import { alterUserScramCredentialsV0, Connection, type SASLMechanismValue } from '@platformatic/kafka';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

// Kafka's ScramMechanism type ids, and the hash each one salts the password with (RFC 5802 Hi())
const mechanisms: Record<ScramMechanism, { type: number; hash: string; bytes: number }> = {
  'SCRAM-SHA-256': { type: 1, hash: 'sha256', bytes: 32 },
  'SCRAM-SHA-512': { type: 2, hash: 'sha512', bytes: 64 },
};
/** Kafka's default iteration count (4096 is its minimum). */
const ITERATIONS = 8192;

function hostPort(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  return { host: address.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(address.slice(i + 1)) };
}

async function withConnection<T>(address: string, options: ConstructorParameters<typeof Connection>[1], action: (c: Connection) => Promise<T>): Promise<T> {
  const connection = new Connection('test-scram-admin', { connectTimeout: 5000, ...options });
  try {
    const { host, port } = hostPort(address);
    await connection.connect(host, port);
    return await action(connection);
  } finally {
    await connection.close().catch(() => {});
  }
}

/** Creates (or replaces) `user` with `password` for `mechanism`, through a plain listener at `bootstrap`. */
export async function createScramUser(bootstrap: string, user: string, password: string, mechanism: ScramMechanism = 'SCRAM-SHA-256'): Promise<void> {
  const m = mechanisms[mechanism];
  const salt = randomBytes(32);
  const saltedPassword = pbkdf2Sync(password, salt, ITERATIONS, m.bytes, m.hash);
  await withConnection(bootstrap, {}, (c) => alterUserScramCredentialsV0.api.async(c, [], [{ name: user, mechanism: m.type, iterations: ITERATIONS, salt, saltedPassword }]));
}

/** Deletes the user's credential for `mechanism`. */
export async function deleteScramUser(bootstrap: string, user: string, mechanism: ScramMechanism = 'SCRAM-SHA-256'): Promise<void> {
  await withConnection(bootstrap, {}, (c) => alterUserScramCredentialsV0.api.async(c, [{ name: user, mechanism: mechanisms[mechanism].type }], []));
}

/** Connects to the SASL listener and authenticates; rejects when the broker refuses the credentials. */
export async function scramLogin(saslBootstrap: string, user: string, password: string, mechanism: ScramMechanism = 'SCRAM-SHA-256'): Promise<void> {
  await withConnection(saslBootstrap, { sasl: { mechanism: mechanism as SASLMechanismValue, username: user, password } }, async () => {});
}

/**
 * Waits until `user` can log in: the broker learns a new credential from the metadata log a moment
 * after the controller stored it.
 */
export async function waitForScramLogin(saslBootstrap: string, user: string, password: string, mechanism: ScramMechanism = 'SCRAM-SHA-256', timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await scramLogin(saslBootstrap, user, password, mechanism);
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`user ${user} cannot log in to the SASL listener ${saslBootstrap} with ${mechanism} after ${timeoutMs} ms: ${String(err)}`, { cause: err });
      await sleep(200);
    }
  }
}
