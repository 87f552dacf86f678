// The guarded insert the workflow engine and inbound SMS build their batches from: a row is
// written only when its condition holds, gets the same defaults as a plain insert, and a batch of
// such writes reports each statement's changes in order.
import { env } from "cloudflare:workers";
import { eq, exists, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { patientContactPrefs } from "../../src/messaging/tables";
import { insertWhere, runWrites } from "../../src/platform/guarded-writes";
import { systemScope } from "../../src/platform/scope";
import { patientTags, workflowRules } from "../../src/workflows/tables";
import { NORTH_CLINIC } from "../fixtures";
import { clinicD1 } from "../helpers";

const NORTH = NORTH_CLINIC;

describe("insertWhere", () => {
  it("writes the row only while its condition holds, and counts each statement's changes", async () => {
    const db = systemScope(env, NORTH, "test").db;
    const ruleId = `rule-${crypto.randomUUID()}`;
    const ruleExists = exists(db.select({ id: workflowRules.id }).from(workflowRules).where(eq(workflowRules.id, ruleId)));
    const tag = (name: string) => insertWhere(db, patientTags, { patientId: "p-guarded", tag: name, createdAt: 1 }, ruleExists).onConflictDoNothing();

    // No such rule yet: nothing is written.
    expect((await runWrites(db, [tag("before")])).map((r) => r.meta.changes)).toEqual([0]);
    // The rule and a tag in one batch: the later statement sees the earlier one's row.
    const results = await runWrites(db, [
      db.insert(workflowRules).values({ id: ruleId, name: "Guard", trigger: "patient.birthday", actions: "[]" }),
      tag("after"),
      tag("after"),
    ]);
    expect(results.map((r) => r.meta.changes)).toEqual([1, 1, 0]);
    const tags = await clinicD1("north").prepare("SELECT tag FROM patient_tags WHERE patient_id = 'p-guarded' ORDER BY tag").all<{ tag: string }>();
    expect(tags.results.map((t) => t.tag)).toEqual(["after"]);
  });

  it("gives left-out columns their defaults, as a plain insert does", async () => {
    const db = systemScope(env, NORTH, "test").db;
    const patientId = `p-${crypto.randomUUID()}`;
    await runWrites(db, [insertWhere(db, patientContactPrefs, { patientId, smsOptedOutAt: 5 }, sql`1 = 1`)]);
    const row = await clinicD1("north")
      .prepare("SELECT email_consent, sms_consent, sms_opted_out_at, preferred_channel, locale, updated_at FROM patient_contact_prefs WHERE patient_id = ?")
      .bind(patientId)
      .first<Record<string, unknown>>();
    expect(row).toMatchObject({ email_consent: 1, sms_consent: 1, sms_opted_out_at: 5, preferred_channel: "both", locale: "en" });
    expect(typeof row!.updated_at).toBe("number");
  });
});
