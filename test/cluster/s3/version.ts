// The S3 server used by tests: MinIO, pinned to one commit and built from the Go module proxy.
// Upstream archived the repository in February 2026; its last commit only changed the README,
// so this pin is the final state of the open-source server. It is a test fixture, never shipped.
export const minio = {
  modulePath: 'github.com/minio/minio',
  // Pseudo-version of commit 7aac2a2c5b7c (2026-02-12). go.mod has no replace directives,
  // so `go install module@version` builds it with MinIO's own go.sum, checked by sum.golang.org.
  version: 'v0.0.0-20260212201848-7aac2a2c5b7c',
  shortCommit: '7aac2a2c5b7c',
} as const;
