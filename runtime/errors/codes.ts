// The runtime's registry of coded errors: every code a JobManager or TaskManager sends across a
// process boundary (REST responses, TaskManager ↔ JobManager protocol, data-plane refusals) is
// listed here with the HTTP status it maps to. Callers match on `code`, never on message text.
// Errors of other layers keep their own classes (storage/errors.ts, checkpoint/state-assignment.ts)
// and pass through the HTTP error handler with their code; they are listed here too so a reader
// finds every code in one place.

export const RUNTIME_ERRORS = {
  // --- requests ---
  MR_ERR_REQUEST_INVALID: { status: 400, description: 'The request body, parameters or query do not match the route schema; the message names the field.' },
  MR_ERR_ROUTE_NOT_FOUND: { status: 404, description: 'No such endpoint on this JobManager or TaskManager (an older runtime version).' },
  MR_ERR_INTERNAL: { status: 500, description: 'An unexpected failure inside the process; details are in its log, never in the response.' },
  // --- authentication (runtime/auth/) ---
  MR_ERR_AUTH_MISSING: { status: 401, description: 'The request carries no signature; this process requires the Deployment key.' },
  MR_ERR_AUTH_INVALID: { status: 401, description: 'The signature does not verify with the Deployment key (wrong key, altered method, path or body).' },
  MR_ERR_AUTH_EXPIRED: { status: 401, description: 'The signed timestamp is outside the replay window (clock skew or a replayed request).' },
  MR_ERR_AUTH_REPLAYED: { status: 401, description: 'A signed request with this nonce was already accepted inside the replay window.' },
  MR_ERR_AUTH_FORBIDDEN: { status: 403, description: 'The caller is authenticated but its role may not call this route (internal routes: the Deployment\'s own processes only).' },
  MR_ERR_AUTH_KEY: { status: 500, description: 'The Deployment key file is missing, unreadable or too short.' },
  MR_ERR_AUTH_REQUIRED: { status: 500, description: 'A process bound to a non-loopback address needs a Deployment key (MILLRACE_AUTH_KEY_FILE).' },
  // --- jobs and code loading ---
  MR_ERR_SUBMIT: { status: 400, description: 'A job submission is missing or has invalid fields.' },
  MR_ERR_SUBMIT_FORBIDDEN: { status: 403, description: 'This JobManager runs the job its Deployment configures; jobs cannot be submitted over REST.' },
  MR_ERR_JOB_URL_REFUSED: { status: 400, description: 'The job module URL is of a kind that is never loaded (data:, unpinned http(s), another job than the configured one).' },
  MR_ERR_JOB_DIGEST_MISMATCH: { status: 400, description: 'The downloaded job artifact does not have the pinned sha256.' },
  MR_ERR_CLI: { status: 400, description: 'A command line of the millrace CLI is incomplete or wrong (a missing argument, the console address, token or namespace).' },
  MR_ERR_ARTIFACT_NAME: { status: 400, description: 'An artifact or log file name is not a plain name of the namespace\'s bucket layout (letters, digits, ., _, -).' },
  MR_ERR_JOB_LOAD: { status: 400, description: 'The job module could not be downloaded or imported, or exports no job.' },
  MR_ERR_JOB_INVALID: { status: 400, description: 'The job module builds no valid job graph.' },
  MR_ERR_JOB_NOT_FOUND: { status: 404, description: 'No job with this id on this JobManager.' },
  MR_ERR_RESTART_STRATEGY: { status: 400, description: 'The restart strategy specification does not parse.' },
  MR_ERR_RESTORE: { status: 400, description: 'The snapshot to restore from cannot be used.' },
  // --- HA records (checkpoint/ha-store.ts) ---
  MR_ERR_HA_RECORD_REFUSED: { status: 500, description: 'An HA record is unsigned, signed with another key, or names another job than the configured one; it is not imported.' },
  MR_ERR_HA_RECORD_MALFORMED: { status: 500, description: 'An HA record is not valid JSON or does not match its schema; the message names the file.' },
  // --- TaskManager protocol ---
  MR_ERR_UNKNOWN_TASKMANAGER: { status: 404, description: 'The TaskManager is not registered at this JobManager (it restarted): register again.' },
  MR_ERR_UNKNOWN_SLOT: { status: 404, description: 'A deployment names a slot this TaskManager does not have (or that died).' },
  MR_ERR_SLOT_DEAD: { status: 503, description: 'A slot worker of the TaskManager exited; its tasks failed and the slot is no longer offered.' },
  MR_ERR_DEPLOY_TIMEOUT: { status: 504, description: 'A task deployment did not answer in time.' },
  // --- savepoints (jobmanager/checkpoint-routes.ts) ---
  MR_ERR_SAVEPOINT_NOT_RUNNING: { status: 409, description: 'Savepoints are taken of RUNNING jobs with checkpoint storage.' },
  MR_ERR_SAVEPOINT_REQUEST_NOT_FOUND: { status: 404, description: 'No savepoint or disposal request with this id.' },
  MR_ERR_SAVEPOINT_DISPOSAL: { status: 400, description: 'The disposal request names no savepoint.' },
  MR_ERR_CHECKPOINTING_DISABLED: { status: 404, description: 'The job runs without checkpoint storage.' },
  // --- data plane (network/) ---
  MR_ERR_CHANNEL_FAILED: { status: 503, description: 'A data connection between slots was lost before the end of a partition.' },
  MR_ERR_FRAME_INVALID: { status: 400, description: 'A data-plane frame has an unknown type, a bad length or exceeds the maximum frame size; that connection is closed.' },
  MR_ERR_HANDSHAKE_FAILED: { status: 401, description: 'A data-plane connection did not complete the authenticated handshake; it is closed.' },
} as const satisfies Record<string, { status: number; description: string }>;

export type RuntimeErrorCode = keyof typeof RUNTIME_ERRORS;

export const isRuntimeErrorCode = (code: unknown): code is RuntimeErrorCode => typeof code === 'string' && Object.hasOwn(RUNTIME_ERRORS, code);
