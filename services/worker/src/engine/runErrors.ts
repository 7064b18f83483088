/**
 * A dependency (Postgres) went down under a run: the plan stays `processing`, claimed by this worker, and the job
 * is delivered again (with backoff) until the run can go on. Never a reason to fail the plan.
 */
export class RunInterrupted extends Error {
  constructor(cause: unknown) {
    super(`run interrupted by an outage: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'RunInterrupted';
  }
}

export class StopRequested extends Error {
  constructor() {
    super('stop requested');
    this.name = 'StopRequested';
  }
}

/** A resumed plan whose files were written by another pipeline version. */
export class VersionMismatch extends Error {
  constructor(readonly stored: unknown) {
    super('pipeline version mismatch');
  }
}
