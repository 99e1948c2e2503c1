import { css } from 'lit';

export const codeViewStyles = css`
  :host { display: block; }
  pre { margin: 0; counter-reset: line; max-height: 60vh; }
  .line { display: block; }
  .line::before {
    counter-increment: line;
    content: counter(line);
    display: inline-block;
    width: 3ch;
    margin-right: 1.5ch;
    text-align: right;
    color: var(--vscode-editorLineNumber-foreground, #8c959f);
  }
`;
