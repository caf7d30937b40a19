/**
 * The wall screen's styles, added to the page once when a screen opens (the
 * page's CSP allows inline styles). Type scales with the viewport width: 20 px
 * at 1920, 40 px at 3840, so one dashboard reads the same on HD and 4K walls.
 */
const CSS = `
body.kiosk .topbar { display: none; }
body.kiosk #app.app { padding: 0; margin: 0; max-width: none; }
body.kiosk { overflow: hidden; margin: 0; }
.screen { --bg: #f4f6f8; --panel: #ffffff; --text: #1b2430; --muted: #5b6776; --line: #d5dbe2; --ok: #1d9a5b; --warn: #c98a00; --critical: #d2373c; --accent: #2f6fd6;
  box-sizing: border-box; display: grid; grid-template-rows: auto 1fr; gap: 0.6em; padding: 0.8em;
  height: calc(100vh - 3.5rem); font-size: clamp(12px, 1.04vw, 44px); background: var(--bg); color: var(--text); overflow: hidden; }
body.kiosk .screen { height: 100vh; }
.screen.theme-dark { --bg: #0b0f14; --panel: #151b23; --text: #e8edf3; --muted: #8b97a6; --line: #2a3441; --ok: #3ccf7e; --warn: #f2b532; --critical: #ff5a5f; --accent: #5aa2ff; }
.screen *, .screen *::before { box-sizing: border-box; }
.screen-head { display: flex; align-items: baseline; gap: 1em; min-width: 0; }
.screen-head h1 { font-size: 1.6em; margin: 0; font-weight: 600; white-space: nowrap; }
.screen-head .screen-desc { color: var(--muted); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; flex: 1; }
.screen-status { margin-left: auto; white-space: nowrap; color: var(--muted); font-variant-numeric: tabular-nums; }
.screen-status .stale-note { color: var(--warn); font-weight: 600; margin-right: 0.8em; }
.screen-grid { display: grid; gap: 0.6em; min-height: 0; }
.screen.stale .screen-grid { filter: grayscale(1); opacity: 0.45; transition: opacity 0.3s; }
.screen-panel { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 0.5em 0.7em; display: flex; flex-direction: column; min-height: 0; min-width: 0; overflow: hidden; }
.screen-panel h2 { font-size: 1em; font-weight: 600; color: var(--muted); margin: 0 0 0.3em; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; text-transform: uppercase; letter-spacing: 0.04em; }
.panel-body { flex: 1; min-height: 0; overflow: hidden; position: relative; }
.panel-error { color: var(--critical); }
.screen-empty { color: var(--muted); margin: 0.5em 0; }
.level-ok { color: var(--ok); } .level-warn { color: var(--warn); } .level-critical { color: var(--critical); }
.screen-stat { display: grid; grid-template-rows: auto auto 1fr; height: 100%; }
.stat-value { font-size: 3.4em; font-weight: 700; line-height: 1.05; font-variant-numeric: tabular-nums; }
.stat-value.level-none { color: var(--text); }
.stat-note { color: var(--muted); font-size: 0.8em; }
.screen-stat-spark { width: 100%; height: 100%; min-height: 1.5em; }
.screen-spark { width: 5em; height: 1.2em; display: block; }
.screen-spark-line, .chart-line { fill: none; stroke: var(--accent); stroke-width: 2; stroke-linecap: round; stroke-linejoin: round; }
.screen-spark-line.level-warn { stroke: var(--warn); } .screen-spark-line.level-critical { stroke: var(--critical); } .screen-spark-line.level-ok { stroke: var(--ok); }
.spark-error .screen-spark-line { stroke: var(--critical); }
.screen-table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; table-layout: auto; }
.screen-table th { text-align: left; color: var(--muted); font-weight: 500; font-size: 0.8em; border-bottom: 1px solid var(--line); padding: 0.15em 0.4em; }
.screen-table td { padding: 0.2em 0.4em; border-bottom: 1px solid var(--line); white-space: nowrap; }
.screen-table td.cell-num { text-align: right; } .screen-table td.cell-num.level-none { color: var(--text); }
.screen-table td.cell-name { max-width: 16em; overflow: hidden; text-overflow: ellipsis; }
.screen-table td.cell-name:last-child { max-width: 26em; }
.screen-table td.cell-msg { max-width: 30em; overflow: hidden; text-overflow: ellipsis; }
.screen-table tr.row-critical td:first-child { box-shadow: inset 0.25em 0 0 var(--critical); }
.screen-table tr.row-warn td:first-child { box-shadow: inset 0.25em 0 0 var(--warn); }
.screen-table a { color: var(--accent); text-decoration: none; }
.times { color: var(--muted); }
.screen-chart { display: grid; grid-template-rows: auto 1fr; height: 100%; }
.chart-legend { display: flex; gap: 1em; font-size: 0.9em; font-variant-numeric: tabular-nums; flex-wrap: wrap; }
.chart-legend .chart-top { margin-left: auto; color: var(--muted); font-size: 0.8em; }
.chart-plot { width: 100%; height: 100%; min-height: 2em; border-bottom: 1px solid var(--line); }
.chart-incident { fill: var(--critical); opacity: 0.12; } .chart-incident.firing { opacity: 0.22; }
.chart-legend .chart-incidents { color: var(--critical); font-size: 0.8em; }
.line-p50, .chart-key.line-p50 { stroke: var(--ok); color: var(--ok); }
.line-p95, .chart-key.line-p95, .line-warn, .chart-key.line-warn { stroke: var(--warn); color: var(--warn); }
.line-p99, .chart-key.line-p99, .line-error, .chart-key.line-error, .line-fatal, .chart-key.line-fatal { stroke: var(--critical); color: var(--critical); }
.line-series-0, .chart-key.line-series-0 { stroke: #4e79a7; color: #4e79a7; }
.line-series-1, .chart-key.line-series-1 { stroke: #f28e2c; color: #f28e2c; }
.line-series-2, .chart-key.line-series-2 { stroke: #76b7b2; color: #76b7b2; }
.line-series-3, .chart-key.line-series-3 { stroke: #59a14f; color: #59a14f; }
.line-series-4, .chart-key.line-series-4 { stroke: #edc949; color: #edc949; }
.line-series-5, .chart-key.line-series-5 { stroke: #af7aa1; color: #af7aa1; }
.screen-funnel { display: flex; flex-direction: column; gap: 0.5em; }
.funnel-name { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.funnel-bar { height: 1.1em; background: var(--line); border-radius: 3px; overflow: hidden; }
.funnel-fill { height: 100%; background: var(--accent); }
.funnel-stage.slowest .funnel-fill { background: var(--warn); }
.funnel-figures { color: var(--muted); font-size: 0.85em; font-variant-numeric: tabular-nums; }
.screen-badge { margin-left: 0.5em; font-size: 0.7em; padding: 0.05em 0.4em; border-radius: 3px; background: var(--warn); color: #000; }
.screen-log { list-style: none; margin: 0; padding: 0; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.9em; }
.screen-log li { display: flex; gap: 0.8em; padding: 0.15em 0; border-bottom: 1px solid var(--line); white-space: nowrap; }
.screen-log .log-service { color: var(--accent); min-width: 8em; }
.screen-log .cell-msg { overflow: hidden; text-overflow: ellipsis; flex: 1; }
.screen-log time { color: var(--muted); }
.screen-topology { width: 100%; height: 100%; display: block; }
.topo-edge { fill: none; stroke: var(--muted); opacity: 0.55; }
.topo-edge.health-warn { stroke: var(--warn); } .topo-edge.health-bad { stroke: var(--critical); }
.topo-flow { fill: none; stroke: var(--text); stroke-width: 2; stroke-dasharray: 3 15; animation: topo-flow linear infinite; opacity: 0.8; }
@keyframes topo-flow { to { stroke-dashoffset: -18; } }
.topo-node path { fill: var(--panel); stroke: var(--ok); stroke-width: 3; vector-effect: non-scaling-stroke; } /* outlines are drawn at one size and scaled (screenTopology.ts) */
.topo-node.health-warn path { stroke: var(--warn); } .topo-node.health-bad path { stroke: var(--critical); fill: color-mix(in srgb, var(--critical) 25%, var(--panel)); }
.topo-node.health-none path { stroke: var(--muted); }
.topo-node text { fill: var(--text); font-size: 0.8em; }
.screen-heatmap { display: grid; grid-template-rows: auto 1fr; height: 100%; }
.heatmap-area { position: relative; min-height: 0; }
.heatmap-canvas, .heatmap-plot { position: absolute; inset: 0; width: 100%; height: 100%; display: block; }
.heatmap-plot text { fill: var(--muted); font-size: 0.75em; font-variant-numeric: tabular-nums; }
.heatmap-canvas { color: var(--text); } /* the p95 line's colour, painted on the canvas */
.heatmap-canvas.level-warn { color: var(--warn); } .heatmap-canvas.level-critical { color: var(--critical); } .heatmap-canvas.level-ok { color: var(--ok); }
.heatmap-mark line { stroke-width: 1.5; stroke-dasharray: 2 4; }
.heatmap-mark.level-warn line { stroke: var(--warn); } .heatmap-mark.level-critical line { stroke: var(--critical); }
.heatmap-mark.level-warn text { fill: var(--warn); } .heatmap-mark.level-critical text { fill: var(--critical); }
.chart-legend .heatmap-now { font-weight: 600; } .chart-legend .heatmap-now.level-none { color: var(--text); }
.chart-legend .heatmap-subject { color: var(--muted); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; max-width: 60%; }
.screen-tail .log-severity { min-width: 4em; }
.screen-tail .tail-row.level-warn .log-severity { color: var(--warn); } .screen-tail .tail-row.level-critical .log-severity { color: var(--critical); font-weight: 600; }
.screen-tail .tail-row.level-critical { box-shadow: inset 0.25em 0 0 var(--critical); padding-left: 0.4em; }
.screen-tail .tail-new { animation: tail-new 3s ease-out; }
@keyframes tail-new { from { background: color-mix(in srgb, var(--accent) 35%, transparent); } to { background: transparent; } }
.screen-index { list-style: none; padding: 0; }
.screen-index li { margin: 0.5em 0; }
`;

export function addScreenStyles(): void {
  if (document.getElementById('screen-styles')) return;
  const style = document.createElement('style');
  style.id = 'screen-styles';
  style.textContent = CSS;
  document.head.appendChild(style);
}
