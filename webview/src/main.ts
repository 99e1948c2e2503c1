// The one browser bundle behind the web console and every VS Code webview. It picks its host:
// inside the sandboxed preview frame it only runs plugin UI; inside VS Code it talks to the
// extension host by postMessage; otherwise it is the registry's web console.
import type { HostToWebview } from '../../protocol/webview-messages';
import { createHttpAdapter, storedToken, storeToken } from './adapters/http-adapter';
import { createHostChannel, createVsCodeAdapter, type VsCodeApi } from './adapters/vscode-adapter';
import './elements/codex-app/codex-app';
import type { CodexApp } from './elements/codex-app/codex-app';
import { startPreviewFrame } from './preview/preview-frame';

declare function acquireVsCodeApi(): VsCodeApi;

/** The console page's URL of the preview frame (served by server/registry/routes/console-routes.ts). */
const CONSOLE_PREVIEW_URL = '/console/preview.html';

function appElement(): CodexApp {
  const existing = document.querySelector('codex-app');
  if (existing) return existing;
  const app = document.createElement('codex-app');
  document.body.append(app);
  return app;
}

function startVsCode(api: VsCodeApi) {
  const channel = createHostChannel(api);
  const app = appElement();
  app.mode = 'vscode';
  app.adapter = createVsCodeAdapter(channel);
  channel.onMessage((message: HostToWebview) => {
    switch (message.type) {
      case 'show-view':
        app.previewUrl = message.previewUrl ?? '';
        app.navigate(message.pluginId ? { view: message.view, pluginId: message.pluginId } : { view: message.view });
        break;
      case 'connection-changed':
        // A new adapter makes every element load again with the new connection.
        app.adapter = createVsCodeAdapter(channel);
        break;
      case 'api-response':
        break; // Consumed by the channel's transport.
      default: {
        const unreachable: never = message;
        channel.post({ type: 'log', level: 'warn', message: `unknown host message ${JSON.stringify(unreachable)}` });
      }
    }
  });
  app.addEventListener('codex-open-plugin', (event) => channel.post({ type: 'open-plugin', pluginId: event.detail.pluginId }));
  app.addEventListener('codex-installations-changed', (event) => channel.post({ type: 'installations-changed', target: event.detail.target }));
  // Last: the host queues its messages until it hears this.
  channel.post({ type: 'ready' });
}

function startBrowser() {
  const app = appElement();
  app.mode = 'browser';
  app.previewUrl = CONSOLE_PREVIEW_URL;
  app.needsSignIn = !storedToken();
  app.adapter = createHttpAdapter('');
  app.addEventListener('codex-signed-in', (event) => {
    storeToken(event.detail.token);
    void app.tokenStored();
  });
  app.addEventListener('codex-signed-out', () => storeToken(undefined));
}

const previewRoot = document.getElementById('codex-preview-root');
if (previewRoot) startPreviewFrame(previewRoot);
else if (typeof acquireVsCodeApi === 'function') startVsCode(acquireVsCodeApi());
else startBrowser();
