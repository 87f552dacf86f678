/** Confirming a document's deletion, with the reason the record keeps. */
import type { ChartHeaderData } from "../../src/charting/header";
import { typeLabel } from "../../src/attachments/file-types";
import type { Attachment } from "../../src/attachments/repo";
import { ChartFrame } from "../charting/frame";
import { CsrfField, TextAreaField } from "../components/form";
import { formatInstant } from "../components/format";
import { formatSize } from "./list";

export function DeletePage(p: {
  h: ChartHeaderData;
  today: string;
  timezone: string;
  csrfToken: string;
  doc: Attachment;
  reason?: string;
  error?: string;
}) {
  const base = `/patients/${p.h.patientId}/documents`;
  const d = p.doc;
  return (
    <ChartFrame h={p.h} today={p.today} active="documents">
      <h2>Delete a document</h2>
      <form class="card" method="post" action={`${base}/${d.id}/delete`}>
        <CsrfField token={p.csrfToken} />
        <p>
          <strong>{d.title ?? d.filename}</strong> ({typeLabel(d.contentType)}, {formatSize(d.sizeBytes)}), uploaded by {d.uploadedByName} on{" "}
          {formatInstant(d.uploadedAt, p.timezone)}.
        </p>
        <p class="hint">The document leaves the chart but is kept for retention, with who deleted it, when and why.</p>
        <TextAreaField name="reason" label="Reason" value={p.reason} error={p.error} rows={3} maxLength={500} required />
        <div class="actions">
          <button type="submit" class="danger">
            Delete document
          </button>
          <a href={base}>Cancel</a>
        </div>
      </form>
    </ChartFrame>
  );
}
