import { css } from 'lit';

export const codexAppStyles = css`
  :host { display: block; min-height: 100vh; background: var(--vscode-editor-background, #ffffff); }
  nav {
    display: flex;
    gap: 4px;
    align-items: center;
    padding: 6px 12px;
    border-bottom: 1px solid var(--vscode-panel-border, #d0d7de);
    background: var(--vscode-sideBar-background, #f6f8fa);
  }
  nav .brand { font-weight: 600; margin-right: 12px; }
  nav a { text-decoration: none; padding: 4px 8px; border-radius: 3px; color: var(--vscode-foreground, #1f2328); }
  nav a[aria-current='page'] { background: var(--vscode-list-activeSelectionBackground, #ddf4ff); }
  nav .spacer { flex: 1; }
`;
