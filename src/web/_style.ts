/** The dashboard's one stylesheet, kept in TypeScript so the build ships it without a copy step. */
export const STYLE_CSS = `
:root{--fg:#1d2330;--muted:#5b6475;--line:#d9dde5;--bg:#f6f7f9;--card:#fff;--accent:#2856c7;--up:#b42318;--down:#1a7f37;--warn:#9a6700;
--s0:#4e79a7;--s1:#f28e2b;--s2:#59a14f;--s3:#e15759;--s4:#76b7b2;--s5:#edc948;--s6:#b07aa1;--s7:#9c755f;--sother:#bab0ac}
*{box-sizing:border-box}
html{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
body{margin:0}
a{color:var(--accent)}
a:hover{text-decoration-thickness:2px}
:focus-visible{outline:3px solid #f5a623;outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem 1rem;z-index:9}
.skip:focus{left:.5rem}
header.top{background:#1d2330;color:#fff}
header.top .bar{max-width:1240px;margin:0 auto;display:flex;align-items:center;gap:1.2rem;padding:.45rem 1.25rem;flex-wrap:wrap}
header.top .brand{font-weight:700;font-size:1.1rem;color:#fff;text-decoration:none;letter-spacing:.02em}
nav.main ul{list-style:none;display:flex;flex-wrap:wrap;gap:.15rem;margin:0;padding:0}
nav.main a{color:#d7dcea;text-decoration:none;padding:.35rem .6rem;border-radius:4px;display:block}
nav.main a:hover{background:#2f384b;color:#fff}
nav.main a[aria-current=page]{background:#fff;color:#1d2330;font-weight:600}
.who{margin-left:auto;display:flex;align-items:center;gap:.6rem;color:#d7dcea;font-size:.9rem}
.who form{margin:0}
.who button{background:transparent;color:#fff;border:1px solid #6b7489;border-radius:4px;padding:.2rem .6rem;font:inherit;cursor:pointer}
main{max-width:1240px;margin:0 auto;padding:1rem 1.25rem 3rem}
main:focus{outline:none}
h1{font-size:1.45rem;margin:.4rem 0 .2rem}
h2{font-size:1.1rem;margin:0 0 .5rem}
.lede{color:var(--muted);margin:0 0 1rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:1rem 1.1rem;margin:0 0 1rem;min-width:0}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(200px,1fr));gap:1rem;margin-bottom:1rem}
.grid .card{margin:0}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:1rem}
@media (max-width:900px){.cols{grid-template-columns:1fr}}
.kpi .label{color:var(--muted);font-size:.85rem;margin:0}
.kpi .value{font-size:1.4rem;overflow-wrap:anywhere;font-weight:650;margin:.15rem 0;font-variant-numeric:tabular-nums}
.kpi .note{color:var(--muted);font-size:.85rem;margin:0}
.subcent{color:#717887;font-weight:400;font-size:.72em;letter-spacing:-.01em}
.na{color:#717887}
.up{color:var(--up)}.down{color:var(--down)}.flat{color:var(--muted)}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{padding:.32rem .55rem;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{font-size:.82rem;color:var(--muted);font-weight:600;background:#fafbfc}
td.num,th.num{text-align:right;white-space:nowrap}
tfoot td{font-weight:650;border-top:2px solid var(--line)}
caption{text-align:left;font-weight:600;padding:.2rem 0 .5rem}
.scroll{overflow-x:auto}
details>summary{cursor:pointer;color:var(--accent);margin:.4rem 0}
svg.chart{width:100%;height:auto;display:block;font-size:12px}
svg.chart .axis text{fill:var(--muted)}
svg.chart .grid{stroke:#eceef2}
svg.chart .band{fill:#4e79a7;fill-opacity:.18}
svg.chart .actual{fill:none;stroke:#1d2330;stroke-width:2}
svg.chart .median{fill:none;stroke:#4e79a7;stroke-width:2;stroke-dasharray:6 4}
svg.chart .today{stroke:#9aa1ae;stroke-dasharray:2 3}
.s0{fill:var(--s0);background:var(--s0)}.s1{fill:var(--s1);background:var(--s1)}.s2{fill:var(--s2);background:var(--s2)}.s3{fill:var(--s3);background:var(--s3)}
.s4{fill:var(--s4);background:var(--s4)}.s5{fill:var(--s5);background:var(--s5)}.s6{fill:var(--s6);background:var(--s6)}.s7{fill:var(--s7);background:var(--s7)}.sother{fill:var(--sother);background:var(--sother)}
.legend{list-style:none;display:flex;flex-wrap:wrap;gap:.3rem 1rem;padding:0;margin:.5rem 0 0;font-size:.88rem}
.legend .sw{display:inline-block;width:.8rem;height:.8rem;border-radius:2px;margin-right:.35rem;vertical-align:-1px;print-color-adjust:exact;-webkit-print-color-adjust:exact}
.legend .sw.actual{background:#1d2330;height:3px;vertical-align:3px}
.legend .sw.median{background:repeating-linear-gradient(90deg,#4e79a7 0 6px,transparent 6px 9px);height:3px;vertical-align:3px}
.legend .sw.band{background:#4e79a7;opacity:.3}
svg.budget{width:100%;max-width:320px;height:20px;display:block}
svg.budget .track{fill:#e7eaf0}svg.budget .spent{fill:var(--s0)}svg.budget .over{fill:var(--up)}
svg.budget .fc{fill:#1d2330}svg.budget .whisker{stroke:#1d2330;stroke-width:1.5}svg.budget .limit{stroke:#1d2330;stroke-width:1.5}
form.filters{display:flex;flex-wrap:wrap;gap:.6rem 1rem;align-items:flex-end}
form.filters label,form.stack label{display:flex;flex-direction:column;font-size:.82rem;color:var(--muted);gap:.15rem}
input,select,button,textarea{font:inherit}
input[type=text],input[type=date],input[type=number],input[type=password],select{padding:.3rem .45rem;border:1px solid #b8bfcc;border-radius:4px;background:#fff;color:var(--fg)}
label.check{flex-direction:row!important;align-items:center;gap:.35rem!important}
button,.button{background:var(--accent);color:#fff;border:1px solid var(--accent);border-radius:4px;padding:.35rem .9rem;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary{background:#fff;color:var(--accent)}
button.danger{background:#fff;color:var(--up);border-color:var(--up)}
form.inline{display:inline-flex;gap:.35rem;margin:0 .3rem .2rem 0;align-items:center}
form.inline button{padding:.15rem .55rem;font-size:.88rem}
.nowrap{white-space:nowrap}
td.wide{min-width:18rem}
.kpi .value .subcent{font-size:.58em}
.chips{display:flex;flex-wrap:wrap;gap:.4rem;margin:.6rem 0 0;padding:0;list-style:none}
.chips a{background:#eef2fb;border-radius:999px;padding:.1rem .6rem;text-decoration:none;font-size:.88rem}
.badge{display:inline-block;border-radius:999px;padding:0 .5rem;font-size:.8rem;border:1px solid var(--line);background:#fff}
.badge.new{background:#fff4e5;border-color:#f0c36d}.badge.acknowledged{background:#eef2fb;border-color:#a9bdf0}.badge.resolved{background:#e9f6ec;border-color:#9bd3a8}
.badge.warn{background:#fff4e5;border-color:#f0c36d}.badge.bad{background:#fdecea;border-color:#f1a7a0}.badge.ok{background:#e9f6ec;border-color:#9bd3a8}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
ul.plain{list-style:none;margin:0;padding:0}
.muted{color:var(--muted)}.small{font-size:.86rem}
.error{border-left:4px solid var(--up);background:#fdecea}
.notice{border-left:4px solid var(--accent);background:#eef2fb}
.login{max-width:420px;margin:3rem auto}
form.stack{display:flex;flex-direction:column;gap:.8rem}
.pager{display:flex;gap:1rem;margin-top:.6rem}
@media print{header.top,.skip,form,.no-print{display:none!important}body,html{background:#fff}.card{border:0;padding:0;break-inside:avoid}main{max-width:none}}
`;
