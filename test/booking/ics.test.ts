import ICAL from "ical.js";
import { describe, expect, it } from "vitest";
import { buildIcs, fold, offsetTransitions } from "../../src/booking/ics";

const base = {
  uid: "appt-1@riverside-north",
  summary: "Appointment at Riverside Health North",
  location: "12 Main St, Springfield; Suite 4",
  description: "Manage or cancel: https://riverside-north.example.test/book/manage?m=abc\nArrive 10 minutes early.",
  url: "https://riverside-north.example.test/book/manage?m=abc",
  stamp: Date.UTC(2026, 10, 27, 5, 0, 0),
};

describe("iCalendar files", () => {
  it("parse with ical.js, with the event at the right instant in its VTIMEZONE", () => {
    // 9:00 New York on 2026-12-01 (EST, UTC-5) is 14:00 UTC.
    const startsAt = Date.UTC(2026, 11, 1, 14, 0);
    const ics = buildIcs({ ...base, startsAt, endsAt: startsAt + 30 * 60_000, timezone: "America/New_York" });
    const comp = new ICAL.Component(ICAL.parse(ics));
    const tz = comp.getFirstSubcomponent("vtimezone")!;
    expect(tz.getFirstPropertyValue("tzid")).toBe("America/New_York");
    ICAL.TimezoneService.register(new ICAL.Timezone(tz));
    const event = new ICAL.Event(comp.getFirstSubcomponent("vevent")!);
    expect(event.startDate.toJSDate().toISOString()).toBe("2026-12-01T14:00:00.000Z");
    expect(event.endDate.toJSDate().toISOString()).toBe("2026-12-01T14:30:00.000Z");
    expect(event.location).toBe(base.location);
    expect(event.description).toBe(base.description);
    expect(event.uid).toBe(base.uid);
    expect(ics.split("\r\n").every((l) => new TextEncoder().encode(l).length <= 75)).toBe(true);
  });

  it("places a summer event by the daylight observance", () => {
    // 9:00 New York on 2026-07-01 (EDT, UTC-4) is 13:00 UTC.
    const startsAt = Date.UTC(2026, 6, 1, 13, 0);
    const ics = buildIcs({ ...base, startsAt, endsAt: startsAt + 3600_000, timezone: "America/New_York" });
    expect(ics).toContain("BEGIN:DAYLIGHT\r\nDTSTART:20260308T020000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400");
    expect(ics).toContain("BEGIN:STANDARD\r\nDTSTART:20261101T020000\r\nTZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500");
    const comp = new ICAL.Component(ICAL.parse(ics));
    ICAL.TimezoneService.register(new ICAL.Timezone(comp.getFirstSubcomponent("vtimezone")!));
    const event = new ICAL.Event(comp.getFirstSubcomponent("vevent")!);
    expect(event.startDate.toJSDate().toISOString()).toBe("2026-07-01T13:00:00.000Z");
  });

  it("places an event early in the year by the previous autumn's observance", () => {
    // 9:00 New York on 2026-01-15 (EST, UTC-5) is 14:00 UTC.
    const startsAt = Date.UTC(2026, 0, 15, 14, 0);
    const ics = buildIcs({ ...base, startsAt, endsAt: startsAt + 1800_000, timezone: "America/New_York", sequence: 3 });
    expect(ics).toContain("DTSTART:20251102T020000");
    expect(ics).toContain("SEQUENCE:3");
    const comp = new ICAL.Component(ICAL.parse(ics));
    ICAL.TimezoneService.register(new ICAL.Timezone(comp.getFirstSubcomponent("vtimezone")!));
    expect(new ICAL.Event(comp.getFirstSubcomponent("vevent")!).startDate.toJSDate().toISOString()).toBe("2026-01-15T14:00:00.000Z");
  });

  it("handles a southern-hemisphere zone and a zone without DST", () => {
    expect(offsetTransitions("Australia/Sydney", Date.UTC(2026, 0, 1), Date.UTC(2027, 0, 1)).map((t) => new Date(t).toISOString())).toEqual([
      "2026-04-04T16:00:00.000Z",
      "2026-10-03T16:00:00.000Z",
    ]);
    const startsAt = Date.UTC(2026, 5, 10, 0, 0);
    const ics = buildIcs({ ...base, startsAt, endsAt: startsAt + 1800_000, timezone: "America/Phoenix" });
    expect(ics).toContain("TZOFFSETFROM:-0700\r\nTZOFFSETTO:-0700");
    const comp = new ICAL.Component(ICAL.parse(ics));
    ICAL.TimezoneService.register(new ICAL.Timezone(comp.getFirstSubcomponent("vtimezone")!));
    expect(new ICAL.Event(comp.getFirstSubcomponent("vevent")!).startDate.toJSDate().toISOString()).toBe("2026-06-10T00:00:00.000Z");
  });

  it("folds long lines without splitting characters", () => {
    const long = `DESCRIPTION:${"é".repeat(60)}`;
    const folded = fold(long);
    expect(folded.split("\r\n ").join("")).toBe(long);
    for (const l of folded.split("\r\n")) expect(new TextEncoder().encode(l).length).toBeLessThanOrEqual(75);
  });
});
