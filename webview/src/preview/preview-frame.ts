// The page inside the sandboxed preview iframe (opaque origin, `sandbox="allow-scripts"`). It waits
// for the parent to post a plugin's UI module, runs it as a module from a blob URL, and creates the
// element it defines (with an example's output as its `data`). Plugin code here cannot reach the console, its storage or the user's token.

interface PreviewMessage { type: 'codex-preview'; code: string; element?: string; data?: unknown }

const TAG = /^[a-z][a-z0-9._]*-[a-z0-9._-]*$/;

/** Listens for the plugin module from the parent page and shows its element in `root`. */
export function startPreviewFrame(root: HTMLElement): void {
  window.addEventListener('message', (event: MessageEvent) => {
    const data = event.data as PreviewMessage | undefined;
    if (event.source !== window.parent || data?.type !== 'codex-preview' || typeof data.code !== 'string') return;
    const url = URL.createObjectURL(new Blob([data.code], { type: 'text/javascript' }));
    import(/* @vite-ignore */ url).then(() => {
      root.textContent = '';
      if (data.element && TAG.test(data.element)) {
        const element = document.createElement(data.element) as HTMLElement & { data?: unknown };
        // Hosts give a block the output of its tool through `data`; the preview uses an example's.
        if (data.data !== undefined) element.data = data.data;
        root.append(element);
      }
      root.dataset.state = 'ready';
    }, (error: unknown) => {
      root.textContent = `The plugin's UI failed to load: ${error instanceof Error ? error.message : String(error)}`;
      root.dataset.state = 'error';
    });
  });
}
