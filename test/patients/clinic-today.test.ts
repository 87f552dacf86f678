// Dates of birth are checked against the clinic's today, not UTC's: in a clinic east of UTC the
// local date turns over hours before UTC's does, and a baby born that morning is already "today".
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { USERS } from "../fixtures";
import { clinicD1, patientForm, signedIn } from "../helpers";
import { forgetClinic } from "../../src/platform/tenancy";

// 2026-12-03 20:00 UTC is 2026-12-04 09:00 in Auckland (NZDT, UTC+13).
const AT = Date.UTC(2026, 11, 3, 20, 0);

async function setTimezone(tz: string) {
  await env.DIRECTORY.prepare("UPDATE clinics SET timezone = ? WHERE id = 'c-hill'").bind(tz).run();
  forgetClinic();
}

afterEach(async () => {
  vi.useRealTimers();
  await setTimezone("America/New_York");
});

describe("date of birth against the clinic's today", () => {
  it("accepts a baby born this morning in Auckland while UTC is still on the day before", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(AT);
    await setTimezone("Pacific/Auckland");
    const b = await signedIn("hillcrest", USERS.hillOwner.email);
    const res = await b.post("/patients", patientForm({ given_name: "Aroha", family_name: "Newborn", date_of_birth: "2026-12-04" }));
    expect(res.status).toBe(303);
    const id = res.headers.get("location")!.match(/\/patients\/([0-9a-f-]{36})/)![1]!;
    const row = await clinicD1("hillcrest").prepare("SELECT date_of_birth FROM patients WHERE id = ?").bind(id).first();
    expect(row).toEqual({ date_of_birth: "2026-12-04" });
  });

  it("still refuses the next day, which is in the future in Auckland too", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(AT);
    await setTimezone("Pacific/Auckland");
    const b = await signedIn("hillcrest", USERS.hillOwner.email);
    const res = await b.post("/patients", patientForm({ given_name: "Aroha", family_name: "Tomorrow", date_of_birth: "2026-12-05" }));
    expect(res.status).toBe(422);
    expect(await res.text()).toContain("Date of birth cannot be in the future.");
  });

  it("refuses that same date in New York, where it is still 2026-12-03", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(AT);
    const b = await signedIn("hillcrest", USERS.hillOwner.email);
    const res = await b.post("/patients", patientForm({ given_name: "Aroha", family_name: "Early", date_of_birth: "2026-12-04" }));
    expect(res.status).toBe(422);
    expect(await res.text()).toContain("Date of birth cannot be in the future.");
  });
});
