/**
 * benchmark_plots.png from the summary rows: SLA violation %, cost and p95 latency per policy (bars = mean over
 * seeds, error bars = CI95, one colour per scenario), and cost vs SLA violations (the Pareto view, with both CIs).
 * vega-lite -> vega -> SVG -> PNG with @resvg/resvg-js. Fonts are set explicitly: without them resvg draws no text.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { Resvg } from '@resvg/resvg-js';
import type { SummaryRow } from './summary.ts';

interface PlotDatum {
  policy: string;
  scenario: string;
  sla: number;
  slaLo: number;
  slaHi: number;
  cost: number;
  costLo: number;
  costHi: number;
  p95: number;
  p95Lo: number;
  p95Hi: number;
}

const ci = (x: number): number => (Number.isFinite(x) ? x : 0);

function toData(rows: readonly SummaryRow[]): PlotDatum[] {
  return rows.map((r) => ({
    policy: r.policy,
    scenario: r.trace ? `${r.scenario} (${r.trace})` : r.scenario,
    sla: r.slaViolationPct,
    slaLo: Math.max(0, r.slaViolationPct - ci(r.slaViolationCi95)),
    slaHi: r.slaViolationPct + ci(r.slaViolationCi95),
    cost: r.costUsd,
    costLo: Math.max(0, r.costUsd - ci(r.costCi95)),
    costHi: r.costUsd + ci(r.costCi95),
    p95: r.p95LatencyMs,
    p95Lo: Math.max(0, r.p95LatencyMs - ci(r.p95LatencyCi95)),
    p95Hi: r.p95LatencyMs + ci(r.p95LatencyCi95),
  }));
}

function barPanel(field: 'sla' | 'cost' | 'p95', title: string, policies: string[]): object {
  const x = { field: 'policy', type: 'nominal', sort: policies, title: null, axis: { labelAngle: -40 } };
  return {
    title,
    width: 380,
    height: 220,
    layer: [
      { mark: 'bar', encoding: { x, xOffset: { field: 'scenario' }, y: { field, type: 'quantitative', title }, color: { field: 'scenario', type: 'nominal' } } },
      {
        mark: { type: 'rule', color: 'black' },
        encoding: { x, xOffset: { field: 'scenario' }, y: { field: `${field}Lo`, type: 'quantitative' }, y2: { field: `${field}Hi` } },
      },
    ],
  };
}

/** One small cost-vs-SLA panel per scenario (policies coloured), so the Pareto front of each world is readable. */
function paretoPanel(policies: string[]): object {
  const color = { field: 'policy', type: 'nominal', sort: policies, legend: { title: 'policy' } };
  return {
    facet: { column: { field: 'scenario', type: 'nominal', title: 'Cost vs SLA violations per scenario (mean ± CI95; lower-left is better)' } },
    spec: {
      width: 260,
      height: 220,
      layer: [
        { mark: { type: 'rule', opacity: 0.7 }, encoding: { color, x: { field: 'slaLo', type: 'quantitative' }, x2: { field: 'slaHi' }, y: { field: 'cost', type: 'quantitative' } } },
        { mark: { type: 'rule', opacity: 0.7 }, encoding: { color, x: { field: 'sla', type: 'quantitative' }, y: { field: 'costLo', type: 'quantitative' }, y2: { field: 'costHi' } } },
        {
          mark: { type: 'point', filled: true, size: 80 },
          encoding: { color, x: { field: 'sla', type: 'quantitative', title: 'SLA violation % of steps' }, y: { field: 'cost', type: 'quantitative', title: 'cost per run (USD)' } },
        },
      ],
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
  };
}

export function benchmarkSpec(rows: readonly SummaryRow[], title: string): TopLevelSpec {
  const policies = [...new Set(rows.map((r) => r.policy))];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    background: 'white',
    padding: 12,
    data: { values: toData(rows) },
    config: { font: 'DejaVu Sans', concat: { spacing: 40 } },
    vconcat: [
      { hconcat: [barPanel('sla', 'SLA violation % of steps', policies), barPanel('cost', 'cost per run (USD)', policies), barPanel('p95', 'p95 latency (ms)', policies)] },
      paretoPanel(policies),
    ],
    resolve: { scale: { color: 'independent' } },
  } as unknown as TopLevelSpec;
}

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export function svgToPng(svg: string): Buffer {
  const resvg = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: 1.5 },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  return Buffer.from(resvg.render().asPng());
}

export async function renderBenchmarkPng(rows: readonly SummaryRow[], title: string): Promise<Buffer> {
  return svgToPng(await renderSvg(benchmarkSpec(rows, title)));
}
