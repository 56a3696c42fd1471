// Kafka's `sasl.jaas.config` as Flink users write it:
//   org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p";
// One login module, a control flag, `key=value` options (values quoted, `\` escapes inside
// quotes, or bare words) and a closing `;`. Flink's SQL connector jar shades Kafka, so the same
// class under `org.apache.flink.kafka.shaded.` is accepted too. Errors name the part that is
// wrong but never repeat the text: it holds a password.

export type SaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

export interface JaasConfig {
  /** the login module's class as written */
  readonly loginModule: string;
  /** which mechanisms the module serves */
  readonly mechanisms: readonly SaslMechanism[];
  readonly options: Readonly<Record<string, string>>;
}

const PLAIN_MODULE = 'org.apache.kafka.common.security.plain.PlainLoginModule';
const SCRAM_MODULE = 'org.apache.kafka.common.security.scram.ScramLoginModule';
const SHADED = 'org.apache.flink.kafka.shaded.';
const FLAGS = ['required', 'requisite', 'sufficient', 'optional'];

export const JAAS_EXAMPLE = `${PLAIN_MODULE} required username="<user>" password="\${secret:<name>/<key>}";`;

/** Thrown with a description of what is wrong (without the text); the caller adds the option name. */
export class JaasSyntaxError extends Error {}

function mechanismsOf(module: string): readonly SaslMechanism[] | undefined {
  const name = module.startsWith(SHADED) ? module.slice(SHADED.length) : module;
  if (name === PLAIN_MODULE) return ['PLAIN'];
  if (name === SCRAM_MODULE) return ['SCRAM-SHA-256', 'SCRAM-SHA-512'];
  return undefined;
}

/** Parses one login module entry; throws JaasSyntaxError saying what was expected where. */
export function parseJaasConfig(text: string): JaasConfig {
  let i = 0;
  const at = () => `at character ${i + 1}`;
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const word = (): string => {
    const m = /^[A-Za-z0-9_.$-]+/.exec(text.slice(i));
    if (!m) return '';
    i += m[0].length;
    return m[0];
  };

  skipSpace();
  const loginModule = word();
  if (loginModule === '') throw new JaasSyntaxError(`expected a login module class ${at()}`);
  const mechanisms = mechanismsOf(loginModule);
  if (!mechanisms) {
    const what = /OAuthBearerLoginModule$/.test(loginModule) ? 'OAUTHBEARER is not supported' : /Krb5LoginModule$/.test(loginModule) ? 'Kerberos (GSSAPI) is not supported' : `'${loginModule}' is not a login module Millrace knows`;
    throw new JaasSyntaxError(`${what}; use ${PLAIN_MODULE} (PLAIN) or ${SCRAM_MODULE} (SCRAM-SHA-256, SCRAM-SHA-512)`);
  }
  skipSpace();
  const flag = word();
  if (!FLAGS.includes(flag.toLowerCase())) throw new JaasSyntaxError(`expected the control flag 'required' after the login module ${at()}`);
  const options: Record<string, string> = {};
  for (;;) {
    skipSpace();
    if (i >= text.length) throw new JaasSyntaxError("missing the closing ';'");
    if (text[i] === ';') {
      i++;
      skipSpace();
      if (i < text.length) throw new JaasSyntaxError(`unexpected text after the closing ';' ${at()} (one login module only)`);
      return { loginModule, mechanisms, options };
    }
    const key = word();
    if (key === '') throw new JaasSyntaxError(`expected an option name such as username ${at()}`);
    skipSpace();
    if (text[i] !== '=') throw new JaasSyntaxError(`expected '=' after option '${key}' ${at()}`);
    i++;
    skipSpace();
    let value = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new JaasSyntaxError(`the quoted value of option '${key}' is not closed`);
        const c = text[i++]!;
        if (c === '"') break;
        if (c === '\\' && i < text.length) value += text[i++]!;
        else value += c;
      }
    } else {
      const m = /^[^\s;"]+/.exec(text.slice(i));
      if (!m) throw new JaasSyntaxError(`expected a value for option '${key}' ${at()}`);
      value = m[0];
      i += value.length;
    }
    options[key] = value;
  }
}
