/** The staff page: members of the clinic, their roles, and adding someone. */
import type { StaffMember } from "../../src/admin/service";
import type { FieldErrors } from "../../src/platform/errors";
import { Alert, CsrfField, Field, SelectField } from "../components/form";
import { DataTable } from "../components/table";

export const ROLE_LABELS: Record<string, string> = {
  owner: "Owner",
  admin: "Administrator",
  provider: "Provider",
  associate: "Associate / student clinician",
  nurse: "Nurse / medical assistant",
  front_desk: "Front desk",
  biller: "Biller",
};

const ROLE_OPTIONS = Object.entries(ROLE_LABELS).map(([value, label]) => ({ value, label }));

export function StaffPage(p: {
  csrfToken: string;
  members: StaffMember[];
  selfId: string;
  canManage: boolean;
  now: number;
  error?: string;
  errors?: FieldErrors;
  values?: Record<string, string>;
  saved?: string;
}) {
  const e = p.errors ?? {};
  return (
    <>
      <h1>Staff</h1>
      {p.saved && <Alert kind="ok">{p.saved}</Alert>}
      {p.error && <Alert kind="error">{p.error}</Alert>}
      <DataTable
        rows={p.members}
        rowKey={(m) => m.id}
        columns={[
          { header: "Name", cell: (m) => m.name },
          { header: "Email", cell: (m) => m.email },
          {
            header: "Role",
            cell: (m) =>
              p.canManage && m.id !== p.selfId ? (
                <form method="post" action={`/staff/${m.id}/role`} class="actions">
                  <CsrfField token={p.csrfToken} />
                  <label class="skip" for={`role-${m.id}`}>
                    Role of {m.name}
                  </label>
                  <select id={`role-${m.id}`} name="role">
                    {ROLE_OPTIONS.map((o) => (
                      <option value={o.value} selected={o.value === m.role}>
                        {o.label}
                      </option>
                    ))}
                  </select>
                  <button type="submit" class="secondary">
                    Save role
                  </button>
                </form>
              ) : (
                ROLE_LABELS[m.role] ?? m.role
              ),
          },
          {
            header: "Second factor",
            cell: (m) =>
              m.second_factor ? (
                p.canManage && m.id !== p.selfId ? (
                  <form method="post" action={`/staff/${m.id}/second-factor/reset`}>
                    <CsrfField token={p.csrfToken} />
                    On{" "}
                    <button type="submit" class="secondary danger">
                      Remove (lost device)<span class="skip"> for {m.name}</span>
                    </button>
                  </form>
                ) : (
                  "On"
                )
              ) : (
                "Off"
              ),
          },
          {
            header: "Status",
            cell: (m) =>
              m.locked_until !== null && m.locked_until > p.now ? (
                p.canManage ? (
                  <form method="post" action={`/staff/${m.id}/unlock`}>
                    <CsrfField token={p.csrfToken} />
                    Locked <button type="submit" class="secondary">Unlock</button>
                  </form>
                ) : (
                  "Locked"
                )
              ) : (
                "Active"
              ),
          },
        ]}
      />
      {p.canManage && (
        <section class="card" aria-labelledby="add-staff">
          <h2 id="add-staff">Add a staff member</h2>
          <form method="post" action="/staff" novalidate>
            <CsrfField token={p.csrfToken} />
            <div class="grid">
              <Field name="name" label="Full name" value={p.values?.name} error={e.name} required />
              <Field name="email" label="Email" type="email" value={p.values?.email} error={e.email} required />
              <SelectField name="role" label="Role" value={p.values?.role ?? "front_desk"} error={e.role} options={ROLE_OPTIONS} required />
            </div>
            <p class="hint">A new person receives a link to choose their password.</p>
            <button type="submit">Add staff member</button>
          </form>
        </section>
      )}
    </>
  );
}
