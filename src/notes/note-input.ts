/**
 * Input schemas of the encounter and note forms. The note's own fields are read by the
 * template's definition (views/notes/fields.tsx: readNoteForm); these cover everything around them.
 */
import * as z from "zod/mini";
import { multiLine, oneLine } from "../platform/validation";

const id = (label: string) =>
  z.string({ error: `${label} is required.` }).check(
    z.trim(),
    z.minLength(1, { error: `${label} is required.` }),
    z.maxLength(80, { error: `${label} is not valid.` }),
    z.regex(/^[A-Za-z0-9:_-]+$/, { error: `${label} is not valid.` }),
  );

const optionalId = (label: string) =>
  z.pipe(
    z.optional(z.string().check(z.trim(), z.maxLength(80, { error: `${label} is not valid.` }), z.regex(/^[A-Za-z0-9_-]*$/, { error: `${label} is not valid.` }))),
    z.transform((v: string | undefined) => (v ? v : null)),
  );

/** POST /encounters: from an appointment, or ad hoc for a patient. */
export const startEncounterSchema = z
  .object({
    appointment_id: optionalId("Appointment"),
    patient_id: optionalId("Patient"),
    reason: z.pipe(
      z.optional(z.string().check(z.trim(), z.maxLength(200, { error: "Reason for the visit must be at most 200 characters." }), oneLine("Reason for the visit"))),
      z.transform((v: string | undefined) => (v ? v : null)),
    ),
  })
  .check(
    z.refine((v) => !!v.appointment_id !== !!v.patient_id, {
      error: "Start a visit from an appointment or from a patient's chart (one of the two).",
      path: ["appointment_id"],
    }),
  );
export type StartEncounterInput = z.output<typeof startEncounterSchema>;

/** POST /encounters/:id/notes. */
export const newNoteSchema = z.object({ template_id: id("Template") });

/** The version a note form was opened on. */
export const versionSchema = z.object({
  version: z.pipe(
    z.string({ error: "The form is missing its version; reload the note." }).check(
      z.regex(/^[1-9]\d{0,8}$/, { error: "The form's version is not valid; reload the note." }),
    ),
    z.transform((v: string) => Number(v)),
  ),
});

/** The sign form: the version, and the supervisor an associate names. */
export const signSchema = z.object({
  version: versionSchema.shape.version,
  cosigner: z.pipe(
    z.optional(z.string().check(z.trim(), z.maxLength(80, { error: "Supervisor is not valid." }))),
    z.transform((v: string | undefined) => (v ? v : null)),
  ),
});

export const ADDENDUM_MAX = 10_000;

/** POST /notes/:id/addenda. */
export const addendumSchema = z.object({
  body: z.string({ error: "Addendum text is required." }).check(
    z.trim(),
    z.minLength(1, { error: "Addendum text is required." }),
    z.maxLength(ADDENDUM_MAX, { error: `Addendum text must be at most ${ADDENDUM_MAX.toLocaleString("en-US")} characters.` }),
    multiLine("Addendum text"),
  ),
});
