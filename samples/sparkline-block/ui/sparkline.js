// <codex-sparkline-block>: a dependency-free custom element that draws a series as an SVG line.
// It runs in the registry's sandboxed iframe (no npm, no network). Give it data either as
//   <codex-sparkline-block values="1,4,2,8"></codex-sparkline-block>
// or by setting the `data` property to the output of the plugin's `series` tool:
//   element.data = { values: [1, 4, 2, 8], trend: 'up' };

class CodexSparklineBlock extends HTMLElement {
  static get observedAttributes() {
    return ['values', 'color'];
  }

  constructor() {
    super();
    this._values = [];
    this._trend = 'flat';
    const root = this.attachShadow({ mode: 'open' });
    root.innerHTML = `
      <style>
        :host { display: block; font: 12px var(--vscode-font-family, system-ui, sans-serif); color: var(--vscode-foreground, #333); }
        svg { width: 100%; height: 48px; display: block; }
        polyline { fill: none; stroke-width: 2; stroke-linejoin: round; stroke-linecap: round; }
        .caption { display: flex; justify-content: space-between; opacity: 0.8; }
      </style>
      <svg viewBox="0 0 100 30" preserveAspectRatio="none" role="img" aria-label="sparkline"><polyline points=""></polyline></svg>
      <div class="caption"><span class="range"></span><span class="last"></span></div>`;
  }

  set data(value) {
    this._values = value && Array.isArray(value.values) ? value.values.filter((item) => typeof item === 'number' && isFinite(item)) : [];
    this._trend = value && typeof value.trend === 'string' ? value.trend : 'flat';
    this._render();
  }

  get data() {
    return { values: this._values.slice(), trend: this._trend };
  }

  attributeChangedCallback(name, _old, value) {
    if (name === 'values') {
      this._values = String(value || '').split(',').map(Number).filter((item) => isFinite(item));
      const first = this._values[0];
      const last = this._values[this._values.length - 1];
      this._trend = last > first ? 'up' : last < first ? 'down' : 'flat';
    }
    this._render();
  }

  connectedCallback() {
    this._render();
  }

  _render() {
    const root = this.shadowRoot;
    const line = root.querySelector('polyline');
    const values = this._values;
    const min = Math.min.apply(null, values);
    const max = Math.max.apply(null, values);
    const span = max - min || 1;
    const points = values.map((value, index) => {
      const x = values.length === 1 ? 50 : (index / (values.length - 1)) * 100;
      const y = 28 - ((value - min) / span) * 26;
      return x.toFixed(2) + ',' + y.toFixed(2);
    });
    line.setAttribute('points', points.join(' '));
    const trendColor = this._trend === 'up' ? 'var(--vscode-charts-green, #2a8)' : this._trend === 'down' ? 'var(--vscode-charts-red, #d44)' : 'var(--vscode-charts-blue, #48c)';
    line.setAttribute('stroke', this.getAttribute('color') || trendColor);
    line.setAttributeNS(null, 'data-count', String(values.length));
    root.querySelector('.range').textContent = values.length ? 'min ' + min + ' · max ' + max : 'no data';
    root.querySelector('.last').textContent = values.length ? 'last ' + values[values.length - 1] + ' (' + this._trend + ')' : '';
  }
}

if (!customElements.get('codex-sparkline-block')) customElements.define('codex-sparkline-block', CodexSparklineBlock);
