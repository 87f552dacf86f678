/**
 * A trend drawn as server-rendered SVG (no script, no style attributes: classes only, see
 * views/styles/progress.css) with the same values in a table beside it. Time runs left to right in
 * proportion to the dates; the value axis gets round ticks; severity bands or a reference range are
 * shaded; goal targets are dashed lines. Each point carries a tooltip, and the picture as a whole
 * is an image with a one-sentence description.
 */
import { formatNumber, shortDate, type Trend, type TrendRow } from "../../src/progress/trends";
import { type Column, DataTable } from "../components/table";

const W = 560;
const H = 200;
const PAD = { left: 40, right: 12, top: 10, bottom: 22 };
const PLOT_W = W - PAD.left - PAD.right;
const PLOT_H = H - PAD.top - PAD.bottom;

/** The round step (1, 2, 2.5 or 5 × 10^k) nearest to `count` intervals over `span`. */
export function niceStep(span: number, count = 4): number {
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f < 1.5 ? 1 : f < 2.25 ? 2 : f < 3.5 ? 2.5 : f < 7.5 ? 5 : 10) * mag;
}

/** The y range and its ticks: an instrument's fixed range, or the data, bands and targets, rounded out. */
export function yScale(t: Pick<Trend, "rows" | "bands" | "targets" | "domain">): { lo: number; hi: number; ticks: number[] } {
  if (t.domain) {
    const [lo, hi] = t.domain;
    const step = niceStep(hi - lo || 1, 5);
    const ticks: number[] = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) ticks.push(Number(v.toFixed(6)));
    return { lo, hi, ticks };
  }
  const values = [
    ...t.rows.flatMap((r) => r.values.filter((v): v is number => v !== null)),
    // An open-ended range (HDL ≥ 40) shows a little of itself beyond its one end.
    ...t.bands.flatMap((b) => [
      ...[b.from, b.to].filter(Number.isFinite),
      ...(Number.isFinite(b.from) && !Number.isFinite(b.to) ? [b.from + Math.max(1, Math.abs(b.from) * 0.15)] : []),
      ...(Number.isFinite(b.to) && !Number.isFinite(b.from) ? [b.to - Math.max(1, Math.abs(b.to) * 0.15)] : []),
    ]),
    ...t.targets.map((g) => g.value),
  ];
  let min = Math.min(...values);
  let max = Math.max(...values);
  if (!Number.isFinite(min)) [min, max] = [0, 1];
  if (min === max) [min, max] = [min - Math.max(1, Math.abs(min) * 0.1), max + Math.max(1, Math.abs(max) * 0.1)];
  const step = niceStep(max - min);
  const lo = Math.max(min >= 0 ? 0 : Number.NEGATIVE_INFINITY, Math.floor(min / step) * step);
  const hi = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  for (let v = lo; v <= hi + step / 1e6; v += step) ticks.push(Number(v.toFixed(6)));
  return { lo, hi, ticks };
}

const dayOf = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;

export function TrendChart({ t }: { t: Trend }) {
  if (t.rows.length === 0) return <p class="muted">No values recorded yet.</p>;
  const { lo, hi, ticks } = yScale(t);
  const y = (v: number) => Math.round(PAD.top + PLOT_H - ((Math.min(Math.max(v, lo), hi) - lo) / (hi - lo)) * PLOT_H);
  const d0 = dayOf(t.rows[0]!.date);
  const span = dayOf(t.rows[t.rows.length - 1]!.date) - d0;
  const x = (iso: string) => Math.round(PAD.left + (span === 0 ? PLOT_W / 2 : ((dayOf(iso) - d0) / span) * PLOT_W));
  const right = PAD.left + PLOT_W;
  const tick = (v: number) => formatNumber(v, 2);
  // Scores are whole numbers: a band "5-9" covers 4.5 to 9.5 on the axis.
  const half = t.domain ? 0.5 : 0;
  const bands = t.bands
    .map((b) => ({ ...b, top: y(Math.min(b.to + half, hi)), bottom: y(Math.max(b.from - half, lo)) }))
    .filter((b) => b.bottom - b.top > 0);
  const first = t.rows[0]!.date;
  const last = t.rows[t.rows.length - 1]!.date;
  return (
    <svg class="trend" viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${t.id}-t ${t.id}-d`}>
      <title id={`${t.id}-t`}>{t.title}</title>
      <desc id={`${t.id}-d`}>{t.summary}</desc>
      {bands.map((b) => (
        <rect class={b.tone} x={PAD.left} y={b.top} width={PLOT_W} height={b.bottom - b.top} />
      ))}
      {bands.length > 0 && (
        <g class="bl">
          {bands
            .filter((b) => b.bottom - b.top >= 12)
            .map((b) => (
              <text x={right - 4} y={b.top + 10}>
                {b.label}
              </text>
            ))}
        </g>
      )}
      <path class="ax" d={ticks.map((v) => `M${PAD.left} ${y(v)}H${right}`).join("")} />
      <g class="yl">
        {ticks.map((v) => (
          <text x={PAD.left - 5} y={y(v) + 4}>
            {tick(v)}
          </text>
        ))}
      </g>
      <text class={last === first ? "xl m" : "xl"} x={last === first ? x(first) : PAD.left} y={H - 5}>
        {shortDate(first)}
      </text>
      {last !== first && (
        <text class="xl e" x={right} y={H - 5}>
          {shortDate(last)}
        </text>
      )}
      {t.targets.map((g) => (
        <>
          <path class="tg" d={`M${PAD.left} ${y(g.value)}H${right}`} />
          <text class="tgl" x={PAD.left + 4} y={y(g.value) - 3}>
            {g.label}
          </text>
        </>
      ))}
      {t.series.map((_, s) => {
        const pts = t.rows.filter((r) => r.values[s] !== null && r.values[s] !== undefined);
        return (
          <g class={`s${s}`}>
            {pts.length > 1 && <polyline points={pts.map((r) => `${x(r.date)},${y(r.values[s]!)}`).join(" ")} />}
            {pts.map((r) => (
              <path class={r.alert ? "al" : undefined} d={`M${x(r.date)} ${y(r.values[s]!)}h0`}>
                <title>{`${shortDate(r.date)}: ${formatNumber(r.values[s]!, t.decimals)}`}</title>
              </path>
            ))}
          </g>
        );
      })}
    </svg>
  );
}

/** The chart's values as a table, newest first. */
export function TrendTable({ t }: { t: Trend }) {
  const multi = t.series.length > 1;
  return (
    <div class="trend-table" tabindex={0} role="region" aria-label={`${t.title} values`}>
      <DataTable
        class="dense"
        wrap={false}
        caption={
          <>
            {t.title} values{t.unit ? ` (${t.unit})` : ""}
            {t.omitted > 0 && `, latest ${t.rows.length} of ${t.rows.length + t.omitted}`}
          </>
        }
        rows={[...t.rows].reverse()}
        rowKey={(r, i) => `${r.date}/${i}`}
        rowClass={(r) => (r.alert ? "al" : undefined)}
        columns={[
          { header: "Date", class: "nowrap", cell: (r) => shortDate(r.date) },
          ...(multi ? t.series : [t.domain ? "Score" : "Value"]).map(
            (header, i): Column<TrendRow> => ({ header, cell: (r) => (r.values[i] == null ? "–" : formatNumber(r.values[i]!, t.decimals)) }),
          ),
          t.noteLabel ? { header: t.noteLabel, cell: (r) => r.note ?? "" } : null,
        ]}
      />
    </div>
  );
}

/** Heading, legend (for two series), chart and table. */
export function TrendFigure({ t }: { t: Trend }) {
  return (
    <section class="trend-fig" aria-labelledby={`${t.id}-h`}>
      <h3 id={`${t.id}-h`}>
        {t.title}
        {t.unit && <span class="hint"> ({t.unit})</span>}
      </h3>
      {t.series.length > 1 && (
        <p class="legend">
          {t.series.map((s, i) => (
            <span class={`k${i}`}>{s}</span>
          ))}
        </p>
      )}
      <div class="trend-body">
        <TrendChart t={t} />
        <TrendTable t={t} />
      </div>
    </section>
  );
}
