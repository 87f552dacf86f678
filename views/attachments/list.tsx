/** A patient's documents inside the chart frame, with the deleted ones on request. */
import type { ChartHeaderData } from "../../src/charting/header";
import { showsInline, typeLabel } from "../../src/attachments/file-types";
import type { Attachment } from "../../src/attachments/repo";
import { CATEGORY_LABELS } from "../../src/attachments/input";
import { ChartFrame } from "../charting/frame";
import { Alert } from "../components/form";
import { formatInstant } from "../components/format";
import { type Column, DataTable, RowActions } from "../components/table";

/** 1536 → "1.5 KB"; sizes people read, not bytes. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let v = bytes / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

const categoryLabel = (c: string) => CATEGORY_LABELS[c as keyof typeof CATEGORY_LABELS] ?? c;

function Sha({ hex }: { hex: string }) {
  return (
    <code class="sha" title={`SHA-256 ${hex}`}>
      {hex.slice(0, 12)}…
    </code>
  );
}

/** The current documents' columns; Delete (a link to the page that asks for a reason) for those who may. */
function documentColumns(p: { base: string; timezone: string; canDelete: boolean }): (Column<Attachment> | false)[] {
  const title = (d: Attachment) => d.title ?? d.filename;
  return [
    {
      header: "Document",
      cell: (d) => (
        <>
          <a href={`${p.base}/${d.id}`}>{title(d)}</a>
          {showsInline(d.contentType) && (
            <>
              {" "}
              <a class="hint" href={`${p.base}/${d.id}/view`} target="_blank" rel="noopener">
                View<span class="skip"> {title(d)}</span>
              </a>
            </>
          )}
          {d.title && <div class="hint doc-file">{d.filename}</div>}
        </>
      ),
    },
    { header: "Category", cell: (d) => categoryLabel(d.category) },
    {
      header: "Type and size",
      class: "nowrap",
      cell: (d) => (
        <>
          {typeLabel(d.contentType)}, {formatSize(d.sizeBytes)}
        </>
      ),
    },
    {
      header: "Uploaded",
      cell: (d) => (
        <>
          {d.uploadedByName}
          <div class="hint nowrap">{formatInstant(d.uploadedAt, p.timezone)}</div>
        </>
      ),
    },
    { header: "SHA-256", cell: (d) => <Sha hex={d.sha256} /> },
    { header: "Visit", cell: (d) => (d.encounterId ? <a href={`/encounters/${d.encounterId}`}>Visit</a> : "—") },
    p.canDelete && {
      header: <span class="skip">Actions</span>,
      cell: (d) => <RowActions actions={[{ href: `${p.base}/${d.id}/delete`, label: "Delete", detail: title(d) }]} />,
    },
  ];
}

/** The deleted documents' columns: who deleted each, when and why. */
function deletedColumns(p: { timezone: string; names: Map<string, string> }): Column<Attachment>[] {
  return [
    {
      header: "Document",
      cell: (d) => (
        <>
          {d.title ?? d.filename}
          {d.title && <div class="hint doc-file">{d.filename}</div>}
        </>
      ),
    },
    { header: "Category", cell: (d) => categoryLabel(d.category) },
    {
      header: "Deleted by",
      cell: (d) => (
        <>
          {p.names.get(d.deletedBy ?? "") ?? d.deletedBy ?? "—"}
          <div class="hint nowrap">{d.deletedAt ? formatInstant(d.deletedAt, p.timezone) : ""}</div>
        </>
      ),
    },
    { header: "Reason", cell: (d) => d.deleteReason ?? "—" },
    { header: "SHA-256", cell: (d) => <Sha hex={d.sha256} /> },
  ];
}

export interface DocumentsPageProps {
  h: ChartHeaderData;
  today: string;
  timezone: string;
  rows: Attachment[];
  limited: boolean;
  deleted: Attachment[] | null;
  deletedCount: number;
  deleterNames: Map<string, string>;
  canUpload: boolean;
  canDelete: boolean;
  notice?: string;
}

export function DocumentsPage(p: DocumentsPageProps) {
  const base = `/patients/${p.h.patientId}/documents`;
  return (
    <ChartFrame h={p.h} today={p.today} active="documents">
      <div class="page-head">
        <h2>Documents</h2>
        {p.canUpload && (
          <a class="button" href={`${base}/new`}>
            Upload a document
          </a>
        )}
      </div>
      {p.notice && <Alert kind="ok">{p.notice}</Alert>}
      <DataTable
        class="dense docs"
        rows={p.rows}
        rowKey={(d) => d.id}
        empty="No documents yet."
        columns={documentColumns({ base, timezone: p.timezone, canDelete: p.canDelete })}
      />
      {p.limited && <p class="hint">Showing the {p.rows.length} most recent documents.</p>}
      {p.canDelete && p.deletedCount > 0 && (
        <p>
          {p.deleted ? <a href={base}>Hide deleted</a> : <a href={`${base}?deleted=1`}>Show deleted ({p.deletedCount})</a>}
        </p>
      )}
      {p.deleted && p.deleted.length > 0 && (
        <section aria-labelledby="deleted-docs">
          <h3 id="deleted-docs">Deleted documents</h3>
          <p class="hint">Kept for retention; they can no longer be opened here.</p>
          <DataTable
            class="dense docs"
            rows={p.deleted}
            rowKey={(d) => d.id}
            rowClass={() => "doc-deleted"}
            columns={deletedColumns({ timezone: p.timezone, names: p.deleterNames })}
          />
        </section>
      )}
    </ChartFrame>
  );
}
