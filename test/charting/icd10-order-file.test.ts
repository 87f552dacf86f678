// The CMS ICD-10-CM order-file parser of scripts/icd10-load.mjs (plain ESM, imported here inside
// workerd): fixed-width fields, the header flag, the dot added after the third character, and the
// same search text as the starter codes.
import { describe, expect, it } from "vitest";
import { parseOrderFile, parseOrderLine } from "../../scripts/icd10-order-file.mjs";
import { searchTextOf } from "../../src/charting/icd10";

/** A line in the order-file layout: order (5), code (7), header flag, short (60) and long descriptions. */
const line = (order: number, code: string, flag: 0 | 1, short: string, long: string) =>
  `${String(order).padStart(5, "0")} ${code.padEnd(7)} ${flag} ${short.padEnd(60)} ${long}`;

const SAMPLE = [
  line(1, "A00", 0, "Cholera", "Cholera"),
  line(2, "A000", 1, "Cholera due to Vibrio cholerae 01, biovar cholerae", "Cholera due to Vibrio cholerae 01, biovar cholerae"),
  line(10520, "E119", 1, "Type 2 diabetes mellitus without complications", "Type 2 diabetes mellitus without complications"),
  line(17050, "G309", 1, "Alzheimer's disease, unspecified", "Alzheimer's disease, unspecified"),
  line(70000, "S93401A", 1, "Sprain of unsp ligament of right ankle, init encntr", "Sprain of unspecified ligament of right ankle, initial encounter"),
  line(80000, "I10", 1, "Essential (primary) hypertension", "Essential (primary) hypertension"),
  "",
].join("\r\n");

describe("parseOrderFile", () => {
  it("reads codes with their dot, the long description and the header flag", () => {
    const rows = parseOrderFile(SAMPLE);
    expect(rows.map((r) => r.code)).toEqual(["A00", "A00.0", "E11.9", "G30.9", "S93.401A", "I10"]);
    expect(rows[0]).toMatchObject({ billable: 0, description: "Cholera" });
    expect(rows[4]).toMatchObject({ billable: 1, description: "Sprain of unspecified ligament of right ankle, initial encounter" });
  });

  it("writes the same search text as the starter codes and the app's search", () => {
    for (const r of parseOrderFile(SAMPLE)) expect(r.searchText).toBe(searchTextOf(r.code, r.description));
    expect(parseOrderLine(line(17050, "G309", 1, "x", "Alzheimer's disease, unspecified"))!.searchText).toBe("g309 alzheimers disease, unspecified");
  });

  it("names the line that is not in the layout", () => {
    expect(parseOrderLine("   ")).toBeNull();
    expect(() => parseOrderFile(`${line(1, "A00", 0, "Cholera", "Cholera")}\nE11.9 Type 2 diabetes`)).toThrow(/line 2 is not in the order-file layout/);
    expect(() => parseOrderLine(line(1, "A00", 0, "Cholera", "Cholera").replace(" 0 ", " 7 "), 3)).toThrow(/line 3: the header flag of A00 is "7"/);
    expect(() => parseOrderLine(line(1, "123", 1, "Bad", "Bad code"), 4)).toThrow(/line 4: "123" is not an ICD-10-CM code/);
  });
});
