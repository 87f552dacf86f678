import { describe, expect, it } from "vitest";
import {
  checkSlot,
  computeSlots,
  type Busy,
  type Slot,
  type SlotQuery,
  type WeeklyRule,
} from "../../src/scheduling/slots";
import { localParts, zonedInstant } from "../../src/platform/time";

const NY = "America/New_York";
const CHI = "America/Chicago";
const SYD = "Australia/Sydney";

const iso = (ms: number) => new Date(ms).toISOString();
const at = (s: string) => Date.parse(s);
const times = (slots: Slot[]) => slots.map((s) => s.localTime);

function work(weekday: number, startTime: string, endTime: string, more: Partial<WeeklyRule> = {}): WeeklyRule {
  return { providerId: "dr-ames", locationId: "downtown", weekday, kind: "work", startTime, endTime, validFrom: null, validUntil: null, ...more };
}

function pause(weekday: number, startTime: string, endTime: string, more: Partial<WeeklyRule> = {}): WeeklyRule {
  return { ...work(weekday, startTime, endTime, more), kind: "break" };
}

function busy(providerId: string | null, from: string, to: string, more: Partial<Busy> = {}): Busy {
  return { providerId, roomId: null, resourceId: null, blockStart: at(from), blockEnd: at(to), ...more };
}

/** Dr Ames works at Downtown (New York); a 30 minute visit, no buffers, a 30 minute grid, no notice. */
function query(more: Partial<SlotQuery> = {}): SlotQuery {
  return {
    now: at("2026-02-01T12:00:00Z"),
    fromDate: "2026-03-02",
    toDate: "2026-03-02",
    type: { id: "follow-up", durationMinutes: 30, bufferBeforeMinutes: 0, bufferAfterMinutes: 0, needsRoom: false, resourceId: null },
    providers: [{ id: "dr-ames", locationIds: ["downtown"] }],
    locations: [
      { id: "downtown", timezone: NY },
      { id: "lakeside", timezone: CHI },
    ],
    rooms: [],
    weekly: [],
    overrides: [],
    timeOff: [],
    holidays: [],
    busy: [],
    rules: { minNoticeMinutes: 0, maxDaysAhead: 365, slotStepMinutes: 30 },
    ...more,
  };
}

/** Every slot starts at its own instant and none overlaps the next one of the same provider. */
function expectDisjoint(slots: Slot[]) {
  expect(new Set(slots.map((s) => s.startsAt)).size).toBe(slots.length);
  for (let i = 1; i < slots.length; i++) expect(slots[i]!.startsAt).toBeGreaterThanOrEqual(slots[i - 1]!.endsAt);
}

describe("wall clock and instants", () => {
  it("reads local date, time and weekday of an instant", () => {
    expect(localParts(at("2026-03-02T14:00:00Z"), NY)).toEqual({ date: "2026-03-02", time: "09:00", weekday: 1 });
    expect(localParts(at("2026-03-03T04:30:00Z"), NY)).toEqual({ date: "2026-03-02", time: "23:30", weekday: 1 });
    expect(localParts(at("2026-10-03T16:00:00Z"), SYD)).toEqual({ date: "2026-10-04", time: "03:00", weekday: 7 });
  });

  it("moves a time skipped by spring forward ahead by the gap and reads a repeated time as its first occurrence", () => {
    expect(iso(zonedInstant("2026-03-08", "01:59", NY))).toBe("2026-03-08T06:59:00.000Z");
    expect(iso(zonedInstant("2026-03-08", "02:30", NY))).toBe("2026-03-08T07:30:00.000Z");
    expect(iso(zonedInstant("2026-03-08", "03:00", NY))).toBe("2026-03-08T07:00:00.000Z");
    expect(iso(zonedInstant("2026-11-01", "01:30", NY))).toBe("2026-11-01T05:30:00.000Z");
    expect(iso(zonedInstant("2026-11-01", "02:00", NY))).toBe("2026-11-01T07:00:00.000Z");
    expect(iso(zonedInstant("2026-04-05", "02:30", SYD))).toBe("2026-04-04T15:30:00.000Z");
    expect(iso(zonedInstant("2026-10-04", "02:30", SYD))).toBe("2026-10-03T16:30:00.000Z");
    expect(iso(zonedInstant("2026-03-02", "24:00", NY))).toBe("2026-03-03T05:00:00.000Z");
  });
});

describe("computeSlots on a plain weekday", () => {
  it("offers the hours on the grid, minus the lunch break, with instants and local times", () => {
    const slots = computeSlots(query({ weekly: [work(1, "09:00", "13:00"), pause(1, "11:00", "12:00")] }));
    expect(times(slots)).toEqual(["09:00", "09:30", "10:00", "10:30", "12:00", "12:30"]);
    expect(slots[0]).toEqual({
      providerId: "dr-ames",
      locationId: "downtown",
      startsAt: at("2026-03-02T14:00:00Z"),
      endsAt: at("2026-03-02T14:30:00Z"),
      blockStart: at("2026-03-02T14:00:00Z"),
      blockEnd: at("2026-03-02T14:30:00Z"),
      roomId: null,
      resourceId: null,
      localDate: "2026-03-02",
      localTime: "09:00",
    });
    expect(iso(slots[5]!.startsAt)).toBe("2026-03-02T17:30:00.000Z");
  });

  it("steps every 15 minutes from the start of each interval, and only on rules valid that date", () => {
    const q = query({
      weekly: [
        work(1, "09:00", "10:00"),
        work(1, "14:00", "15:00", { validUntil: "2026-03-01" }),
        work(1, "16:00", "17:00", { validFrom: "2026-03-03" }),
      ],
      rules: { minNoticeMinutes: 0, maxDaysAhead: 365, slotStepMinutes: 15 },
    });
    expect(times(computeSlots(q))).toEqual(["09:00", "09:15", "09:30"]);
  });

  it("sorts several providers by start, then provider", () => {
    const slots = computeSlots(
      query({
        providers: [
          { id: "dr-zhou", locationIds: ["downtown"] },
          { id: "dr-ames", locationIds: ["downtown"] },
        ],
        weekly: [work(1, "09:00", "10:00"), work(1, "09:30", "10:30", { providerId: "dr-zhou" })],
      }),
    );
    expect(slots.map((s) => `${s.localTime} ${s.providerId}`)).toEqual(["09:00 dr-ames", "09:30 dr-ames", "09:30 dr-zhou", "10:00 dr-zhou"]);
  });
});

describe("computeSlots around what is busy", () => {
  it("keeps buffers clear of a neighbouring appointment; touching is fine", () => {
    const q = query({
      type: { id: "therapy", durationMinutes: 30, bufferBeforeMinutes: 10, bufferAfterMinutes: 10, needsRoom: false, resourceId: null },
      weekly: [work(1, "09:00", "12:00")],
      busy: [busy("dr-ames", "2026-03-02T15:30:00Z", "2026-03-02T16:00:00Z"), busy("dr-zhou", "2026-03-02T14:00:00Z", "2026-03-02T17:00:00Z")],
      rules: { minNoticeMinutes: 0, maxDaysAhead: 365, slotStepMinutes: 10 },
    });
    const slots = computeSlots(q);
    expect(times(slots)).toEqual(["09:00", "09:10", "09:20", "09:30", "09:40", "09:50", "11:10", "11:20", "11:30"]);
    const nine = slots[0]!;
    expect([iso(nine.blockStart), iso(nine.blockEnd)]).toEqual(["2026-03-02T13:50:00.000Z", "2026-03-02T14:40:00.000Z"]);
    expect(iso(slots[5]!.blockEnd)).toBe("2026-03-02T15:30:00.000Z");
    expect(iso(slots[6]!.blockStart)).toBe("2026-03-02T16:00:00.000Z");
  });

  it("does not offer a slot another patient holds", () => {
    const hold = busy("dr-ames", "2026-03-02T14:30:00Z", "2026-03-02T15:00:00Z");
    const slots = computeSlots(query({ weekly: [work(1, "09:00", "11:00")], busy: [hold] }));
    expect(times(slots)).toEqual(["09:00", "10:00", "10:30"]);
  });
});

describe("computeSlots and the booking rules", () => {
  // Monday 2026-03-02 10:07 in New York.
  const now = at("2026-03-02T15:07:00Z");
  const weekly = [1, 2, 3].map((d) => work(d, "09:00", "12:00"));

  it("offers nothing in the past", () => {
    const slots = computeSlots(query({ now, weekly }));
    expect(times(slots)).toEqual(["10:30", "11:00", "11:30"]);
  });

  it("requires the minimum notice", () => {
    const slots = computeSlots(query({ now, weekly, rules: { minNoticeMinutes: 60, maxDaysAhead: 365, slotStepMinutes: 30 } }));
    expect(times(slots)).toEqual(["11:30"]);
  });

  it("offers nothing from maxDaysAhead days after now", () => {
    const slots = computeSlots(
      query({ now, weekly, fromDate: "2026-03-02", toDate: "2026-03-04", rules: { minNoticeMinutes: 0, maxDaysAhead: 1, slotStepMinutes: 30 } }),
    );
    expect(slots.map((s) => `${s.localDate} ${s.localTime}`)).toEqual([
      "2026-03-02 10:30",
      "2026-03-02 11:00",
      "2026-03-02 11:30",
      "2026-03-03 09:00",
      "2026-03-03 09:30",
      "2026-03-03 10:00",
    ]);
  });
});

describe("computeSlots with overrides, holidays and time off", () => {
  const weekly = [work(1, "09:00", "11:00"), work(2, "09:00", "11:00")];

  it("replaces a day's hours with an available override and opens a day without weekly hours", () => {
    const slots = computeSlots(
      query({
        fromDate: "2026-03-02",
        toDate: "2026-03-07",
        weekly: [...weekly, pause(1, "09:30", "10:00")],
        overrides: [
          { providerId: "dr-ames", locationId: "downtown", date: "2026-03-02", kind: "available", startTime: "14:00", endTime: "15:00" },
          { providerId: "dr-ames", locationId: "downtown", date: "2026-03-07", kind: "available", startTime: "10:00", endTime: "11:00" },
          { providerId: "dr-ames", locationId: "lakeside", date: "2026-03-03", kind: "unavailable", startTime: null, endTime: null },
        ],
      }),
    );
    expect(slots.map((s) => `${s.localDate} ${s.localTime}`)).toEqual([
      "2026-03-02 14:00",
      "2026-03-02 14:30",
      "2026-03-03 09:00",
      "2026-03-03 09:30",
      "2026-03-03 10:00",
      "2026-03-03 10:30",
      "2026-03-07 10:00",
      "2026-03-07 10:30",
    ]);
  });

  it("closes the day with an unavailable override", () => {
    const slots = computeSlots(
      query({
        fromDate: "2026-03-02",
        toDate: "2026-03-03",
        weekly,
        overrides: [{ providerId: "dr-ames", locationId: "downtown", date: "2026-03-02", kind: "unavailable", startTime: null, endTime: null }],
      }),
    );
    expect(new Set(slots.map((s) => s.localDate))).toEqual(new Set(["2026-03-03"]));
    expect(slots).toHaveLength(4);
  });

  it("closes a location on its own holiday, and every location on a clinic-wide one", () => {
    const both = {
      fromDate: "2026-03-02",
      toDate: "2026-03-03",
      providers: [{ id: "dr-ames", locationIds: ["downtown", "lakeside"] }],
      weekly: [...weekly, ...weekly.map((r) => ({ ...r, locationId: "lakeside" }))],
    };
    const local = computeSlots(query({ ...both, holidays: [{ locationId: "downtown", date: "2026-03-02" }] }));
    expect(local.filter((s) => s.localDate === "2026-03-02").map((s) => `${s.locationId} ${s.localTime}`)).toEqual([
      "lakeside 09:00",
      "lakeside 09:30",
      "lakeside 10:00",
      "lakeside 10:30",
    ]);
    expect(local.filter((s) => s.localDate === "2026-03-03")).toHaveLength(8);
    // Lakeside keeps its own clock: 09:00 in Chicago is 15:00Z.
    expect(iso(local[0]!.startsAt)).toBe("2026-03-02T15:00:00.000Z");

    const clinicWide = computeSlots(query({ ...both, holidays: [{ locationId: null, date: "2026-03-02" }] }));
    expect(clinicWide.filter((s) => s.localDate === "2026-03-02")).toEqual([]);
    expect(clinicWide).toHaveLength(8);
  });

  it("cuts time off out of the hours", () => {
    const slots = computeSlots(
      query({ weekly: [work(1, "09:00", "12:00")], timeOff: [{ providerId: "dr-ames", startsAt: at("2026-03-02T15:00:00Z"), endsAt: at("2026-03-02T16:00:00Z") }] }),
    );
    expect(times(slots)).toEqual(["09:00", "09:30", "11:00", "11:30"]);
  });
});

describe("computeSlots with rooms and equipment", () => {
  const threeDoctors = {
    type: { id: "procedure", durationMinutes: 30, bufferBeforeMinutes: 0, bufferAfterMinutes: 0, needsRoom: true, resourceId: null },
    providers: ["dr-ames", "dr-bell", "dr-cruz"].map((id) => ({ id, locationIds: ["downtown"] })),
    rooms: [
      { id: "room-b", locationId: "downtown" },
      { id: "room-a", locationId: "downtown" },
      { id: "room-c", locationId: "lakeside" },
    ],
    weekly: ["dr-ames", "dr-bell", "dr-cruz"].map((providerId) => work(1, "09:00", "10:00", { providerId })),
  };

  it("gives each slot the first free room of the location and refuses a third parallel booking", () => {
    const free = computeSlots(query(threeDoctors));
    expect(free.map((s) => s.roomId)).toEqual(Array(6).fill("room-a"));

    const twoBooked = [
      busy("dr-ames", "2026-03-02T14:00:00Z", "2026-03-02T14:30:00Z", { roomId: "room-a" }),
      busy("dr-bell", "2026-03-02T14:00:00Z", "2026-03-02T14:30:00Z", { roomId: "room-b" }),
    ];
    const slots = computeSlots(query({ ...threeDoctors, busy: twoBooked }));
    expect(slots.map((s) => `${s.localTime} ${s.providerId} ${s.roomId}`)).toEqual([
      "09:30 dr-ames room-a",
      "09:30 dr-bell room-a",
      "09:30 dr-cruz room-a",
    ]);

    const oneBooked = computeSlots(query({ ...threeDoctors, busy: twoBooked.slice(0, 1) }));
    expect(oneBooked.filter((s) => s.localTime === "09:00").map((s) => `${s.providerId} ${s.roomId}`)).toEqual([
      "dr-bell room-b",
      "dr-cruz room-b",
    ]);
  });

  it("needs a specific resource free, whichever provider and location holds it", () => {
    const ultrasound = {
      type: { id: "scan", durationMinutes: 30, bufferBeforeMinutes: 0, bufferAfterMinutes: 0, needsRoom: false, resourceId: "ultrasound-1" },
      providers: [
        { id: "dr-ames", locationIds: ["downtown"] },
        { id: "dr-bell", locationIds: ["lakeside"] },
      ],
      weekly: [work(1, "09:00", "10:00"), work(1, "08:00", "09:00", { providerId: "dr-bell", locationId: "lakeside" })],
      // Dr Ames scans at 9:00 New York (14:00Z), the same instant as 8:00 in Chicago.
      busy: [busy("dr-ames", "2026-03-02T14:00:00Z", "2026-03-02T14:30:00Z", { resourceId: "ultrasound-1" })],
    };
    const slots = computeSlots(query(ultrasound));
    expect(slots.map((s) => `${iso(s.startsAt)} ${s.providerId} ${s.resourceId}`)).toEqual([
      "2026-03-02T14:30:00.000Z dr-ames ultrasound-1",
      "2026-03-02T14:30:00.000Z dr-bell ultrasound-1",
    ]);
    expect(slots[1]!.localTime).toBe("08:30");
  });
});

describe("computeSlots across daylight saving changes", () => {
  it("spring forward in New York: 00:00-06:00 is five real hours and no slot shows 02:xx", () => {
    const slots = computeSlots(query({ fromDate: "2026-03-08", toDate: "2026-03-08", weekly: [work(7, "00:00", "06:00")] }));
    expect(times(slots)).toEqual(["00:00", "00:30", "01:00", "01:30", "03:00", "03:30", "04:00", "04:30", "05:00", "05:30"]);
    expect(slots.map((s) => iso(s.startsAt))).toEqual([
      "2026-03-08T05:00:00.000Z",
      "2026-03-08T05:30:00.000Z",
      "2026-03-08T06:00:00.000Z",
      "2026-03-08T06:30:00.000Z",
      "2026-03-08T07:00:00.000Z",
      "2026-03-08T07:30:00.000Z",
      "2026-03-08T08:00:00.000Z",
      "2026-03-08T08:30:00.000Z",
      "2026-03-08T09:00:00.000Z",
      "2026-03-08T09:30:00.000Z",
    ]);
    expect(slots.filter((s) => s.localTime.startsWith("02:"))).toEqual([]);
    expectDisjoint(slots);
  });

  it("spring forward in New York: 9:00 is an hour earlier in UTC than the day before", () => {
    const slots = computeSlots(
      query({ fromDate: "2026-03-07", toDate: "2026-03-08", weekly: [work(6, "09:00", "10:00"), work(7, "09:00", "10:00")] }),
    );
    expect(slots.map((s) => `${s.localDate} ${s.localTime} ${iso(s.startsAt)}`)).toEqual([
      "2026-03-07 09:00 2026-03-07T14:00:00.000Z",
      "2026-03-07 09:30 2026-03-07T14:30:00.000Z",
      "2026-03-08 09:00 2026-03-08T13:00:00.000Z",
      "2026-03-08 09:30 2026-03-08T13:30:00.000Z",
    ]);
  });

  it("fall back in New York: 00:00-04:00 is five real hours and 01:00-01:30 is offered twice, an hour apart", () => {
    const slots = computeSlots(query({ fromDate: "2026-11-01", toDate: "2026-11-01", weekly: [work(7, "00:00", "04:00")] }));
    expect(times(slots)).toEqual(["00:00", "00:30", "01:00", "01:30", "01:00", "01:30", "02:00", "02:30", "03:00", "03:30"]);
    expect(slots.map((s) => iso(s.startsAt))).toEqual([
      "2026-11-01T04:00:00.000Z",
      "2026-11-01T04:30:00.000Z",
      "2026-11-01T05:00:00.000Z",
      "2026-11-01T05:30:00.000Z",
      "2026-11-01T06:00:00.000Z",
      "2026-11-01T06:30:00.000Z",
      "2026-11-01T07:00:00.000Z",
      "2026-11-01T07:30:00.000Z",
      "2026-11-01T08:00:00.000Z",
      "2026-11-01T08:30:00.000Z",
    ]);
    expectDisjoint(slots);
  });

  it("Sydney, DST ends (03:00 -> 02:00): 01:00-04:00 holds four hour-long visits, 02:00 twice", () => {
    const slots = computeSlots(
      query({
        fromDate: "2026-04-05",
        toDate: "2026-04-05",
        type: { id: "long", durationMinutes: 60, bufferBeforeMinutes: 0, bufferAfterMinutes: 0, needsRoom: false, resourceId: null },
        locations: [{ id: "downtown", timezone: SYD }],
        weekly: [work(7, "01:00", "04:00")],
        rules: { minNoticeMinutes: 0, maxDaysAhead: 365, slotStepMinutes: 60 },
      }),
    );
    expect(slots.map((s) => `${s.localTime} ${iso(s.startsAt)}`)).toEqual([
      "01:00 2026-04-04T14:00:00.000Z",
      "02:00 2026-04-04T15:00:00.000Z",
      "02:00 2026-04-04T16:00:00.000Z",
      "03:00 2026-04-04T17:00:00.000Z",
    ]);
    expect(new Set(slots.map((s) => s.localDate))).toEqual(new Set(["2026-04-05"]));
    expectDisjoint(slots);
  });

  it("Sydney, DST starts (02:00 -> 03:00): 01:00-04:00 is two real hours and no slot shows 02:xx", () => {
    const slots = computeSlots(
      query({ fromDate: "2026-10-04", toDate: "2026-10-04", locations: [{ id: "downtown", timezone: SYD }], weekly: [work(7, "01:00", "04:00")] }),
    );
    expect(slots.map((s) => `${s.localDate} ${s.localTime} ${iso(s.startsAt)}`)).toEqual([
      "2026-10-04 01:00 2026-10-03T15:00:00.000Z",
      "2026-10-04 01:30 2026-10-03T15:30:00.000Z",
      "2026-10-04 03:00 2026-10-03T16:00:00.000Z",
      "2026-10-04 03:30 2026-10-03T16:30:00.000Z",
    ]);
    expect(slots.filter((s) => s.localTime.startsWith("02:"))).toEqual([]);
    expectDisjoint(slots);
  });
});

describe("computeSlots across midnight", () => {
  const night = { type: { id: "night", durationMinutes: 60, bufferBeforeMinutes: 0, bufferAfterMinutes: 0, needsRoom: false, resourceId: null } };

  it("runs a Friday 22:00-02:00 rule into Saturday and files each slot under the date it starts", () => {
    const rules = { minNoticeMinutes: 0, maxDaysAhead: 365, slotStepMinutes: 60 };
    const weekly = [work(5, "22:00", "02:00")];
    const both = computeSlots(query({ ...night, rules, weekly, fromDate: "2026-03-06", toDate: "2026-03-07" }));
    expect(both.map((s) => `${s.localDate} ${s.localTime} ${iso(s.startsAt)}`)).toEqual([
      "2026-03-06 22:00 2026-03-07T03:00:00.000Z",
      "2026-03-06 23:00 2026-03-07T04:00:00.000Z",
      "2026-03-07 00:00 2026-03-07T05:00:00.000Z",
      "2026-03-07 01:00 2026-03-07T06:00:00.000Z",
    ]);
    expect(times(computeSlots(query({ ...night, rules, weekly, fromDate: "2026-03-07", toDate: "2026-03-07" })))).toEqual(["00:00", "01:00"]);
    expect(times(computeSlots(query({ ...night, rules, weekly, fromDate: "2026-03-06", toDate: "2026-03-06" })))).toEqual(["22:00", "23:00"]);
    // A holiday on Saturday ends Friday's night shift at midnight.
    const holiday = computeSlots(query({ ...night, rules, weekly, fromDate: "2026-03-06", toDate: "2026-03-07", holidays: [{ locationId: null, date: "2026-03-07" }] }));
    expect(times(holiday)).toEqual(["22:00", "23:00"]);
  });

  it("joins Friday until 24:00 and Saturday from 00:00 into one interval", () => {
    const slots = computeSlots(
      query({ ...night, fromDate: "2026-03-06", toDate: "2026-03-07", weekly: [work(5, "22:00", "24:00"), work(6, "00:00", "01:00")] }),
    );
    expect(slots.map((s) => `${s.localDate} ${s.localTime}`)).toEqual([
      "2026-03-06 22:00",
      "2026-03-06 22:30",
      "2026-03-06 23:00",
      "2026-03-06 23:30",
      "2026-03-07 00:00",
    ]);
  });
});

describe("checkSlot", () => {
  // Monday 2026-03-02 08:00 in New York; Drs Ames and Bell work 09:00-12:00 Monday and Tuesday.
  const now = at("2026-03-02T13:00:00Z");
  const base = query({
    now,
    type: { id: "procedure", durationMinutes: 30, bufferBeforeMinutes: 5, bufferAfterMinutes: 5, needsRoom: true, resourceId: "laser-1" },
    providers: [
      { id: "dr-ames", locationIds: ["downtown"] },
      { id: "dr-bell", locationIds: ["downtown"] },
    ],
    rooms: [
      { id: "room-1", locationId: "downtown" },
      { id: "room-2", locationId: "downtown" },
    ],
    weekly: ["dr-ames", "dr-bell"].flatMap((providerId) => [work(1, "09:00", "12:00", { providerId }), work(2, "09:00", "12:00", { providerId })]),
    rules: { minNoticeMinutes: 120, maxDaysAhead: 7, slotStepMinutes: 30 },
  });
  const want = (startsAt: string, providerId = "dr-ames") => ({ providerId, locationId: "downtown", startsAt: at(startsAt) });

  it("returns the whole slot, room and resource included, for a bookable start", () => {
    const result = checkSlot(base, want("2026-03-02T15:30:00Z"));
    expect(result).toEqual({
      ok: true,
      slot: {
        providerId: "dr-ames",
        locationId: "downtown",
        startsAt: at("2026-03-02T15:30:00Z"),
        endsAt: at("2026-03-02T16:00:00Z"),
        blockStart: at("2026-03-02T15:25:00Z"),
        blockEnd: at("2026-03-02T16:05:00Z"),
        roomId: "room-1",
        resourceId: "laser-1",
        localDate: "2026-03-02",
        localTime: "10:30",
      },
    });
    // It agrees with computeSlots.
    const listed = computeSlots(base).find((s) => s.startsAt === at("2026-03-02T15:30:00Z") && s.providerId === "dr-ames");
    expect(listed).toEqual(result.ok ? result.slot : null);
  });

  it("refuses a start in the past, too soon or too far ahead", () => {
    expect(checkSlot(base, want("2026-03-02T13:00:00Z"))).toEqual({ ok: false, reason: "past" });
    expect(checkSlot(base, want("2026-03-01T14:00:00Z"))).toEqual({ ok: false, reason: "past" });
    expect(checkSlot(base, want("2026-03-02T14:30:00Z"))).toEqual({ ok: false, reason: "too_soon" });
    expect(checkSlot(base, want("2026-03-09T14:00:00Z"))).toEqual({ ok: false, reason: "too_far" });
  });

  it("refuses a start outside the hours, off the grid, running past closing, or at a location the provider does not work at", () => {
    expect(checkSlot(base, want("2026-03-04T14:00:00Z"))).toEqual({ ok: false, reason: "outside_hours" });
    expect(checkSlot(base, want("2026-03-02T15:10:00Z"))).toEqual({ ok: false, reason: "outside_hours" });
    expect(checkSlot(base, want("2026-03-02T17:00:00Z"))).toEqual({ ok: false, reason: "outside_hours" });
    expect(checkSlot(base, { ...want("2026-03-02T15:30:00Z"), locationId: "lakeside" })).toEqual({ ok: false, reason: "outside_hours" });
    expect(checkSlot(base, { ...want("2026-03-02T15:30:00Z"), providerId: "dr-nobody" })).toEqual({ ok: false, reason: "outside_hours" });
  });

  it("refuses a start the provider is busy for, buffers included", () => {
    const q = { ...base, busy: [busy("dr-ames", "2026-03-02T16:00:00Z", "2026-03-02T16:40:00Z")] };
    expect(checkSlot(q, want("2026-03-02T15:30:00Z"))).toEqual({ ok: false, reason: "taken" });
    expect(checkSlot(q, want("2026-03-02T15:30:00Z", "dr-bell")).ok).toBe(true);
  });

  it("refuses when every room is taken, and when the resource is in use elsewhere", () => {
    const rooms = {
      ...base,
      busy: [
        busy("dr-bell", "2026-03-02T15:25:00Z", "2026-03-02T16:05:00Z", { roomId: "room-1" }),
        busy(null, "2026-03-02T15:50:00Z", "2026-03-02T16:10:00Z", { roomId: "room-2" }),
      ],
    };
    expect(checkSlot(rooms, want("2026-03-02T15:30:00Z"))).toEqual({ ok: false, reason: "no_room" });
    const laser = { ...base, busy: [busy(null, "2026-03-02T15:00:00Z", "2026-03-02T15:26:00Z", { resourceId: "laser-1" })] };
    expect(checkSlot(laser, want("2026-03-02T15:30:00Z"))).toEqual({ ok: false, reason: "resource_busy" });
    // One minute less and the resource's block only touches the visit's block.
    const touching = { ...base, busy: [busy(null, "2026-03-02T15:00:00Z", "2026-03-02T15:25:00Z", { resourceId: "laser-1" })] };
    expect(checkSlot(touching, want("2026-03-02T15:30:00Z")).ok).toBe(true);
  });

  it("accepts the second 01:30 of a fall-back night, which computeSlots also lists", () => {
    const q = query({ now: at("2026-10-01T00:00:00Z"), weekly: [work(7, "00:00", "04:00")] });
    expect(checkSlot(q, want("2026-11-01T06:30:00Z"))).toMatchObject({ ok: true, slot: { localDate: "2026-11-01", localTime: "01:30" } });
  });
});
