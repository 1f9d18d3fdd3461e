/** The report's whole stylesheet: system fonts only, colours with print-safe text alternatives. */
export const REPORT_CSS = `
:root {
  --ink: #1d2733; --muted: #5b6775; --line: #d5dbe2; --bg: #f4f6f8; --paper: #fff; --accent: #1f4e79;
  --ok-bg: #d7efdc; --ok-ink: #17602b; --silent-bg: #f6d0cc; --silent-ink: #8f1d12;
  --frag-bg: #fddcb5; --frag-ink: #8a4300; --mismatch-bg: #fbf1a6; --mismatch-ink: #665400;
  --grey-bg: #e2e5e9; --grey-ink: #3e4650; --low-bg: #fdebc8; --low-ink: #7a4b00;
}
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", Roboto, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 0 24px 48px; }
header.doc { background: var(--accent); color: #fff; padding: 22px 24px 18px; }
header.doc .inner { max-width: 1180px; margin: 0 auto; padding: 0 24px; display: flex; justify-content: space-between; align-items: flex-end; gap: 24px; flex-wrap: wrap; }
header.doc h1 { margin: 0; font-size: 24px; font-weight: 650; letter-spacing: .2px; }
header.doc .sub { opacity: .85; margin-top: 4px; }
header.doc .stamp { font-size: 13px; opacity: .9; text-align: right; }
nav.toc { max-width: 1180px; margin: 0 auto; padding: 10px 24px 0; font-size: 13px; }
nav.toc a { color: var(--accent); text-decoration: none; margin-right: 14px; white-space: nowrap; }
nav.toc a:hover { text-decoration: underline; }
.section { background: var(--paper); border: 1px solid var(--line); border-radius: 8px; padding: 18px 22px 20px; margin-top: 18px; }
.section h2 { margin: 0 0 6px; font-size: 18px; color: var(--accent); border-bottom: 2px solid var(--line); padding-bottom: 6px; }
.section h3 { font-size: 15px; margin: 18px 0 6px; }
.intro { color: var(--muted); margin: 4px 0 12px; }
.muted { color: var(--muted); }
.small { font-size: 12px; }
code, pre { font-family: "DejaVu Sans Mono", ui-monospace, Menlo, Consolas, monospace; font-size: 12.5px; }
pre { background: #f1f3f5; border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; margin: 6px 0 0; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; }
table.data { width: 100%; font-size: 13px; }
table.data th, table.data td { border-bottom: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
table.data thead th { background: #eef1f4; font-weight: 600; border-bottom: 2px solid #c3cbd4; }
table .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.sweet .num { text-align: center; width: 22%; }
.verdict-cell .small { color: var(--muted); margin-top: 2px; max-width: 560px; }
table.matrix { font-size: 12.5px; margin: 4px 0 8px; }
table.matrix caption { caption-side: top; text-align: left; color: var(--muted); font-size: 12px; padding-bottom: 6px; }
table.matrix th { font-weight: 600; padding: 4px 6px; background: #eef1f4; border: 1px solid var(--paper); }
table.matrix th.corner { font-size: 11px; font-weight: 500; color: var(--muted); text-align: left; }
table.matrix th[scope="row"] { text-align: left; }
table.matrix td.cell { width: 96px; min-width: 96px; height: 48px; text-align: center; border: 2px solid var(--paper); padding: 3px; }
.host { display: block; font-weight: 650; }
.addr { display: block; font-weight: 400; font-size: 11px; color: var(--muted); font-family: "DejaVu Sans Mono", monospace; }
td.cell .mtu { display: block; font-size: 15px; font-weight: 700; font-variant-numeric: tabular-nums; }
td.cell .verdict { display: block; font-size: 11px; }
td.cell .mtu .split { display: block; font-size: 11px; font-weight: 400; }
td.self { background: repeating-linear-gradient(45deg, #eceff2, #eceff2 4px, #f7f8f9 4px, #f7f8f9 8px); }
td.none { color: #9aa4ae; background: #f7f8f9; }
.v-ok, .t-good { background: var(--ok-bg); color: var(--ok-ink); }
.v-silent, .t-stalled { background: var(--silent-bg); color: var(--silent-ink); }
.t-stalled { background-image: repeating-linear-gradient(135deg, transparent, transparent 6px, rgba(143,29,18,.10) 6px, rgba(143,29,18,.10) 9px); }
.v-frag { background: var(--frag-bg); color: var(--frag-ink); }
.v-mismatch { background: var(--mismatch-bg); color: var(--mismatch-ink); }
.v-unreachable, .t-none, .t-unknown { background: var(--grey-bg); color: var(--grey-ink); }
.t-low { background: var(--low-bg); color: var(--low-ink); }
.stalled-text { color: var(--silent-ink); font-weight: 700; }
ul.legend { list-style: none; padding: 0; margin: 6px 0 0; display: flex; flex-wrap: wrap; gap: 6px 18px; font-size: 12px; color: var(--muted); }
ul.legend .swatch { display: inline-block; width: 20px; height: 16px; line-height: 16px; text-align: center; border-radius: 3px; margin-right: 6px; font-size: 11px; vertical-align: -3px; }
.verdict-banner { display: flex; align-items: center; gap: 18px; border-radius: 8px; padding: 12px 18px; margin: 8px 0 14px; border: 2px solid; }
.verdict-banner .big { font-size: 30px; font-weight: 800; letter-spacing: 2px; }
.verdict-banner.pass { background: var(--ok-bg); color: var(--ok-ink); border-color: var(--ok-ink); }
.verdict-banner.fail { background: var(--silent-bg); color: var(--silent-ink); border-color: var(--silent-ink); }
.verdict-banner.incomplete { background: var(--mismatch-bg); color: var(--mismatch-ink); border-color: var(--mismatch-ink); }
dl.facts { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 6px 28px; margin: 0 0 8px; }
dl.facts > div { display: flex; gap: 10px; border-bottom: 1px dotted var(--line); padding: 3px 0; }
dl.facts dt { width: 88px; flex: none; color: var(--muted); }
dl.facts dd { margin: 0; }
.chip { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px; margin: 1px 2px 1px 0; }
.badge { display: inline-block; border-radius: 4px; padding: 1px 7px; font-size: 12px; font-weight: 700; letter-spacing: .3px; white-space: nowrap; }
.badge.pass { background: var(--ok-bg); color: var(--ok-ink); border: 1px solid var(--ok-ink); }
.badge.fail { background: var(--silent-bg); color: var(--silent-ink); border: 1px solid var(--silent-ink); }
.badge.warn { background: var(--low-bg); color: var(--low-ink); border: 1px solid var(--low-ink); }
ul.failures { margin: 0; padding-left: 16px; columns: 2; column-gap: 24px; font-size: 12.5px; }
.signoff { display: grid; grid-template-columns: 2fr 1fr 2fr; gap: 28px; margin-top: 28px; color: var(--muted); font-size: 12px; }
.signoff .line { display: block; border-bottom: 1px solid var(--ink); height: 30px; margin-bottom: 4px; }
article.finding { border: 1px solid var(--line); border-left: 5px solid var(--silent-ink); border-radius: 6px; padding: 10px 14px; margin: 12px 0; break-inside: avoid; }
article.finding.warn { border-left-color: #c07a00; }
article.finding header { display: flex; align-items: baseline; gap: 8px; }
article.finding h3 { margin: 0; font-size: 15px; }
article.finding .num-label { color: var(--muted); font-size: 12px; }
article.finding .meta { color: var(--muted); font-size: 12px; margin: 2px 0 6px; }
article.finding p { margin: 6px 0; }
.fix { background: #eef5ee; border-radius: 4px; padding: 6px 10px; }
.label { display: inline-block; background: #eef1f4; border: 1px solid var(--line); border-radius: 3px; padding: 0 5px; font-size: 12px; margin: 1px 0; font-family: "DejaVu Sans Mono", monospace; }
.tag { font-size: 10.5px; background: var(--accent); color: #fff; border-radius: 3px; padding: 0 4px; }
table.env tr.host-first td, table.env tr.host-first th { border-top: 2px solid #c3cbd4; }
table.env th[scope="row"] { background: none; }
.error-text { color: var(--silent-ink); }
.chart-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(500px, 1fr)); gap: 14px; margin-top: 10px; }
figure.pair-charts { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; break-inside: avoid; }
figure.pair-charts figcaption { font-weight: 600; font-size: 13px; margin-bottom: 4px; }
.charts { display: flex; flex-wrap: wrap; gap: 6px; }
.chart-box { display: flex; flex-direction: column; }
.chart-box .route { font-size: 12px; color: var(--muted); padding-left: 34px; }
table.env td, table.env code { white-space: nowrap; }
table.env td.labels { white-space: normal; min-width: 150px; }
table.env .label { display: block; width: fit-content; white-space: nowrap; }
table.env .hostfacts { display: block; font-size: 11.5px; color: var(--muted); font-weight: 400; white-space: nowrap; }
svg.chart { max-width: 100%; height: auto; font-family: system-ui, "DejaVu Sans", sans-serif; }
svg.chart .grid { stroke: #e6e9ed; stroke-width: 1; }
svg.chart .axis { stroke: #8895a3; stroke-width: 1; }
svg.chart .link { stroke: #8895a3; stroke-width: 1; stroke-dasharray: 3 3; }
svg.chart .tick { font-size: 10px; fill: #5b6775; }
svg.chart .axis-label { font-size: 10px; fill: #5b6775; }
svg.chart .key text { font-size: 10.5px; fill: #1d2733; }
svg.chart .line { fill: none; stroke-width: 2.2; }
svg.chart .l-1500 { stroke: #1f5fa6; fill: #1f5fa6; }
svg.chart .l-jumbo { stroke: #c8641b; fill: #c8641b; }
svg.chart .l-path { stroke: #7a3fa0; fill: #7a3fa0; }
svg.chart path.line { fill: none; }
svg.chart .sweet { fill: none; stroke: #17602b; stroke-width: 2; }
svg.chart .stall path { stroke: #b3261e; stroke-width: 2.4; }
svg.chart .stall text { font-size: 10px; fill: #b3261e; font-weight: 700; }
footer.doc { max-width: 1180px; margin: 18px auto 0; padding: 0 24px 24px; color: var(--muted); font-size: 12px; }
@media print {
  @page { size: A4; margin: 12mm; }
  body { background: #fff; font-size: 11px; }
  main { max-width: none; padding: 0; }
  header.doc { padding: 10px 0; }
  header.doc .inner { padding: 0 8px; }
  nav.toc { display: none; }
  .section { border: none; border-radius: 0; padding: 0; margin-top: 14px; }
  #pmtu-matrix-forward, #throughput-1500, #sweet-spot, #findings, #environment { break-before: page; }
  table.matrix, table.data tr, figure.pair-charts, .signoff, .verdict-banner { break-inside: avoid; }
  .scroll { overflow: visible; }
  pre { white-space: pre-wrap; }
  a { color: inherit; text-decoration: none; }
  .chart-grid { grid-template-columns: 1fr 1fr; }
  table.env { font-size: 9.5px; }
}
`;
