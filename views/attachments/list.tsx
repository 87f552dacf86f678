/** A patient's documents inside the chart frame, with the deleted ones on request. */
import type { ComponentChildren } from "preact";
import type { ChartHeaderData } from "../../src/charting/header";
import { showsInline, typeLabel } from "../../src/attachments/file-types";
import type { Attachment } from "../../src/attachments/repo";
import { CATEGORY_LABELS } from "../../src/attachments/input";
import { ChartFrame } from "../charting/frame";
import { Alert } from "../components/form";
import { formatInstant } from "../components/format";

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

function DocumentRow(p: { d: Attachment; base: string; timezone: string; canDelete: boolean }) {
  const d = p.d;
  const href = `${p.base}/${d.id}`;
  return (
    <tr>
      <td>
        <a href={href}>{d.title ?? d.filename}</a>
        {showsInline(d.contentType) && (
          <>
            {" "}
            <a class="hint" href={`${href}/view`} target="_blank" rel="noopener">
              View<span class="skip"> {d.title ?? d.filename}</span>
            </a>
          </>
        )}
        {d.title && <div class="hint doc-file">{d.filename}</div>}
      </td>
      <td>{categoryLabel(d.category)}</td>
      <td class="nowrap">
        {typeLabel(d.contentType)}, {formatSize(d.sizeBytes)}
      </td>
      <td>
        {d.uploadedByName}
        <div class="hint nowrap">{formatInstant(d.uploadedAt, p.timezone)}</div>
      </td>
      <td>
        <Sha hex={d.sha256} />
      </td>
      <td>{d.encounterId ? <a href={`/encounters/${d.encounterId}`}>Visit</a> : "—"}</td>
      {p.canDelete && (
        <td>
          <a href={`${href}/delete`}>
            Delete<span class="skip"> {d.title ?? d.filename}</span>
          </a>
        </td>
      )}
    </tr>
  );
}

function DeletedRow(p: { d: Attachment; timezone: string; names: Map<string, string> }) {
  const d = p.d;
  return (
    <tr class="doc-deleted">
      <td>
        {d.title ?? d.filename}
        {d.title && <div class="hint doc-file">{d.filename}</div>}
      </td>
      <td>{categoryLabel(d.category)}</td>
      <td>
        {p.names.get(d.deletedBy ?? "") ?? d.deletedBy ?? "—"}
        <div class="hint nowrap">{d.deletedAt ? formatInstant(d.deletedAt, p.timezone) : ""}</div>
      </td>
      <td>{d.deleteReason ?? "—"}</td>
      <td>
        <Sha hex={d.sha256} />
      </td>
    </tr>
  );
}

/** A table of documents: the column heads (and a last, unnamed one for a row's action), then the rows. */
function DocsTable(p: { columns: string[]; actions?: boolean; children: ComponentChildren }) {
  return (
    <div class="table-wrap">
      <table class="dense docs">
        <thead>
          <tr>
            {p.columns.map((c) => (
              <th scope="col">{c}</th>
            ))}
            {p.actions && (
              <th scope="col">
                <span class="skip">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>{p.children}</tbody>
      </table>
    </div>
  );
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
      {p.rows.length === 0 ? (
        <p class="muted">No documents yet.</p>
      ) : (
        <DocsTable columns={["Document", "Category", "Type and size", "Uploaded", "SHA-256", "Visit"]} actions={p.canDelete}>
          {p.rows.map((d) => (
            <DocumentRow d={d} base={base} timezone={p.timezone} canDelete={p.canDelete} />
          ))}
        </DocsTable>
      )}
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
          <DocsTable columns={["Document", "Category", "Deleted by", "Reason", "SHA-256"]}>
            {p.deleted.map((d) => (
              <DeletedRow d={d} timezone={p.timezone} names={p.deleterNames} />
            ))}
          </DocsTable>
        </section>
      )}
    </ChartFrame>
  );
}
