// The time module: calendar arithmetic, instants and wall clocks across DST changes, the clinic's
// today, and the formatters in English and Spanish.
import { describe, expect, it } from "vitest";
import {
  addDays,
  addLocalDays,
  ageOn,
  clinicToday,
  clockLabel,
  dayLabel,
  daysBetween,
  formatDate,
  formatInstant,
  formatWhen,
  isIsoDate,
  isoWeekday,
  localParts,
  timeLabel,
  whenLabel,
  zonedInstant,
} from "../../src/platform/time";

const NY = "America/New_York";
const HOUR = 3_600_000;

describe("calendar dates", () => {
  it("adds days across month, year and DST boundaries without drifting", () => {
    expect(addDays("2026-03-07", 1)).toBe("2026-03-08");
    expect(addDays("2026-03-08", 1)).toBe("2026-03-09");
    expect(addDays("2026-10-31", 1)).toBe("2026-11-01");
    expect(addDays("2026-11-01", 1)).toBe("2026-11-02");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2028-03-01", -1)).toBe("2028-02-29");
    expect(addDays("2026-03-01", 35)).toBe("2026-04-05");
  });

  it("counts days, weekdays and ages", () => {
    expect(daysBetween("2026-03-01", "2026-04-05")).toBe(35);
    expect(daysBetween("2026-04-05", "2026-03-01")).toBe(-35);
    expect(isoWeekday("2026-03-08")).toBe(7);
    expect(isoWeekday("2026-03-09")).toBe(1);
    expect(ageOn("2000-02-29", "2026-02-28")).toBe(25);
    expect(ageOn("2000-02-29", "2026-03-01")).toBe(26);
  });

  it("accepts only real dates", () => {
    expect(isIsoDate("2028-02-29")).toBe(true);
    expect(isIsoDate("2026-02-29")).toBe(false);
    expect(isIsoDate("2026-2-1")).toBe(false);
    expect(isIsoDate("")).toBe(false);
  });
});

describe("the clinic's today", () => {
  it("is the local date, which east of UTC turns over before UTC's", () => {
    const at = Date.UTC(2026, 11, 3, 20, 0);
    expect(clinicToday("Pacific/Auckland", at)).toBe("2026-12-04");
    expect(clinicToday("Asia/Tokyo", Date.UTC(2026, 11, 3, 15, 30))).toBe("2026-12-04");
    expect(clinicToday("UTC", at)).toBe("2026-12-03");
    expect(clinicToday(NY, Date.UTC(2026, 11, 4, 3, 0))).toBe("2026-12-03");
  });
});

describe("DST in America/New_York", () => {
  it("spring forward (2026-03-08): 02:xx does not exist and moves forward by the gap", () => {
    expect(new Date(zonedInstant("2026-03-08", "01:30", NY)).toISOString()).toBe("2026-03-08T06:30:00.000Z");
    expect(new Date(zonedInstant("2026-03-08", "02:30", NY)).toISOString()).toBe("2026-03-08T07:30:00.000Z");
    expect(new Date(zonedInstant("2026-03-08", "03:00", NY)).toISOString()).toBe("2026-03-08T07:00:00.000Z");
    // The local day is 23 hours long.
    expect(zonedInstant("2026-03-09", "00:00", NY) - zonedInstant("2026-03-08", "00:00", NY)).toBe(23 * HOUR);
    expect(localParts(Date.UTC(2026, 2, 8, 6, 59), NY)).toEqual({ date: "2026-03-08", time: "01:59", weekday: 7 });
    expect(localParts(Date.UTC(2026, 2, 8, 7, 0), NY)).toEqual({ date: "2026-03-08", time: "03:00", weekday: 7 });
  });

  it("fall back (2026-11-01): 01:xx happens twice and reads as the first", () => {
    expect(new Date(zonedInstant("2026-11-01", "01:30", NY)).toISOString()).toBe("2026-11-01T05:30:00.000Z");
    expect(zonedInstant("2026-11-02", "00:00", NY) - zonedInstant("2026-11-01", "00:00", NY)).toBe(25 * HOUR);
    expect(localParts(Date.UTC(2026, 10, 1, 5, 30), NY).time).toBe("01:30");
    expect(localParts(Date.UTC(2026, 10, 1, 6, 30), NY).time).toBe("01:30");
  });

  it("moving an instant by local days keeps its wall clock across both changes", () => {
    const before = zonedInstant("2026-03-05", "10:00", NY);
    const after = addLocalDays(before, 7, NY);
    expect(localParts(after, NY)).toMatchObject({ date: "2026-03-12", time: "10:00" });
    expect(after - before).toBe(7 * 24 * HOUR - HOUR);
    const autumn = zonedInstant("2026-10-29", "10:00", NY);
    expect(addLocalDays(autumn, 7, NY) - autumn).toBe(7 * 24 * HOUR + HOUR);
  });
});

describe("formatters", () => {
  it("write the labels staff and booking pages have always shown", () => {
    expect(formatDate("1984-03-12")).toBe("Mar 12, 1984");
    expect(formatDate("not a date")).toBe("not a date");
    expect(dayLabel("2026-12-01")).toBe("Tue, Dec 1");
    expect(timeLabel("13:05")).toBe("1:05 PM");
    expect(timeLabel("00:00")).toBe("12:00 AM");
    expect(timeLabel("12:30")).toBe("12:30 PM");
    const at = zonedInstant("2026-12-01", "10:00", NY);
    expect(whenLabel(at, NY)).toBe("Tue, Dec 1 at 10:00 AM");
    expect(whenLabel(at, NY, { zone: true })).toBe("Tue, Dec 1 at 10:00 AM EST");
    expect(whenLabel(zonedInstant("2026-07-01", "09:15", NY), NY, { zone: true })).toBe("Wed, Jul 1 at 9:15 AM EDT");
    expect(clockLabel(at, NY)).toBe("10:00 AM");
    expect(formatInstant(Date.UTC(2026, 10, 27, 14, 14, 5), NY)).toBe("2026-11-27 09:14:05 EST");
    expect(formatInstant("2026-07-04T16:00:00.000Z", NY)).toBe("2026-07-04 12:00:00 EDT");
  });

  it("write Spanish", () => {
    expect(dayLabel("2026-12-01", "es")).toBe("mar, 1 dic");
    expect(timeLabel("13:05", "es")).toBe("13:05");
    expect(formatDate("1984-03-12", "es")).toBe("12 mar 1984");
    const at = zonedInstant("2026-12-01", "09:00", NY);
    expect(whenLabel(at, NY, { locale: "es" })).toBe("mar, 1 dic a las 9:00");
    expect(formatWhen(at, NY, "es")).toEqual({ date: "martes, 1 de diciembre", time: "9:00" });
    expect(formatWhen(at, NY, "es", "short")).toEqual({ date: "mar, 1 dic", time: "9:00" });
  });

  it("write message dates as the messaging templates do, with plain spaces only", () => {
    const at = Date.UTC(2027, 2, 14, 13, 0);
    expect(formatWhen(at, NY, "en")).toEqual({ date: "Sunday, March 14", time: "9:00 AM" });
    expect(formatWhen(at, NY, "en", "short")).toEqual({ date: "Sun, Mar 14", time: "9:00 AM" });
    expect(formatWhen(at, NY, "en").time).not.toMatch(/[\u00a0\u202f]/);
  });
});
