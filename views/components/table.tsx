/**
 * Tables of records: `DataTable` (column heads with `scope="col"`, one row per record, a caption,
 * the empty state) and `RowActions` (the links and one-button forms in a row's last cell). Every
 * list page builds its table from these, so a column, a caption or an empty list looks and reads
 * the same everywhere. Layout grids that are not lists of records (the calendar day, the conflict
 * view, the review-of-systems field) keep their own markup.
 */
import type { ComponentChildren } from "preact";
import { PostButton, type PostButtonLook } from "./form";

/** One column of a DataTable. */
export interface Column<T> {
  /** The column head: text, or markup such as a sort link or a `skip` label for an actions column. */
  header: ComponentChildren;
  /** The cell's content for one record (the `<td>` around it is the table's). */
  cell: (row: T, index: number) => ComponentChildren;
  /** The class of the column's cells, e.g. `nowrap`; the head keeps the table's look. */
  class?: string;
  /** Numbers to compare down the column: cells and head right-aligned with even digits (`num`). */
  numeric?: boolean;
  /** Attributes of the head cell, e.g. `aria-sort` on the sorted column. */
  headerAttrs?: Record<string, string | undefined>;
  /** Attributes of one record's cell, e.g. a `title` with the whole of a shortened value. */
  cellAttrs?: (row: T) => Record<string, string | undefined>;
}

/** A column left out (a permission the viewer lacks): `canWrite && { ... }` reads naturally in a column list. */
type MaybeColumn<T> = Column<T> | false | null | undefined;

export interface DataTableProps<T> {
  columns: MaybeColumn<T>[];
  rows: readonly T[];
  /** A stable key per record (its id), so a re-render matches rows to records, not positions. */
  rowKey: (row: T, index: number) => string | number;
  /** The table's caption; with `captionHidden` read by screen readers only. */
  caption?: ComponentChildren;
  captionHidden?: boolean;
  /**
   * Shown (as a muted paragraph) when there are no rows. By default it replaces the table; with
   * `headWhenEmpty` the column heads stay (their sort links still work) and the text follows them.
   */
  empty?: ComponentChildren;
  headWhenEmpty?: boolean;
  /** The table's own class (`dense`, and a hook for page CSS). */
  class?: string;
  /** A record's row class (`overdue`, `in-error`), or none. */
  rowClass?: (row: T) => string | undefined;
  /**
   * The scrolling frame around the table: the shared `table-wrap` unless a page brings its own
   * frame (`false`), e.g. a scroll region with its own label.
   */
  wrap?: boolean;
}

function cellClass(c: { class?: string; numeric?: boolean }): string | undefined {
  return [c.class, c.numeric ? "num" : ""].filter(Boolean).join(" ") || undefined;
}

/** A table of records: one head cell per column, one row per record, the empty text when there is none. */
export function DataTable<T>(p: DataTableProps<T>) {
  const empty = p.rows.length === 0;
  const emptyText = p.empty !== undefined && p.empty !== "" ? <p class="muted">{p.empty}</p> : null;
  if (empty && p.empty !== undefined && !p.headWhenEmpty) return emptyText;
  const columns = p.columns.filter((c): c is Column<T> => !!c);
  const table = (
    <table class={p.class}>
      {p.caption !== undefined && <caption class={p.captionHidden ? "skip" : undefined}>{p.caption}</caption>}
      <thead>
        <tr>
          {columns.map((c) => (
            <th scope="col" class={c.numeric ? "num" : undefined} {...c.headerAttrs}>
              {c.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {p.rows.map((r, i) => (
          <tr key={p.rowKey(r, i)} class={p.rowClass?.(r)}>
            {columns.map((c) => (
              <td class={cellClass(c)} {...c.cellAttrs?.(r)}>
                {c.cell(r, i)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
  return (
    <>
      {p.wrap === false ? table : <div class="table-wrap">{table}</div>}
      {empty && emptyText}
    </>
  );
}

/** A link in a row's actions; `detail` (which record) is read by screen readers after the label. */
export interface LinkAction {
  href: string;
  label: string;
  detail?: string;
}

/** A one-button form in a row's actions (see PostButton). */
export interface PostAction {
  post: string;
  label: string;
  detail?: string;
  fields?: Record<string, string | number>;
  look?: PostButtonLook;
  attrs?: Record<string, string | undefined>;
}

export type RowAction = LinkAction | PostAction;

/**
 * What can be done to one record, for a row's last cell: links and one-button forms in the given
 * order; `false` or `null` entries (an action the viewer may not take) are left out. Forms post
 * without JavaScript and carry the CSRF token.
 */
export function RowActions(p: { csrfToken?: string; actions: (RowAction | false | null | undefined)[] }) {
  return (
    <>
      {p.actions.map((a) => {
        if (!a) return null;
        if ("href" in a) {
          return (
            <a href={a.href}>
              {a.label}
              {a.detail && <span class="skip"> {a.detail}</span>}
            </a>
          );
        }
        return <PostButton action={a.post} csrfToken={p.csrfToken ?? ""} label={a.label} detail={a.detail} fields={a.fields} look={a.look} attrs={a.attrs} />;
      })}
    </>
  );
}
