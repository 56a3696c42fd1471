// spec.source.artifact.args as job parameters (pure), in the spirit of Flink's ParameterTool:
// `--name value`, `--name=value` and `name=value` each set params.get(name); a `--flag` with no
// value sets it to "true". The runtime receives them as `--set name=value` after
// spec.configuration, so an argument wins over a configuration key of the same name.

export type ArgsResult = { ok: true; params: Array<[string, string]> } | { ok: false; message: string };

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

export function artifactArgsToParams(args: readonly string[]): ArgsResult {
  const params: Array<[string, string]> = [];
  const bad = (i: number, why: string): ArgsResult => ({ ok: false, message: `spec.source.artifact.args[${i}]: ${why}; write each argument as --name value, --name=value or name=value` });
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a.startsWith('--')) {
      const body = a.slice(2);
      const eq = body.indexOf('=');
      const name = eq < 0 ? body : body.slice(0, eq);
      if (!NAME.test(name)) return bad(i, `'${a}' does not start with a parameter name`);
      if (eq >= 0) { params.push([name, body.slice(eq + 1)]); continue; }
      const next = args[i + 1];
      if (next === undefined || next.startsWith('--')) { params.push([name, 'true']); continue; }
      params.push([name, next]);
      i++;
      continue;
    }
    const eq = a.indexOf('=');
    if (eq <= 0 || !NAME.test(a.slice(0, eq))) return bad(i, `'${a}' is not a named parameter`);
    params.push([a.slice(0, eq), a.slice(eq + 1)]);
  }
  return { ok: true, params };
}
