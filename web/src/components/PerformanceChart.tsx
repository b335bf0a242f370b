import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
  type ChartDataset,
} from 'chart.js';
import { useEffect, useId, useRef } from 'react';
import { useTranslation } from 'react-i18next';

Chart.register(
  LineController,
  LineElement,
  PointElement,
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  Tooltip,
  Legend,
);
Chart.defaults.font.family = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";
Chart.defaults.color = '#4f5963';

/**
 * Line colours, distinct for the common forms of colour blindness (Okabe–Ito, darkened to 3:1 on white); the legend,
 * the tooltips and the data table name each line, so colour is never the only cue.
 */
const PALETTE = ['#0072b2', '#c15a00', '#007a5a', '#a0467a', '#5e6b00', '#4b4bb5', '#8a5a00', '#00758f'];
const OVERALL = '#1b1f24';
const TARGET = '#a3141b';

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  /** `overall`: the thick dark line of the total; `target`: the dashed reference line; otherwise the palette's next colour. */
  role?: 'overall' | 'target';
  /** Bars: a colour per bar (e.g. bands below the target in another colour). */
  colors?: string[];
}

export interface PerformanceChartProps {
  kind: 'line' | 'bar';
  /** The chart's accessible name, shown as its caption. */
  title: string;
  /** The caption only for screen readers, when a heading just above already says it. */
  captionHidden?: boolean;
  /** One sentence saying what the chart shows (read after the name). */
  description?: string;
  /** The x axis, as shown under the chart (e.g. dd/mm). */
  labels: string[];
  /** The same in full for the data table (e.g. dd/mm/yyyy); default `labels`. */
  tableLabels?: string[];
  /** Header of the table's first column (e.g. "Giorno"). */
  labelHeader: string;
  series: ChartSeries[];
  /** Values as text: axis ticks, tooltips and the data table. */
  format: (value: number) => string;
  yRange?: { min: number; max: number };
}

/**
 * A small chart.js chart with an accessible name and description, and its numbers in a table below (in a <details>),
 * for screen readers, keyboard users and anyone who wants the figures. Redrawn when its data or the language change.
 */
export function PerformanceChart(props: PerformanceChartProps) {
  const { t, i18n } = useTranslation();
  const canvas = useRef<HTMLCanvasElement>(null);
  const id = useId();
  const formatRef = useRef(props.format);
  formatRef.current = props.format;
  const { kind, labels, series, yRange } = props;
  const dataKey = JSON.stringify({ kind, labels, series, yRange, language: i18n.language });

  useEffect(() => {
    if (!canvas.current) return;
    const format = (value: number) => formatRef.current(value);
    let colour = 0;
    const datasets = series.map((s): ChartDataset<'line' | 'bar', (number | null)[]> => {
      const color = s.role === 'overall' ? OVERALL : s.role === 'target' ? TARGET : PALETTE[colour++ % PALETTE.length]!;
      if (kind === 'bar') {
        return {
          type: 'bar',
          label: s.label,
          data: s.values,
          backgroundColor: s.colors ?? color,
          borderRadius: 3,
          maxBarThickness: 48,
        };
      }
      return {
        type: 'line',
        label: s.label,
        data: s.values,
        borderColor: color,
        backgroundColor: color,
        spanGaps: false,
        borderWidth: s.role === 'overall' ? 3 : 2,
        borderDash: s.role === 'target' ? [6, 4] : undefined,
        pointRadius: s.role === 'target' ? 0 : 3,
        pointHoverRadius: s.role === 'target' ? 0 : 5,
        // The target's legend entry is a line (no dots on the line itself: pointRadius 0).
        pointStyle: s.role === 'target' ? 'line' : 'circle',
        tension: 0,
      };
    });
    const config: ChartConfiguration<'line' | 'bar', (number | null)[], string> = {
      type: kind,
      data: { labels, datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        plugins: {
          legend: {
            display: series.length > 1,
            position: 'bottom',
            labels: { usePointStyle: true, boxHeight: 8, padding: 16 },
          },
          tooltip: {
            callbacks: {
              label: (item) => `${item.dataset.label ?? ''}: ${item.parsed.y === null ? '—' : format(item.parsed.y)}`,
            },
          },
        },
        scales: {
          // Days may be many (skip some); the bands of a bar chart are few (show each, turned if need be).
          x: {
            grid: { display: false },
            ticks:
              kind === 'bar'
                ? { autoSkip: false, maxRotation: 45 }
                : { maxRotation: 0, autoSkip: true, autoSkipPadding: 12 },
          },
          y: {
            min: yRange?.min,
            max: yRange?.max,
            beginAtZero: kind === 'bar',
            ticks: { callback: (value) => format(Number(value)), precision: kind === 'bar' ? 0 : undefined },
          },
        },
      },
    };
    const chart = new Chart(canvas.current, config);
    return () => chart.destroy();
    // dataKey stands for the inputs (their arrays are new objects on every render).
  }, [dataKey]);

  const tableLabels = props.tableLabels ?? labels;
  return (
    <figure className="chart" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`} className={props.captionHidden ? 'visually-hidden' : 'chart-title'}>
        {props.title}
      </figcaption>
      {props.description && (
        <p id={`${id}-description`} className="hint">
          {props.description}
        </p>
      )}
      <div className="chart-box">
        <canvas
          ref={canvas}
          role="img"
          aria-labelledby={`${id}-title`}
          aria-describedby={props.description ? `${id}-description` : undefined}
        >
          {t('chart.fallback')}
        </canvas>
      </div>
      <details className="chart-data">
        <summary>{t('chart.showData')}</summary>
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">{props.title}</caption>
            <thead>
              <tr>
                <th scope="col">{props.labelHeader}</th>
                {series.map((s) => (
                  <th scope="col" className="num" key={s.label}>
                    {s.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {tableLabels.map((label, i) => (
                <tr key={label}>
                  <th scope="row" className="date">
                    {label}
                  </th>
                  {series.map((s) => {
                    const value = s.values[i];
                    return (
                      <td className="num" key={s.label}>
                        {value === null || value === undefined ? '—' : props.format(value)}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}

/** A y range for performance lines: from a little under the lowest value (or the target) up to 100 %. */
export function performanceRange(values: readonly (number | null)[], target: number): { min: number; max: number } {
  const numbers = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const lowest = Math.min(target, ...numbers);
  const highest = Math.max(1, ...numbers);
  const max = Math.ceil(highest * 100) / 100;
  const min = Math.max(0, Math.min(max - 0.02, Math.floor((lowest - 0.005) * 100) / 100));
  return { min, max };
}
