/**
 * Every error code the service may put in `{"error":{"code","message"}}`. Names are public API
 * (spec/tools.md, spec/http.md, spec/artifacts.md): never rename one.
 */
export const ERROR_CODES = [
  // tools
  'PLAN_NOT_FOUND',
  'PLAN_NOT_FAILED',
  'PLAN_NOT_RESUMABLE',
  'PIPELINE_VERSION_MISMATCH',
  'INVALID_USER_API_KEY',
  'USER_API_KEY_REQUIRED',
  'INSUFFICIENT_CREDITS',
  'MODEL_PROFILES_UNAVAILABLE',
  'NO_MODEL_AVAILABLE',
  'INVALID_ARGUMENT',
  'INVALID_ARGUMENTS',
  'INVALID_FEEDBACK',
  'INVALID_TOOL',
  'INTERNAL_ERROR',
  // local proxy
  'REMOTE_ERROR',
  'DOWNLOAD_FAILED',
  // plan_file_info terminal artifact problems (lower-case upstream)
  'generation_failed',
  'content_unavailable',
  // stream
  'SSE_CONNECTION_LIMIT',
  'SSE_TIMEOUT',
  // HTTP edge
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'RATE_LIMITED',
  'PAYLOAD_TOO_LARGE',
  'LENGTH_REQUIRED',
  'BAD_REQUEST',
  'INVALID_DOWNLOAD_TOKEN',
  'SERVICE_UNAVAILABLE',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorDetail {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

/** The one error type thrown by handlers; turned into the contract's error payload at the edge. */
export class ToolError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'ToolError';
    this.code = code;
    this.details = details;
  }

  toPayload(): { error: ErrorDetail } {
    const error: ErrorDetail = { code: this.code, message: this.message };
    if (this.details) error.details = this.details;
    return { error };
  }
}

export function isToolError(err: unknown): err is ToolError {
  return err instanceof ToolError;
}
