// Scoring of the built-in PHQ-9 and GAD-7 against their published severity tables, the rules a
// clinic's own questionnaire must follow, and the lab catalogue's flags.
import { describe, expect, it } from "vitest";
import {
  builtInInstruments,
  GAD7,
  type Instrument,
  PHQ9,
  scoreRange,
  scoreResponse,
  validateDefinition,
} from "../../src/progress/instruments";
import { findLabTest, LAB_TESTS, labFlag } from "../../src/progress/labs";
import { parseQuestionnaireText } from "../../src/progress/input";
import { localPath } from "../../src/platform/render";

// Published tables (Kroenke 2001, Table 3; Spitzer 2006), written out here independently of the module.
const PHQ9_TABLE: [number, number, string][] = [
  [0, 4, "minimal"],
  [5, 9, "mild"],
  [10, 14, "moderate"],
  [15, 19, "moderately severe"],
  [20, 27, "severe"],
];
const GAD7_TABLE: [number, number, string][] = [
  [0, 4, "minimal"],
  [5, 9, "mild"],
  [10, 14, "moderate"],
  [15, 21, "severe"],
];

/** Answers adding up to `total`, filled from the first item (so PHQ-9 item 9 stays 0 below 25). */
function answersFor(items: number, total: number): number[] {
  const out: number[] = [];
  let left = total;
  for (let i = 0; i < items; i++) {
    const a = Math.min(3, left);
    out.push(a);
    left -= a;
  }
  if (left !== 0) throw new Error(`cannot reach ${total} with ${items} items`);
  return out;
}

function expected(table: [number, number, string][], score: number): string {
  return table.find(([lo, hi]) => score >= lo && score <= hi)![2];
}

describe("PHQ-9 scoring", () => {
  it("has the nine published items, the stem, four options worth 0 to 3 and the unscored difficulty question", () => {
    expect(PHQ9.items).toHaveLength(9);
    expect(PHQ9.stem).toBe("Over the last 2 weeks, how often have you been bothered by any of the following problems?");
    expect(PHQ9.items[0]).toBe("Little interest or pleasure in doing things");
    expect(PHQ9.items[8]).toBe("Thoughts that you would be better off dead or of hurting yourself in some way");
    expect(PHQ9.options).toEqual([
      { points: 0, label: "Not at all" },
      { points: 1, label: "Several days" },
      { points: 2, label: "More than half the days" },
      { points: 3, label: "Nearly every day" },
    ]);
    expect(PHQ9.difficulty?.options).toEqual(["Not difficult at all", "Somewhat difficult", "Very difficult", "Extremely difficult"]);
    expect(scoreRange(PHQ9)).toEqual({ min: 0, max: 27 });
  });

  it.each([0, 4, 5, 9, 10, 14, 15, 19, 20, 27])("a total of %i falls in the published band", (total) => {
    const r = scoreResponse(PHQ9, answersFor(9, total));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.score).toBe(total);
    expect(r.severity).toBe(expected(PHQ9_TABLE, total));
  });

  it("every possible total from 0 to 27 gets exactly the published band", () => {
    for (let total = 0; total <= 27; total++) {
      const r = scoreResponse(PHQ9, answersFor(9, total));
      expect(r.ok && r.severity).toBe(expected(PHQ9_TABLE, total));
    }
  });

  it("all zero is 0 (minimal, no flag); all 3 is 27 (severe) and flags item 9", () => {
    expect(scoreResponse(PHQ9, Array(9).fill(0))).toEqual({ ok: true, score: 0, severity: "minimal", flags: [] });
    expect(scoreResponse(PHQ9, Array(9).fill(3))).toEqual({
      ok: true,
      score: 27,
      severity: "severe",
      flags: ["Item 9: thoughts of self-harm — assess safety today"],
    });
  });

  it("flags item 9 answered above zero even when the total is minimal", () => {
    const r = scoreResponse(PHQ9, [0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(r).toEqual({ ok: true, score: 1, severity: "minimal", flags: ["Item 9: thoughts of self-harm — assess safety today"] });
    const none = scoreResponse(PHQ9, [3, 3, 3, 3, 3, 3, 3, 3, 0]);
    expect(none.ok && none.flags).toEqual([]);
  });

  it("refuses a missing item, naming its number and text", () => {
    const r = scoreResponse(PHQ9, [1, 1, 1, 1, 1, 1, 1, 1]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.q9).toBe("Item 9 (“Thoughts that you would be better off dead or of hurting yourself in some way”) needs an answer.");
    const gap = scoreResponse(PHQ9, [1, 1, null, 1, 1, 1, 1, 1, 1]);
    expect(!gap.ok && gap.errors.q3).toContain("Item 3 (“Trouble falling or staying asleep, or sleeping too much”)");
  });

  it("refuses an answer worth 4 (or any value not offered)", () => {
    for (const bad of [4, -1, 1.5, Number.NaN]) {
      const r = scoreResponse(PHQ9, [0, 0, 0, 0, bad, 0, 0, 0, 0]);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(Object.keys(r.errors)).toEqual(["q5"]);
    }
    const extra = scoreResponse(PHQ9, Array(10).fill(0));
    expect(extra.ok).toBe(false);
  });
});

describe("GAD-7 scoring", () => {
  it("has the seven published items and a range of 0 to 21", () => {
    expect(GAD7.items).toHaveLength(7);
    expect(GAD7.items[0]).toBe("Feeling nervous, anxious, or on edge");
    expect(GAD7.items[6]).toBe("Feeling afraid, as if something awful might happen");
    expect(scoreRange(GAD7)).toEqual({ min: 0, max: 21 });
  });

  it.each([0, 4, 5, 9, 10, 14, 15, 21])("a total of %i falls in the published band", (total) => {
    const r = scoreResponse(GAD7, answersFor(7, total));
    expect(r.ok && r.score).toBe(total);
    expect(r.ok && r.severity).toBe(expected(GAD7_TABLE, total));
  });

  it("every total from 0 to 21 gets exactly the published band, and nothing is flagged", () => {
    for (let total = 0; total <= 21; total++) {
      const r = scoreResponse(GAD7, answersFor(7, total));
      expect(r.ok && r.severity).toBe(expected(GAD7_TABLE, total));
      expect(r.ok && r.flags).toEqual([]);
    }
  });

  it("all zero and all max", () => {
    expect(scoreResponse(GAD7, Array(7).fill(0))).toMatchObject({ ok: true, score: 0, severity: "minimal" });
    expect(scoreResponse(GAD7, Array(7).fill(3))).toMatchObject({ ok: true, score: 21, severity: "severe" });
  });

  it("refuses a missing item and a value of 4", () => {
    const missing = scoreResponse(GAD7, [0, 0, 0, 0, 0, 0]);
    expect(!missing.ok && missing.errors.q7).toBe("Item 7 (“Feeling afraid, as if something awful might happen”) needs an answer.");
    const four = scoreResponse(GAD7, [0, 4, 0, 0, 0, 0, 0]);
    expect(!four.ok && four.errors.q2).toBe("Item 2 (“Not being able to stop or control worrying”) must be answered with one of the choices offered.");
  });

  it("the built-in definitions pass the same validation as a clinic's", () => {
    for (const i of builtInInstruments) expect(validateDefinition(i).ok).toBe(true);
  });
});

describe("a clinic's own questionnaire", () => {
  const sleep = {
    items: ["Trouble falling asleep", "Waking at night", "Waking too early"],
    options: [
      { points: 0, label: "Never" },
      { points: 1, label: "Sometimes" },
      { points: 2, label: "Often" },
    ],
    bands: [
      { min: 0, max: 1, label: "none" },
      { min: 2, max: 4, label: "some" },
      { min: 5, max: 6, label: "severe" },
    ],
    flags: [{ item: 2, atLeast: 2, message: "ask about sleep apnea" }],
  };

  it("is scored by the same function, with its own bands and flag rules", () => {
    expect(validateDefinition(sleep).ok).toBe(true);
    const inst: Instrument = { ...sleep, code: "sleep-3", name: "Sleep 3", builtIn: false, archived: false };
    expect(scoreResponse(inst, [1, 2, 2])).toEqual({ ok: true, score: 5, severity: "severe", flags: ["Item 2: ask about sleep apnea"] });
    expect(scoreResponse(inst, [0, 1, 0])).toEqual({ ok: true, score: 1, severity: "none", flags: [] });
    expect(scoreResponse(inst, [0, 3, 0]).ok).toBe(false);
  });

  it("refuses bands with a gap, an overlap, or that stop short of or pass the highest total", () => {
    const gap = validateDefinition({ ...sleep, bands: [{ min: 0, max: 1, label: "none" }, { min: 3, max: 6, label: "some" }] });
    expect(!gap.ok && gap.errors.bands).toMatch(/no band covers 2/);
    const overlap = validateDefinition({ ...sleep, bands: [{ min: 0, max: 3, label: "none" }, { min: 3, max: 6, label: "some" }] });
    expect(!overlap.ok && overlap.errors.bands).toMatch(/overlaps/);
    const short = validateDefinition({ ...sleep, bands: [{ min: 0, max: 5, label: "all" }] });
    expect(!short.ok && short.errors.bands).toMatch(/no band covers 6/);
    const past = validateDefinition({ ...sleep, bands: [{ min: 0, max: 9, label: "all" }] });
    expect(!past.ok && past.errors.bands).toMatch(/exactly 0 to 6/);
    const late = validateDefinition({ ...sleep, bands: [{ min: 1, max: 6, label: "all" }] });
    expect(!late.ok && late.errors.bands).toMatch(/no band covers 0/);
  });

  it("refuses missing items, a single option, repeated points and flags pointing nowhere", () => {
    expect(validateDefinition({ ...sleep, items: [] })).toMatchObject({ ok: false, errors: { items: expect.stringContaining("at least one item") } });
    expect(validateDefinition({ ...sleep, options: [{ points: 0, label: "Never" }] })).toMatchObject({ ok: false, errors: { options: expect.any(String) } });
    expect(
      validateDefinition({ ...sleep, options: [{ points: 0, label: "Never" }, { points: 0, label: "Rarely" }, { points: 2, label: "Often" }] }),
    ).toMatchObject({ ok: false, errors: { options: expect.stringContaining("different number of points") } });
    expect(validateDefinition({ ...sleep, flags: [{ item: 4, atLeast: 1, message: "x" }] })).toMatchObject({ ok: false, errors: { flags: expect.any(String) } });
  });

  it("reads the plain-text form: items per line, points|label, min-max|label, item|points|message", () => {
    const ok = parseQuestionnaireText({
      items: "Trouble falling asleep\n\nWaking at night\nWaking too early\n",
      options: "0|Never\n1|Sometimes\n2|Often",
      bands: "0-1|none\n2-4|some\n5-6|severe",
      flags: "2|2|ask about sleep apnea",
    });
    expect(ok).toEqual({ ok: true, def: sleep });
    const bad = parseQuestionnaireText({ items: "A\nB", options: "0|No\nyes", bands: "0-1|low\n3|high" });
    expect(!bad.ok && bad.errors.options).toBe("Answer options: line 2 must be points|label, like 0|Not at all.");
    expect(!bad.ok && bad.errors.bands).toBe("Severity bands: line 2 must be min-max|label, like 0-4|minimal.");
  });
});

describe("lab catalogue", () => {
  it("ships about thirty tests with distinct LOINC codes and sane ranges", () => {
    expect(LAB_TESTS.length).toBeGreaterThanOrEqual(28);
    expect(new Set(LAB_TESTS.map((t) => t.code)).size).toBe(LAB_TESTS.length);
    for (const t of LAB_TESTS) {
      expect(t.code).toMatch(/^\d{1,6}-\d$/);
      expect(t.low ?? t.high).toBeDefined();
      if (t.low !== undefined && t.high !== undefined) expect(t.low).toBeLessThan(t.high);
      expect(t.plausible[0]).toBeLessThanOrEqual(t.low ?? t.high!);
      expect(t.plausible[1]).toBeGreaterThanOrEqual(t.high ?? t.low!);
    }
    expect(findLabTest("4548-4")).toMatchObject({ name: "Hemoglobin A1c", unit: "%" });
    for (const code of ["2345-7", "13457-7", "18262-6", "2085-9", "2093-3", "2571-8", "2160-0", "3016-3", "1989-3", "718-7", "2276-4", "2132-9"]) {
      expect(findLabTest(code), code).toBeDefined();
    }
  });

  it("flags L below the range, H above it, N within, and nothing without a range", () => {
    expect(labFlag(6.4, 4.0, 5.6)).toBe("H");
    expect(labFlag(3.9, 4.0, 5.6)).toBe("L");
    expect(labFlag(5.6, 4.0, 5.6)).toBe("N");
    expect(labFlag(35, 40, null)).toBe("L");
    expect(labFlag(250, undefined, 199)).toBe("H");
    expect(labFlag(1, null, null)).toBeNull();
  });
});

describe("return paths", () => {
  it("accepts local paths only", () => {
    expect(localPath("/notes/abc?tab=1")).toBe("/notes/abc?tab=1");
    for (const bad of ["//evil.example", "/\\evil.example", "https://evil.example/", "notes", "", "/a b", "/x\n"]) expect(localPath(bad)).toBeNull();
  });
});
