/** The forms of emergency access: the reason for a grant, the privacy officer's review, the policy. */
import * as z from "zod/mini";

/** Tabs, line breaks, NUL and the other control characters: a one-line field refuses them. */
const CONTROL = /[\u0000-\u001f\u007f]/;

/** The shortest reason accepted: enough for a sentence a privacy officer can judge. */
export const REASON_MIN = 10;

/** The reason a staff member gives before opening a chart outside their care relationships. */
export const emergencyReasonSchema = z.object({
  reason: z.string({ error: "Reason is required." }).check(
    z.trim(),
    z.minLength(1, { error: "Reason is required." }),
    z.minLength(REASON_MIN, { error: `Reason must be at least ${REASON_MIN} characters: say why you need this chart now.` }),
    z.maxLength(300, { error: "Reason must be at most 300 characters." }),
    z.refine((v) => !CONTROL.test(v), { error: "Reason must be one line of text, without line breaks or control characters." }),
  ),
  /** Where to go once the grant is taken (checked against the patient's own pages by the route). */
  next: z.optional(z.string()),
});
export type EmergencyReason = z.output<typeof emergencyReasonSchema>;

/** The privacy officer's review of one emergency access: an optional one-line note. */
export const reviewSchema = z.object({
  note: z.optional(
    z.string().check(
      z.trim(),
      z.maxLength(500, { error: "Review note must be at most 500 characters." }),
      z.refine((v) => !CONTROL.test(v), { error: "Review note must be one line of text, without line breaks or control characters." }),
    ),
  ),
});

/** The clinic's chart access policy: a checkbox (sent only when ticked). */
export const policySchema = z.object({
  care_team_only: z.optional(z.literal("on", { error: "Charts are open to the care team only: tick the box or leave it empty." })),
});
