/** Rendering Preact views to HTML responses: full pages, or only the fragment htmx asked for. */
import type { Context } from "hono";
import type { ComponentChildren, VNode } from "preact";
import { render } from "preact-render-to-string";
import { Page } from "../../views/layouts/page";
import type { AppEnv, Staff } from "./env";
import type { Permission } from "./permissions";

type Status = 200 | 201 | 400 | 401 | 403 | 404 | 409 | 410 | 413 | 415 | 422 | 423 | 429 | 500 | 503;

/** Main navigation; a link shows when the staff member holds any of its permissions. */
const NAV: { href: string; label: string; permission: Permission | Permission[] }[] = [
  { href: "/calendar", label: "Calendar", permission: "schedule:read" },
  { href: "/patients", label: "Patients", permission: "patients:read" },
  { href: "/encounters", label: "Encounters", permission: ["chart:read", "encounters:read_billing"] },
  { href: "/waitlist", label: "Waitlist", permission: "schedule:read" },
  { href: "/tasks", label: "Tasks", permission: "schedule:read" },
  { href: "/messages", label: "Messages", permission: "audit:read" },
  { href: "/audit", label: "Audit log", permission: "audit:read" },
  { href: "/staff", label: "Staff", permission: "staff:read" },
  { href: "/settings/scheduling", label: "Settings", permission: "scheduling:setup" },
  { href: "/settings/workflows", label: "Workflows", permission: "scheduling:setup" },
  { href: "/settings/templates", label: "Templates", permission: ["templates:write", "templates:share"] },
  { href: "/settings/questionnaires", label: "Questionnaires", permission: "questionnaires:manage" },
  { href: "/settings/sign-in", label: "Sign-in policy", permission: "staff:manage" },
];

function layoutStaff(staff: Staff | null) {
  if (!staff) return null;
  // A session still proving its second factor sees no way into the clinic.
  if (staff.pending) return { name: staff.name, role: staff.role, otherClinics: [], nav: [] };
  return {
    name: staff.name,
    role: staff.role,
    otherClinics: staff.otherClinics,
    nav: NAV.filter((n) => (Array.isArray(n.permission) ? n.permission : [n.permission]).some((x) => staff.permissions.has(x))),
  };
}

/** Renders a full page in the layout. */
export function page(c: Context<AppEnv>, title: string, body: ComponentChildren, status: Status = 200, o: { public?: boolean } = {}): Response {
  const clinic = c.var.clinic as AppEnv["Variables"]["clinic"] | undefined;
  const html = render(
    <Page
      title={title}
      clinicName={clinic?.name}
      staff={clinic ? layoutStaff(c.var.staff ?? null) : null}
      csrfToken={c.var.csrfToken ?? ""}
      path={c.req.path}
      notice={c.var.notice}
      public={o.public}
    >
      {body}
    </Page>,
  );
  return c.html(`<!doctype html>${html}`, status);
}

/** Renders a fragment alone (for htmx swaps). */
export function fragment(c: Context<AppEnv>, node: VNode, status: Status = 200): Response {
  return c.html(render(node), status);
}

/** True when htmx asked for a partial swap into the element with this id. */
export function wantsFragment(c: Context<AppEnv>, targetId: string): boolean {
  if (c.req.header("HX-Request") !== "true") return false;
  if (c.req.header("HX-Request-Type") === "full") return false;
  const target = c.req.header("HX-Target") ?? "";
  return target === targetId || target.endsWith(`#${targetId}`);
}

/**
 * A `return` or `next` address taken from a query string, if it is a path on this site: never a URL,
 * a `//host` or `/\host` address, whitespace or a backslash. Otherwise null.
 */
export function localPath(raw: string | undefined | null): string | null {
  if (!raw || raw.length > 500) return null;
  return /^\/(?![/\\])[\x21-\x5b\x5d-\x7e]*$/.test(raw) ? raw : null;
}

/** Post/redirect/get: 303 for plain forms, HX-Redirect for htmx. */
export function seeOther(c: Context<AppEnv>, location: string): Response {
  if (c.req.header("HX-Request") === "true") {
    c.header("HX-Redirect", location);
    return c.body(null, 204);
  }
  return c.redirect(location, 303);
}
