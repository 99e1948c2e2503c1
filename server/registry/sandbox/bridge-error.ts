/**
 * The error names a bridge call can reject with inside the sandbox. Plugin code sees them as the
 * `name` of the rejected Error; an invocation that ends with an uncaught PermissionDeniedError is
 * reported as PERMISSION_DENIED.
 */
export type BridgeErrorName = 'PermissionDeniedError' | 'BridgeLimitError' | 'FetchError' | 'HostError' | 'TypeError';

/** A refused or failed bridge call; its message is shown to plugin code and must name no secret value. */
export class BridgeError extends Error {
  constructor(readonly bridgeName: BridgeErrorName, message: string) {
    super(message);
    this.name = bridgeName;
  }
}
