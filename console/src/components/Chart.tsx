// Charts (issue 14): uPlot, loaded on first use (a dynamic import, so it is
// not part of the console's first load). Why uPlot: about 50 KB minified
// (20 KB gzipped) against 150-250 KB for Recharts or ECharts, maintained,
// fast for time series, no dependencies. It draws on a canvas, which a
// screen reader cannot read, so every chart is a figure with a text summary
// and its numbers in a table beside it (the tests read those numbers).
import { useEffect, useRef, useState } from 'react';
import type { AlignedData, Options } from 'uplot';

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  color: string;
  dash?: number[];
}

/** x: seconds since the epoch (uPlot's time axis) or plain numbers (years) with `timeAxis: false`. */
export function LineChart(props: { title: string; summary: string; xLabel: string; x: number[]; series: ChartSeries[]; timeAxis?: boolean; testId?: string; height?: number }) {
  const holder = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const el = holder.current;
    if (!el) return;
    let plot: { destroy(): void } | undefined;
    let live = true;
    void Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]).then(
      ([{ default: UPlot }]) => {
        if (!live) return;
        const options: Options = {
          width: Math.max(320, el.clientWidth || 640),
          height: props.height ?? 240,
          scales: { x: { time: props.timeAxis !== false } },
          axes: [props.timeAxis === false ? { values: (_u: unknown, splits: number[]) => splits.map((v) => String(v)) } : {}, { size: 70 }],
          series: [{ label: props.xLabel }, ...props.series.map((s) => ({ label: s.label, stroke: s.color, width: 2, ...(s.dash ? { dash: s.dash } : {}) }))],
          legend: { show: true },
        };
        const data = [props.x, ...props.series.map((s) => s.values)] as AlignedData;
        plot = new UPlot(options, data, el);
      },
      () => setFailed(true),
    );
    return () => {
      live = false;
      plot?.destroy();
    };
  }, [props.x, props.series, props.timeAxis, props.height, props.xLabel]);
  return (
    <figure className="chart" data-testid={props.testId}>
      <div ref={holder} role="img" aria-label={`${props.title}: ${props.summary}`} />
      <figcaption>
        {props.title}
        {failed ? ' (—)' : ''}
      </figcaption>
    </figure>
  );
}
