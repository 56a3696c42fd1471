import { jobManagerCheckpointConfig, parseConfigFile, standbyTaskManagersOf } from './jobmanager-config.ts';

describe('JobManager checkpoint configuration', () => {
  const file = parseConfigFile(JSON.stringify({
    deployment: { namespace: 'team-a', name: 'orders' }, checkpoints: { intervalSeconds: 30, retained: 2 },
    restore: { strategy: 'latestState', allowNonRestoredState: true }, source: { artifact: { uri: 'x' } },
  }), 'millrace.json');

  test('the operator ConfigMap sets deployment, interval, retention and restore strategy', () => {
    const c = jobManagerCheckpointConfig({}, file, { MILLRACE_S3_BUCKET: 'ws', MILLRACE_S3_PREFIX: 'p/' }, '/home/u');
    expect(c).toMatchObject({ storageUri: 's3://ws/p/', namespace: 'team-a', deployment: 'orders', retained: 2, restore: { kind: 'latestState' }, allowNonRestoredState: true });
    expect(c.settings.intervalMs).toBe(30_000);
  });

  test('flags win over the file', () => {
    const c = jobManagerCheckpointConfig({ checkpointStorage: '/tmp/x', deployment: 'other', checkpointIntervalMs: 0, fromSavepoint: 's3://b/sp/', allowNonRestoredState: false, tolerableFailedCheckpoints: 4 }, file, {}, '/home/u');
    expect(c).toMatchObject({ storageUri: '/tmp/x', deployment: 'other', restore: { kind: 'savepoint', path: 's3://b/sp/' }, allowNonRestoredState: false });
    expect(c.settings).toMatchObject({ intervalMs: 0, tolerableFailures: 4 });
  });

  test('without flags or file: local storage default, 10 s interval, no HA deployment', () => {
    const c = jobManagerCheckpointConfig({}, undefined, {}, '/home/u');
    expect(c).toMatchObject({ storageUri: '/home/u/.local/state/millrace/storage', namespace: 'default', deployment: undefined, retained: 3, restore: { kind: 'none' } });
    expect(c.settings.intervalMs).toBe(10_000);
  });

  test('a bad file names the field', () => {
    expect(() => parseConfigFile('{"checkpoints":{"retained":0}}', 'f.json')).toThrow(/MR_ERR_CONFIG: f.json .*checkpoints.retained/);
    expect(() => jobManagerCheckpointConfig({}, parseConfigFile('{"restore":{"strategy":"savepoint"}}', 'f'), {})).toThrow(/savepointPath is missing/);
  });

  test('standby TaskManagers: the flag, else taskManagers.standby of the file, else 0 (as Flink); a bad value names the field', () => {
    expect(standbyTaskManagersOf(undefined, undefined)).toBe(0);
    expect(standbyTaskManagersOf(undefined, parseConfigFile('{"taskManagers":{"standby":2}}', 'f'))).toBe(2);
    expect(standbyTaskManagersOf(0, parseConfigFile('{"taskManagers":{"standby":2}}', 'f'))).toBe(0);
    expect(() => parseConfigFile('{"taskManagers":{"standby":-1}}', 'f.json')).toThrow(/MR_ERR_CONFIG: f.json .*taskManagers.standby/);
  });
});
