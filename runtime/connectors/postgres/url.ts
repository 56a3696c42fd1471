// Flink's JDBC `url` (`jdbc:postgresql://host[:port]/database[?param=value&...]`) to node-postgres
// settings. Parameters PgJDBC users write that mean the same here are taken (`user`, `password`,
// `sslmode`, `ApplicationName`, `connectTimeout`); others are refused by name rather than ignored.
import { ConnectorError } from '../factory/errors.ts';

export interface PgSettings {
  host: string;
  port: number;
  database: string;
  user?: string;
  password?: string;
  ssl?: boolean | { rejectUnauthorized: boolean };
  application_name?: string;
  connectionTimeoutMillis?: number;
}

const SSL_MODES: Record<string, PgSettings['ssl']> = {
  disable: false,
  allow: false,
  prefer: false,
  require: { rejectUnauthorized: false },
  'verify-ca': { rejectUnauthorized: true },
  'verify-full': { rejectUnauthorized: true },
};

export function parseJdbcUrl(url: string, table: string): PgSettings {
  const fail = (why: string) => new ConnectorError('MR_ERR_CONNECTOR_OPTIONS', `table '${table}': option 'url' = '${url}': ${why}; expected jdbc:postgresql://<host>[:<port>]/<database>`);
  const m = /^jdbc:postgresql:\/\/(\[[^\]]+\]|[^/:?]+)(?::(\d+))?\/([^?]+)(?:\?(.*))?$/.exec(url.trim());
  if (!m) throw fail(url.startsWith('jdbc:') && !url.startsWith('jdbc:postgresql:') ? 'only PostgreSQL is supported' : 'not a PostgreSQL JDBC URL');
  const port = m[2] === undefined ? 5432 : Number(m[2]);
  if (port < 1 || port > 65535) throw fail(`port ${port} is out of range`);
  const settings: PgSettings = { host: m[1]!.replace(/^\[|\]$/g, ''), port, database: decodeURIComponent(m[3]!) };
  for (const [key, value] of new URLSearchParams(m[4] ?? '')) {
    switch (key) {
      case 'user': settings.user = value; break;
      case 'password': settings.password = value; break;
      case 'ApplicationName': settings.application_name = value; break;
      case 'connectTimeout': settings.connectionTimeoutMillis = Number(value) * 1000; break;
      case 'sslmode':
        if (!(value in SSL_MODES)) throw fail(`sslmode '${value}' is not one of ${Object.keys(SSL_MODES).join(', ')}`);
        settings.ssl = SSL_MODES[value]!;
        break;
      default: throw fail(`URL parameter '${key}' is not supported (supported: user, password, sslmode, ApplicationName, connectTimeout)`);
    }
  }
  return settings;
}
