// The language server's entry: a connection over stdio or node IPC (chosen by the command-line
// flags `--stdio` / `--node-ipc` that LSP clients pass), the server on it, and listen.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { listenOnConnection } from './lsp-connection';

const connection = createConnection(ProposedFeatures.all);
listenOnConnection(connection);
connection.listen();
