// Jest test runner with two lanes, so the suite takes the time of its longest lane instead of the
// sum of all files:
//   - the shared lane runs, one file at a time, every file that uses the local cluster (its tiers
//     and their containerd), as the whole suite ran before;
//   - the free lane runs every other file in the remaining workers, at the same time: unit tests,
//     process-tier jobs, private servers, and clients of the shared MinIO, Kafka broker and
//     PostgreSQL. Those servers take any number of clients; a lock decides who starts them, and
//     while the cluster runs they listen on its host address from the start, so a cluster test
//     never restarts them under a client. Their clients run last in the free lane, by when the
//     shared lane has started the cluster, so the server is started the way pods need it.
// A file uses a part when it imports, directly or through its helpers, one of the modules below.
// `--runInBand` runs everything in one lane as before.
const { existsSync, readFileSync } = require('node:fs');
const { dirname, relative, resolve } = require('node:path');
const TestRunner = require('jest-runner').default;

const ROOT = dirname(require.resolve('../../package.json'));
const CLUSTER_MODULES = new Set([
  'test/cluster/environment.ts',
  'test/cluster/kube/cluster.ts',
  'test/cluster/kube/control-plane.ts',
  'test/cluster/kube/node.ts',
  'test/cluster/image/build-image.ts',
  'test/cluster/image/containerd.ts',
  'test/cluster/image/node-image.ts',
]);
const SERVER_MODULES = new Set([
  'test/cluster/s3/environment.ts',
  'test/cluster/s3/lifecycle.ts',
  'test/services/kafka/environment.ts',
  'test/services/kafka/broker.ts',
  'test/services/kafka/lifecycle.ts',
  'test/services/postgres/environment.ts',
  'test/services/postgres/lifecycle.ts',
  'test/services/postgres/server.ts',
]);
const RELATIVE_IMPORT = /(?:from\s+|import\s*\(\s*|import\s+)'(\.{1,2}\/[^']+\.ts)'/g;

/** Whether `file` imports, directly or transitively, one of `modules`. */
function importsAny(modules, verdicts, file, visiting = new Set()) {
  if (verdicts.has(file)) return verdicts.get(file);
  if (visiting.has(file)) return false;
  visiting.add(file);
  const source = existsSync(file) ? readFileSync(file, 'utf8') : '';
  let found = false;
  for (const match of source.matchAll(RELATIVE_IMPORT)) {
    const target = resolve(dirname(file), match[1]);
    if (modules.has(relative(ROOT, target)) || importsAny(modules, verdicts, target, visiting)) {
      found = true;
      break;
    }
  }
  visiting.delete(file);
  verdicts.set(file, found);
  return found;
}

const clusterVerdicts = new Map();
const serverVerdicts = new Map();
const usesCluster = (file) => importsAny(CLUSTER_MODULES, clusterVerdicts, file);
const usesServer = (file) => importsAny(SERVER_MODULES, serverVerdicts, file);

class LaneRunner {
  supportsEventEmitters = true;

  constructor(globalConfig, context) {
    this.shared = new TestRunner({ ...globalConfig, maxWorkers: 1 }, context);
    this.free = new TestRunner({ ...globalConfig, maxWorkers: Math.max(1, globalConfig.maxWorkers - 1) }, context);
  }

  async runTests(tests, watcher, options) {
    const shared = tests.filter((test) => usesCluster(test.path));
    const others = tests.filter((test) => !usesCluster(test.path));
    const free = [...others.filter((test) => !usesServer(test.path)), ...others.filter((test) => usesServer(test.path))];
    if (options.serial || free.length === 0) return this.shared.runTests(tests, watcher, options);
    if (shared.length === 0) return this.free.runTests(tests, watcher, options);
    await Promise.all([this.shared.runTests(shared, watcher, options), this.free.runTests(free, watcher, options)]);
  }

  on(eventName, listener) {
    const offShared = this.shared.on(eventName, listener);
    const offFree = this.free.on(eventName, listener);
    return () => {
      offShared();
      offFree();
    };
  }
}

module.exports = LaneRunner;
module.exports.usesCluster = usesCluster;
module.exports.usesServer = usesServer;
