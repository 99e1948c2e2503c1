import { CodexError } from '../errors.js';

/** Every reason the registry (or the CLI) refuses a plugin package, with the HTTP status it maps to. */
export const PACKAGE_ERROR_STATUS = {
  /** The upload is not a gzip-compressed tar archive, or it is truncated or corrupt. */
  CODEX_ERR_PACKAGE_CORRUPT: 400,
  /** An entry name escapes the package with `..` (or a backslash variant of it). */
  CODEX_ERR_PACKAGE_PATH_TRAVERSAL: 400,
  /** An entry name is absolute (`/etc/passwd`, `C:\…`, `\\server\…`). */
  CODEX_ERR_PACKAGE_ABSOLUTE_PATH: 400,
  /** An entry name is not a plain relative path (backslashes, control characters, empty segments, too long). */
  CODEX_ERR_PACKAGE_BAD_PATH: 400,
  /** An entry sits outside the `package/` folder every plugin tarball has. */
  CODEX_ERR_PACKAGE_LAYOUT: 400,
  /** A symbolic link or hard link. */
  CODEX_ERR_PACKAGE_LINK: 400,
  /** A device file, FIFO or other entry that is neither a regular file nor a directory. */
  CODEX_ERR_PACKAGE_SPECIAL_FILE: 400,
  /** Two entries with the same path (compared case-insensitively). */
  CODEX_ERR_PACKAGE_DUPLICATE_ENTRY: 400,
  /** The compressed archive is bigger than the limit. */
  CODEX_ERR_PACKAGE_TOO_LARGE: 413,
  /** The archive expands beyond the limit (a gzip bomb, or simply too much content). */
  CODEX_ERR_PACKAGE_UNPACKED_TOO_LARGE: 413,
  /** One entry is bigger than the per-file limit. */
  CODEX_ERR_PACKAGE_ENTRY_TOO_LARGE: 413,
  /** More entries than the limit. */
  CODEX_ERR_PACKAGE_TOO_MANY_ENTRIES: 413,
  /** No `package/plugin.json`. */
  CODEX_ERR_PACKAGE_MANIFEST_MISSING: 422,
  /** `plugin.json` is not JSON or does not validate. */
  CODEX_ERR_PACKAGE_MANIFEST_INVALID: 422,
  /** The manifest's `entry` file is not in the package. */
  CODEX_ERR_PACKAGE_ENTRY_MISSING: 422,
  /** The manifest's `ui.entry` file is not in the package. */
  CODEX_ERR_PACKAGE_UI_ENTRY_MISSING: 422,
  /** The manifest names a `readme` that is not in the package (the default README.md may be absent). */
  CODEX_ERR_PACKAGE_README_MISSING: 422,
  /** The bytes' sha512 integrity differs from the one the caller expected. */
  CODEX_ERR_PACKAGE_INTEGRITY_MISMATCH: 422,
} as const;

export type PackageErrorCode = keyof typeof PACKAGE_ERROR_STATUS;

/** What a {@link PackageError} carries besides its message (sent to the client as `error.details`). */
export interface PackageErrorDetails {
  /** The offending entry or file, relative to the package root where known. */
  entry?: string;
  /** For an invalid manifest: every problem, each starting with its JSON path. */
  errors?: string[];
}

/**
 * A refused package. `message` names the offending entry or field and says what to change. It is a
 * {@link CodexError}, so the registry's error handler answers with its status, code and details.
 */
export class PackageError extends CodexError {
  override readonly name = 'PackageError';
  declare readonly code: PackageErrorCode;
  declare readonly statusCode: 400 | 413 | 422;
  declare readonly details: PackageErrorDetails | undefined;

  constructor(code: PackageErrorCode, message: string, details?: PackageErrorDetails) {
    super(code, message, details, PACKAGE_ERROR_STATUS[code]);
  }
}
