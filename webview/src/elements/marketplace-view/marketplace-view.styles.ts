import { css } from 'lit';

export const marketplaceViewStyles = css`
  :host { display: block; padding: 12px; }
  header { display: grid; gap: 8px; margin-bottom: 12px; }
  .search { width: 100%; box-sizing: border-box; font-size: 14px; padding: 6px 8px; }
  fieldset { border: none; padding: 0; margin: 0; display: flex; gap: 10px; flex-wrap: wrap; align-items: center; }
  legend { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  [role='list'] { display: grid; gap: 8px; }
  codex-plugin-card { content-visibility: auto; contain-intrinsic-size: auto 120px; }
  .summary { font-size: 12px; }
  .more { display: flex; justify-content: center; padding: 12px; }
`;
