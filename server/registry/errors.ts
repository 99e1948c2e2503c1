/**
 * Every error the registry returns on purpose, with its HTTP status. A 4xx message names the input
 * and says what to change; a 5xx never carries internals (the log has them).
 */
export const ERROR_CODES = {
  CODEX_ERR_VALIDATION: 400,
  CODEX_ERR_BAD_REQUEST: 400,
  CODEX_ERR_UNAUTHENTICATED: 401,
  CODEX_ERR_FORBIDDEN: 403,
  CODEX_ERR_NOT_FOUND: 404,
  CODEX_ERR_PLUGIN_NOT_FOUND: 404,
  CODEX_ERR_VERSION_NOT_FOUND: 404,
  CODEX_ERR_CONFLICT: 409,
  CODEX_ERR_PAYLOAD_TOO_LARGE: 413,
  CODEX_ERR_UNPROCESSABLE: 422,
  CODEX_ERR_RATE_LIMITED: 429,
  CODEX_ERR_INTERNAL: 500,
  CODEX_ERR_DATABASE_UNAVAILABLE: 503,
  CODEX_ERR_READ_ONLY: 503,
} as const;

/** A registry error code. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** An error the registry raises deliberately; the error handler turns it into a JSON response. */
export class CodexError extends Error {
  readonly statusCode: number;
  constructor(readonly code: ErrorCode | `CODEX_ERR_${string}`, message: string, readonly details?: unknown, statusCode?: number) {
    super(message);
    this.statusCode = statusCode ?? (ERROR_CODES as Record<string, number>)[code] ?? 500;
  }
}

/** The JSON body of every error response. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown; requestId?: string };
}
