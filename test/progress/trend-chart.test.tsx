// The server-rendered SVG trend: points match the rows, the table lists the same values, bands and
// targets are drawn, no style attributes, and 50 points stay small.
import { render } from "preact-render-to-string";
import { describe, expect, it } from "vitest";
import { GAD7, PHQ9 } from "../../src/progress/instruments";
import type { LabResult, MeasureResponse } from "../../src/progress/repo";
import { buildTrends, goalProgress, summarize, type Trend } from "../../src/progress/trends";
import { niceStep, TrendChart, TrendFigure, yScale } from "../../views/progress/trend-chart";

const TZ = "America/New_York";
const noon = (date: string) => Date.parse(`${date}T16:00:00Z`);

function response(date: string, score: number, severity: string, over: Partial<MeasureResponse> = {}): MeasureResponse {
  return {
    id: crypto.randomUUID(),
    patientId: "p",
    encounterId: null,
    instrument: "phq9",
    instrumentName: "PHQ-9",
    answers: "{}",
    score,
    severity,
    flags: null,
    takenAt: noon(date),
    status: "final",
    createdAt: 0,
    createdBy: null,
    updatedAt: 0,
    updatedBy: null,
    ...over,
  };
}

function lab(date: string, value: number, flag: string): LabResult {
  return {
    id: crypto.randomUUID(),
    patientId: "p",
    encounterId: null,
    code: "4548-4",
    name: "Hemoglobin A1c",
    valueNum: value,
    valueText: null,
    unit: "%",
    refLow: 4,
    refHigh: 5.6,
    flag,
    observedAt: noon(date),
    source: "manual",
    status: "final",
    createdAt: 0,
    createdBy: null,
    updatedAt: 0,
    updatedBy: null,
  };
}

const empty = { responses: [], vitals: [], labs: [], goals: [], instruments: [PHQ9, GAD7] };

function svgOf(html: string): string {
  return html.match(/<svg[\s\S]*?<\/svg>/)![0];
}

describe("axis scale", () => {
  it("rounds steps to 1, 2, 2.5 or 5 times a power of ten", () => {
    expect(niceStep(27, 5)).toBe(5);
    expect(niceStep(0.9)).toBe(0.25);
    expect(niceStep(130)).toBe(25);
  });

  it("keeps an instrument's fixed range and fits other values with round ticks", () => {
    expect(yScale({ rows: [], bands: [], targets: [], domain: [0, 27] })).toEqual({ lo: 0, hi: 27, ticks: [0, 5, 10, 15, 20, 25] });
    const s = yScale({ rows: [{ date: "2026-01-01", values: [6.2], note: null, alert: false }, { date: "2026-02-01", values: [8.9], note: null, alert: false }], bands: [{ from: 4, to: 5.6, label: "", tone: "ref" }], targets: [{ value: 7, label: "" }], domain: null });
    expect(s.lo).toBeLessThanOrEqual(4);
    expect(s.hi).toBeGreaterThanOrEqual(8.9);
    expect(s.ticks[0]).toBe(s.lo);
    expect(s.ticks.at(-1)).toBe(s.hi);
  });
});

describe("trend chart", () => {
  it("draws one point per result, the severity bands, a target line and a summary; the table lists the same values", () => {
    const responses = [
      response("2026-06-02", 7, "mild"),
      response("2026-04-20", 11, "moderate"),
      response("2026-03-03", 18, "moderately severe"),
      response("2026-05-01", 9, "mild", { status: "entered_in_error" }),
    ];
    const goals = [
      { id: "g", patientId: "p", description: "Feel better", measure: "phq9", targetValue: 9, targetDirection: "below" as const, targetDate: null, status: "active" as const, note: null, version: 1, createdAt: 0, createdBy: null, updatedAt: 0, updatedBy: null },
    ];
    const [t] = buildTrends({ ...empty, responses, goals }, TZ);
    expect(t!.rows.map((r) => r.values[0])).toEqual([18, 11, 7]);
    expect(t!.summary).toBe("PHQ-9 from 18 (moderately severe) on Mar 3, 2026 to 7 (mild) on Jun 2, 2026; 3 results.");
    const html = render(<TrendFigure t={t!} />);
    const svg = svgOf(html);
    expect(svg.match(/h0"/g)).toHaveLength(3);
    expect(svg).toContain('role="img"');
    expect(svg).toContain("<desc");
    expect(svg).toContain("Mar 3, 2026: 18");
    for (const tone of ["b0", "b1", "b2", "b3", "b4"]) expect(svg).toContain(`class="${tone}"`);
    expect(svg).toContain('class="tg"');
    expect(svg).toContain("target ≤ 9");
    const table = html.match(/<table[\s\S]*<\/table>/)![0];
    const cells = [...table.matchAll(/<tr[^>]*><td class="nowrap">([^<]+)<\/td><td>(\d+)<\/td><td>([^<]+)<\/td><\/tr>/g)].map((m) => [m[1], Number(m[2]), m[3]]);
    expect(cells).toEqual([
      ["Jun 2, 2026", 7, "mild"],
      ["Apr 20, 2026", 11, "moderate"],
      ["Mar 3, 2026", 18, "moderately severe"],
    ]);
    expect(html).not.toMatch(/\sstyle=/);
  });

  it("places points in proportion to their dates", () => {
    const [t] = buildTrends({ ...empty, responses: [response("2026-01-31", 5, "mild"), response("2026-01-02", 5, "mild"), response("2026-01-01", 5, "mild")] }, TZ);
    const xs = [...render(<TrendChart t={t!} />).matchAll(/d="M(\d+) \d+h0"/g)].map((m) => Number(m[1]));
    // 1 day of 30 between the first two: about 1/30 of the plot width (508 units).
    expect(xs[1]! - xs[0]!).toBeGreaterThanOrEqual(16);
    expect(xs[1]! - xs[0]!).toBeLessThanOrEqual(18);
    expect(xs[2]! - xs[0]!).toBe(508);
  });

  it("handles one point (centred, no line) and none", () => {
    const [one] = buildTrends({ ...empty, responses: [response("2026-03-03", 12, "moderate")] }, TZ);
    const svg = render(<TrendChart t={one!} />);
    expect(svg.match(/h0"/g)).toHaveLength(1);
    expect(svg).not.toContain("<polyline");
    expect(one!.summary).toBe("PHQ-9: 12 (moderate) on Mar 3, 2026; 1 result.");
    const none: Trend = { ...one!, rows: [] };
    expect(render(<TrendChart t={none} />)).toBe('<p class="muted">No values recorded yet.</p>');
    expect(summarize(none)).toBe("PHQ-9: no values recorded.");
  });

  it("keeps 50 points with their tooltips under 4.6 KB of markup (1.5 KB compressed)", async () => {
    const responses = Array.from({ length: 60 }, (_, i) => response(new Date(Date.UTC(2024, 0, 1 + i * 9)).toISOString().slice(0, 10), (i * 7) % 28, "mild")).reverse();
    const [t] = buildTrends({ ...empty, responses }, TZ);
    expect(t!.rows).toHaveLength(50);
    expect(t!.omitted).toBe(10);
    const svg = render(<TrendChart t={t!} />);
    expect(svg.match(/h0"/g)).toHaveLength(50);
    const gz = await new Response(new Response(svg).body!.pipeThrough(new CompressionStream("gzip"))).arrayBuffer();
    console.log(`trend chart, 50 points: ${svg.length} bytes, ${gz.byteLength} gzipped`);
    expect(svg.length).toBeLessThan(4600);
    expect(gz.byteLength).toBeLessThan(1500);
  });

  it("shades a lab's reference range and marks values outside it", () => {
    const [t] = buildTrends({ ...empty, labs: [lab("2026-05-01", 6.4, "H"), lab("2026-01-10", 5.2, "N")] }, TZ);
    expect(t!.title).toBe("Hemoglobin A1c");
    expect(t!.summary).toBe("Hemoglobin A1c from 5.2 % (N) on Jan 10, 2026 to 6.4 % (H) on May 1, 2026; 2 results.");
    const svg = render(<TrendChart t={t!} />);
    expect(svg).toContain('class="ref"');
    expect(svg).toContain("reference 4–5.6");
    expect(svg.match(/class="al" d="M/g)).toHaveLength(1);
  });

  it("shows an open-ended range (HDL ≥ 40) even when the only value is below it", () => {
    const hdl = { ...lab("2026-05-01", 35, "L"), code: "2085-9", name: "HDL cholesterol", unit: "mg/dL", refLow: 40, refHigh: null };
    const [t] = buildTrends({ ...empty, labs: [hdl] }, TZ);
    const svg = render(<TrendChart t={t!} />);
    expect(svg).toMatch(/<rect class="ref" x="40" y="\d+" width="508" height="[1-9]\d*"/);
    expect(svg).toContain("reference ≥ 40");
    expect(svg).toContain('class="xl m"');
  });

  it("draws blood pressure as two series and weight and BMI from the vitals", () => {
    const vitals = [
      { takenAt: noon("2026-05-01"), systolic: 128, diastolic: 82, weightKg: 88.1, bmi: 27.2 },
      { takenAt: noon("2026-02-01"), systolic: 150, diastolic: 95, weightKg: 92.4, bmi: 28.5 },
      { takenAt: noon("2026-01-01"), systolic: null, diastolic: null, weightKg: 93, bmi: null },
    ];
    const trends = buildTrends({ ...empty, vitals }, TZ);
    expect(trends.map((t) => t.title)).toEqual(["Blood pressure", "Weight", "BMI"]);
    const bp = trends[0]!;
    expect(bp.summary).toBe("Blood pressure from 150/95 mmHg (high) on Feb 1, 2026 to 128/82 mmHg on May 1, 2026; 2 readings.");
    const svg = render(<TrendChart t={bp} />);
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg.match(/h0"/g)).toHaveLength(4);
    expect(trends[1]!.rows).toHaveLength(3);
  });
});

describe("goal progress", () => {
  const goal = (over: object) => ({ id: "g", patientId: "p", description: "x", measure: null, targetValue: null, targetDirection: null, targetDate: null, status: "active" as const, note: null, version: 1, createdAt: 0, createdBy: null, updatedAt: 0, updatedBy: null, ...over });

  it("reads the latest value of the measure and compares it with the target", () => {
    const data = { ...empty, responses: [response("2026-06-02", 7, "mild"), response("2026-03-03", 18, "moderately severe")], labs: [lab("2026-05-01", 6.4, "H")] };
    expect(goalProgress(goal({ measure: "phq9", targetValue: 9, targetDirection: "below" }), data, TZ)).toEqual({
      measureName: "PHQ-9",
      unit: "",
      latest: { value: 7, date: "2026-06-02" },
      reached: true,
    });
    expect(goalProgress(goal({ measure: "4548-4", targetValue: 6, targetDirection: "below" }), data, TZ)).toMatchObject({ latest: { value: 6.4 }, reached: false, unit: "%" });
    expect(goalProgress(goal({ measure: "weight", targetValue: 80, targetDirection: "below" }), data, TZ)).toMatchObject({ latest: null, reached: null, measureName: "Weight" });
    expect(goalProgress(goal({}), data, TZ)).toMatchObject({ measureName: null, reached: null });
  });
});
