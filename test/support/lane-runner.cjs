// Jest test runner with three lanes, so the suite takes the time of its longest lane instead of
// the sum of all files:
//   - the node lane runs, one file at a time, every file whose pods run on the local cluster's
//     node tier (kubelet, containerd, the project image): they share the node's 2 CPUs of
//     allocatable capacity and its image store;
//   - the control-plane lane runs, one file at a time, every other file that uses the local
//     cluster: operators reconciling against the API server with their pods kept off the node
//     (a nodeSelector no node matches). Each file's operators reconcile only objects with that
//     file's instance label (test/operator/support/harness.ts), so the two cluster lanes never touch
//     each other's objects;
//   - the free lane runs every other file in the remaining workers, at the same time: unit tests,
//     process-tier jobs, private servers, and clients of the shared MinIO, Kafka broker and
//     PostgreSQL. Those servers take any number of clients; a lock decides who starts them, and
//     while the cluster runs they listen on its host address from the start, so a cluster test
//     never restarts them under a client. Their clients run last in the free lane, by when the
//     node lane has started the cluster, so the server is started the way pods need it.
// A cluster file that acts on the whole cluster (it installs an operator that watches every
// object, or removes cluster-wide roles others use) says so with a line `// test-lane: alone`; it
// runs after both cluster lanes have ended, with no other cluster file beside it.
// Most of a cluster file's time is waiting (pods starting, intervals, deadlines), so the lanes
// overlap well on two cores. A file lands in its lane by its imports and calls; nothing to declare.
// `--runInBand` runs everything in one lane.
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
// Modules whose importers run pods or images on the node tier.
const NODE_MODULES = new Set([
  'test/cluster/kube/node.ts',
  'test/cluster/image/build-image.ts',
  'test/cluster/image/containerd.ts',
  'test/cluster/image/node-image.ts',
]);
const CALLS_NODE = /\buseNode\(\)/;
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

/**
 * Whether `file`, or a module it imports outside the cluster and server harness, calls useNode()
 * or imports a node-tier module: its pods run on the node.
 */
function runsOnNode(verdicts, file, visiting = new Set()) {
  if (verdicts.has(file)) return verdicts.get(file);
  if (visiting.has(file)) return false;
  visiting.add(file);
  const source = existsSync(file) ? readFileSync(file, 'utf8') : '';
  let found = CALLS_NODE.test(source.replace(/\/\/.*$/gm, ''));
  for (const match of found ? [] : source.matchAll(RELATIVE_IMPORT)) {
    const target = resolve(dirname(file), match[1]);
    const name = relative(ROOT, target);
    if (NODE_MODULES.has(name)) found = true;
    else if (!CLUSTER_MODULES.has(name) && !SERVER_MODULES.has(name)) found = runsOnNode(verdicts, target, visiting);
    if (found) break;
  }
  visiting.delete(file);
  verdicts.set(file, found);
  return found;
}

const clusterVerdicts = new Map();
const serverVerdicts = new Map();
const usesCluster = (file) => importsAny(CLUSTER_MODULES, clusterVerdicts, file);
const usesServer = (file) => importsAny(SERVER_MODULES, serverVerdicts, file);
const nodeVerdicts = new Map();
const usesNode = (file) => usesCluster(file) && runsOnNode(nodeVerdicts, file);
const ALONE = /^\/\/ test-lane: alone\b/m;
const runsAlone = (file) => usesCluster(file) && existsSync(file) && ALONE.test(readFileSync(file, 'utf8'));

class LaneRunner {
  supportsEventEmitters = true;

  constructor(globalConfig, context) {
    this.lanes = {
      node: new TestRunner({ ...globalConfig, maxWorkers: 1 }, context),
      controlPlane: new TestRunner({ ...globalConfig, maxWorkers: 1 }, context),
      free: new TestRunner({ ...globalConfig, maxWorkers: Math.max(1, globalConfig.maxWorkers) }, context),
    };
  }

  async runTests(tests, watcher, options) {
    if (options.serial) return this.lanes.node.runTests(tests, watcher, options);
    const run = (lane, files) => (files.length > 0 ? lane.runTests(files, watcher, options) : Promise.resolve());
    const shared = tests.filter((test) => usesCluster(test.path) && !runsAlone(test.path));
    const others = tests.filter((test) => !usesCluster(test.path));
    const cluster = async () => {
      await Promise.all([
        run(this.lanes.node, shared.filter((test) => usesNode(test.path))),
        run(this.lanes.controlPlane, shared.filter((test) => !usesNode(test.path))),
      ]);
      await run(this.lanes.node, tests.filter((test) => runsAlone(test.path)));
    };
    await Promise.all([cluster(), run(this.lanes.free, [...others.filter((test) => !usesServer(test.path)), ...others.filter((test) => usesServer(test.path))])]);
  }

  on(eventName, listener) {
    const offs = Object.values(this.lanes).map((lane) => lane.on(eventName, listener));
    return () => {
      for (const off of offs) off();
    };
  }
}

module.exports = LaneRunner;
module.exports.usesCluster = usesCluster;
module.exports.usesServer = usesServer;
module.exports.usesNode = usesNode;
module.exports.runsAlone = runsAlone;
