// What starts a job: the body of POST /jobs (local mode), the CLI's application mode and an HA
// resume all build one of these. Its schema is routes/schemas.ts submitBody.

import type { z } from 'zod';
import type { submitBody } from './routes/schemas.ts';

export type SubmitRequest = z.infer<typeof submitBody>;
