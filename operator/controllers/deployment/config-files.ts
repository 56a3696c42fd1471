// How a Deployment's pods get the files of /etc/millrace (millrace.json, an inline pipeline or
// SQL script), pure. The usual, small case: in each pod's own annotations, which a downward API
// volume projects as those files. That saves a ConfigMap request per start (issue 15: requests per
// Deployment), and each pod keeps the configuration it was made with. A large case falls back
// to a ConfigMap, mounted as before:
// - the files are more than INLINE_FILES_MAX_BYTES (they go into every pod, TaskManagers
//   included, and into every watch event of every pod), or
// - with the podTemplate's annotations they would pass ANNOTATIONS_MAX_BYTES (the API server
//   refuses a pod whose annotations pass 256 KiB in all).
// Either way the runtime reads the same files (runtime/jobmanager/jobmanager-config.ts). Members
// may read pods and ConfigMaps alike (operator/rbac/member-roles.ts) and write neither, and the
// files hold nothing the Deployment's spec does not (no secret values): no change for security.

/** Files up to this size in all (UTF-8 bytes) go into the pods' annotations. */
export const INLINE_FILES_MAX_BYTES = 16 * 1024;
/** The pods' annotations (podTemplate's and ours) stay under this; the API server's limit is 256 KiB. */
export const ANNOTATIONS_MAX_BYTES = 128 * 1024;

/** The annotation that carries a file (a valid key: the file names are short and plain). */
export const configFileAnnotation = (file: string) => `millrace.dev/config.${file}`;

export interface ConfigDelivery {
  /** The pods' annotations: the podTemplate's, plus the files' when they go inline. */
  annotations?: Record<string, string>;
  /** The pods' `config` volume. */
  volume: Record<string, unknown>;
  /** Whether a ConfigMap (configMapName) must hold the files. */
  configMap: boolean;
}

const bytes = (m: Record<string, string> | undefined) => Object.entries(m ?? {}).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);

export function configDelivery(files: Record<string, string>, configMapName: string, podTemplateAnnotations: Record<string, string> | undefined): ConfigDelivery {
  const inline = Object.fromEntries(Object.entries(files).map(([file, text]) => [configFileAnnotation(file), text]));
  const filesBytes = Object.values(files).reduce((n, v) => n + Buffer.byteLength(v), 0);
  if (filesBytes > INLINE_FILES_MAX_BYTES || bytes(podTemplateAnnotations) + bytes(inline) > ANNOTATIONS_MAX_BYTES) {
    return { ...(podTemplateAnnotations ? { annotations: podTemplateAnnotations } : {}), volume: { name: 'config', configMap: { name: configMapName } }, configMap: true };
  }
  return {
    // ours last: the CRD refuses millrace.dev keys in podTemplate.annotations anyway
    annotations: { ...(podTemplateAnnotations ?? {}), ...inline },
    volume: {
      name: 'config',
      downwardAPI: { items: Object.keys(files).map((file) => ({ path: file, fieldRef: { fieldPath: `metadata.annotations['${configFileAnnotation(file)}']` } })) },
    },
    configMap: false,
  };
}
