/** The state of the clinic's audit chain: intact, or where it was broken or contradicts an anchor. */
import type { ChainReport } from "../../src/audit/chain";
import { Alert } from "../components/form";

export function ChainStatus(p: { clinic: string; report: ChainReport }) {
  const r = p.report;
  return (
    <>
      <div class="page-head">
        <h1>Audit chain</h1>
        <a href="/audit">Back to the audit log</a>
      </div>
      {r.ok ? (
        <Alert kind="ok">
          The audit chain of {p.clinic} is intact: {r.checked} sealed rows verified with the audit keys and against {r.anchors} anchors kept outside the
          clinic's database.
        </Alert>
      ) : (
        <Alert kind="error">The audit chain of {p.clinic} is broken. Someone may have changed or removed audit rows: keep this page and tell your security officer.</Alert>
      )}
      <dl class="card">
        <dt>Sealed rows verified</dt>
        <dd>{r.checked}</dd>
        <dt>Rows waiting to be sealed</dt>
        <dd>{r.pending}</dd>
        <dt>Anchors compared</dt>
        <dd>{r.anchors}</dd>
      </dl>
      {!r.ok && (
        <ul class="card" aria-label="Problems found">
          {r.firstBroken && (
            <li>
              Audit row {r.firstBroken.id}: {r.firstBroken.reason}
            </li>
          )}
          {r.anchorProblems.map((a) => (
            <li>
              Audit row {a.id}: {a.reason}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
