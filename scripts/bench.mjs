// Times the slot engine on a busy clinic: 20 providers at two locations (New York and Chicago),
// Mon-Fri 8:00-17:00 with a 12:00-13:00 break, 3 rooms per location, 2,000 booked visits over 14
// days that include the spring-forward Sunday, and a 30 minute visit needing a room with 5/5 minute
// buffers. The data come from a seeded PRNG, so every run computes the same slots.
// Run: npm run bench (needs Node >= 22.18 for type stripping). Exits 1 if the median exceeds 50 ms.
import { computeSlots, zonedInstant } from "../src/scheduling/slots.ts";

const BUDGET_MS = 50;
const WARMUP = 5;
const RUNS = 50;

/** mulberry32: a tiny seeded PRNG, so the data set is the same on every run. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function addDays(date, n) {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

function buildQuery() {
  const random = prng(20260302);
  const fromDate = "2026-03-02"; // a Monday; the range crosses the 2026-03-08 DST change
  const toDate = addDays(fromDate, 13);
  const locations = [
    { id: "loc-ny", timezone: "America/New_York" },
    { id: "loc-chi", timezone: "America/Chicago" },
  ];
  const rooms = locations.flatMap((l) => [1, 2, 3].map((n) => ({ id: `${l.id}-room-${n}`, locationId: l.id })));
  const providers = Array.from({ length: 20 }, (_, i) => ({
    id: `prov-${String(i + 1).padStart(2, "0")}`,
    locationIds: [locations[i % 2].id],
  }));
  const weekly = providers.flatMap((p) =>
    [1, 2, 3, 4, 5].flatMap((weekday) => [
      { providerId: p.id, locationId: p.locationIds[0], weekday, kind: "work", startTime: "08:00", endTime: "17:00", validFrom: null, validUntil: null },
      { providerId: p.id, locationId: p.locationIds[0], weekday, kind: "break", startTime: "12:00", endTime: "13:00", validFrom: null, validUntil: null },
    ]),
  );

  // 2,000 visits: each provider, each of the 10 weekdays, 10 of the 16 half-hour places in the
  // working hours (a 20 minute visit with 5/5 minute buffers fills its half hour). A third of the
  // visits are procedures that take the first free room; the rest (and any procedure finding all
  // three rooms taken) need no room.
  const places = [];
  for (let m = 8 * 60; m < 17 * 60; m += 30) if (m < 12 * 60 || m >= 13 * 60) places.push(m);
  const busy = [];
  const roomBusy = new Map();
  for (let d = 0; d < 14; d++) {
    const date = addDays(fromDate, d);
    const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    for (const p of providers) {
      const loc = locations.find((l) => l.id === p.locationIds[0]);
      const shuffled = places.slice();
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
      }
      for (const m of shuffled.slice(0, 10)) {
        const time = `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
        const blockStart = zonedInstant(date, time, loc.timezone);
        const blockEnd = blockStart + 30 * 60_000;
        const room = random() < 1 / 3 && rooms.find((r) => r.locationId === loc.id && !roomBusy.has(`${r.id}|${blockStart}`));
        if (room) roomBusy.set(`${room.id}|${blockStart}`, true);
        busy.push({ providerId: p.id, roomId: room ? room.id : null, resourceId: null, blockStart, blockEnd });
      }
    }
  }
  // Shuffle the input order too: the engine must not rely on sorted rows.
  for (let i = busy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [busy[i], busy[j]] = [busy[j], busy[i]];
  }

  return {
    now: Date.parse("2026-03-01T12:00:00Z"),
    fromDate,
    toDate,
    type: { id: "procedure", durationMinutes: 30, bufferBeforeMinutes: 5, bufferAfterMinutes: 5, needsRoom: true, resourceId: null },
    providers,
    locations,
    rooms,
    weekly,
    overrides: [],
    timeOff: [],
    holidays: [{ locationId: "loc-chi", date: addDays(fromDate, 4) }],
    busy,
    rules: { minNoticeMinutes: 120, maxDaysAhead: 60, slotStepMinutes: 15 },
  };
}

const q = buildQuery();
let slots = [];
for (let i = 0; i < WARMUP; i++) slots = computeSlots(q);
const timings = [];
for (let i = 0; i < RUNS; i++) {
  const t0 = performance.now();
  slots = computeSlots(q);
  timings.push(performance.now() - t0);
}
timings.sort((a, b) => a - b);
const median = (timings[(RUNS - 1) >> 1] + timings[RUNS >> 1]) / 2;
const p95 = timings[Math.ceil(RUNS * 0.95) - 1];
const ms = (x) => `${x.toFixed(2)} ms`;

console.log(`slot engine: ${q.providers.length} providers, ${q.locations.length} locations, ${q.rooms.length} rooms, ${q.busy.length} busy entries, ${q.fromDate}..${q.toDate}`);
console.log(`slots found: ${slots.length} (${new Set(slots.map((s) => s.providerId)).size} providers, ${new Set(slots.map((s) => s.roomId)).size} rooms)`);
console.log(`per computation over ${RUNS} runs: min ${ms(timings[0])}, median ${ms(median)}, p95 ${ms(p95)}, max ${ms(timings[RUNS - 1])}`);
if (median > BUDGET_MS) {
  console.error(`median ${ms(median)} exceeds the ${BUDGET_MS} ms budget`);
  process.exit(1);
}
