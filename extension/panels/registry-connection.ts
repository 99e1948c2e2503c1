/**
 * How the panels reach the registry. The extension's own `extension/registry-connection.ts` (by the
 * extension engineer) is meant to export this same interface; until it exists the panels declare it
 * here, and `registerPanels` accepts any object of this shape.
 */
export interface RegistryConnection {
  /** The registry's base URL without a trailing slash, like "http://127.0.0.1:4873". */
  baseUrl: string;
  /** The Authorization header value for the signed-in user ("Bearer …"), or undefined when signed out. */
  authorization(): Promise<string | undefined>;
}
