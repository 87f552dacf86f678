/** Input schemas of the document forms (the fields beside the file, and the reason of a deletion). */
import * as z from "zod/mini";
import { ATTACHMENT_CATEGORIES } from "../charting/tables";

export type AttachmentCategory = (typeof ATTACHMENT_CATEGORIES)[number];

export const CATEGORY_LABELS: Record<AttachmentCategory, string> = {
  clinical: "Clinical",
  lab: "Lab result",
  imaging: "Imaging",
  correspondence: "Correspondence",
  administrative: "Administrative (ID, insurance, consent)",
};

/** The upload form's fields other than the file, as they arrive (the file comes last). */
export const UPLOAD_FIELDS = ["title", "category", "encounter_id"] as const;
export type UploadFormValues = Partial<Record<(typeof UPLOAD_FIELDS)[number], string>>;

export const uploadFieldsSchema = z.object({
  title: z.pipe(
    z.optional(z.string().check(z.maxLength(200, { error: "Title must be at most 200 characters." }))),
    z.transform((v: string | undefined) => v?.trim() || null),
  ),
  category: z.enum(ATTACHMENT_CATEGORIES, { error: "Choose a category: clinical, lab result, imaging, correspondence or administrative." }),
  encounter_id: z.pipe(
    z.optional(z.string().check(z.maxLength(64, { error: "The visit reference is not valid." }))),
    z.transform((v: string | undefined) => v?.trim() || null),
  ),
});

export type UploadFields = z.output<typeof uploadFieldsSchema>;

export const deleteSchema = z.object({
  reason: z.string({ error: "Reason is required: say why this document is being deleted." }).check(
    z.trim(),
    z.minLength(3, { error: "Reason is required: say why this document is being deleted (at least 3 characters)." }),
    z.maxLength(500, { error: "Reason must be at most 500 characters." }),
  ),
});
