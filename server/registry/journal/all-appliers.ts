// Registers every event applier. Replay imports this, so a journal replayed outside the app (the CLI,
// an import) knows every event type the live path knows.
import './catalogue-appliers';
import './federation-appliers';
import './lifecycle-appliers';
import './runtime-appliers';
