/**
 * The upload form. Its field order is part of the contract with the streamed upload route: the
 * CSRF token first, the file last, so everything about the file is known before its bytes arrive.
 */
import type { ChartHeaderData } from "../../src/charting/header";
import type { EncounterRef } from "../../src/attachments/repo";
import { CATEGORY_LABELS, type AttachmentCategory, type UploadFormValues } from "../../src/attachments/input";
import { ChartFrame } from "../charting/frame";
import { Alert, CsrfField, describedBy, Field, FieldFrame, SelectField } from "../components/form";
import { formatInstant } from "../components/format";

// A hint for the file picker only: the type is decided from the file's bytes.
const ACCEPT = ".pdf,.png,.jpg,.jpeg,.heic,.heif,.dcm,.txt,application/pdf,image/png,image/jpeg,image/heic,image/heif,application/dicom,text/plain";

export interface UploadPageProps {
  h: ChartHeaderData;
  today: string;
  timezone: string;
  csrfToken: string;
  categories: AttachmentCategory[];
  encounter: EncounterRef | null;
  values: UploadFormValues;
  errors?: Record<string, string>;
  maxLabel: string;
}

export function UploadPage(p: UploadPageProps) {
  const base = `/patients/${p.h.patientId}/documents`;
  const errors = p.errors ?? {};
  const fileId = "f-file";
  const fileHint = `PDF, PNG, JPEG, HEIC, DICOM or plain text, up to ${p.maxLabel}.`;
  return (
    <ChartFrame h={p.h} today={p.today} active="documents">
      <h2>Upload a document</h2>
      {Object.keys(errors).length > 0 && <Alert kind="error">The document was not saved. Check the fields marked below.</Alert>}
      <form class="card upload" method="post" action={base} enctype="multipart/form-data">
        <CsrfField token={p.csrfToken} />
        {p.encounter && (
          <p>
            For the visit of {formatInstant(p.encounter.startedAt, p.timezone)} with {p.encounter.providerName}
            {p.encounter.reason ? ` (${p.encounter.reason})` : ""}.
            <input type="hidden" name="encounter_id" value={p.encounter.id} />
          </p>
        )}
        <Field name="title" label="Title" value={p.values.title} error={errors.title} maxLength={200} hint="For example: Referral letter from Dr. Lee" />
        <SelectField
          name="category"
          label="Category"
          required
          value={p.values.category ?? p.categories[0]}
          error={errors.category}
          options={p.categories.map((c) => ({ value: c, label: CATEGORY_LABELS[c] }))}
        />
        <FieldFrame id={fileId} label="File" required hint={fileHint} error={errors.file}>
          <input
            id={fileId}
            name="file"
            type="file"
            required
            accept={ACCEPT}
            aria-invalid={errors.file ? "true" : undefined}
            aria-describedby={describedBy(fileId, fileHint, errors.file)}
          />
        </FieldFrame>
        <div class="actions">
          <button type="submit">Upload</button>
          <a href={base}>Cancel</a>
        </div>
      </form>
    </ChartFrame>
  );
}
