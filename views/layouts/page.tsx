/** The one layout of every staff and public page. */
import type { ComponentChildren } from "preact";
import { ASSET_PATHS } from "../../src/generated/assets";
import { CsrfField } from "../components/form";

export interface LayoutStaff {
  name: string;
  role: string;
  otherClinics: { slug: string; name: string }[];
  nav: { href: string; label: string }[];
}

export interface PageProps {
  title: string;
  clinicName?: string;
  staff?: LayoutStaff | null;
  csrfToken: string;
  /** Path of the current page, to mark the active navigation link. */
  path?: string;
  notice?: string;
  /** A page for patients (booking): the lighter stylesheet. */
  public?: boolean;
  children: ComponentChildren;
}

export function Page(p: PageProps) {
  const heading = p.clinicName ? `${p.title} · ${p.clinicName}` : p.title;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="htmx-config" content='{"includeIndicatorCSS":false}' />
        <title>{heading}</title>
        <link rel="stylesheet" href={p.public ? ASSET_PATHS.publicCss : ASSET_PATHS.css} />
        <script src={ASSET_PATHS.htmx} defer></script>
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="top">
          <a class="brand" href="/">
            {p.clinicName ?? "Clinic Platform"}
          </a>
          {p.staff && (
            <nav aria-label="Main">
              <ul>
                {p.staff.nav.map((n) => (
                  <li>
                    <a href={n.href} aria-current={p.path?.startsWith(n.href) ? "page" : undefined}>
                      {n.label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          )}
          {p.staff && (
            <div class="who">
              <span>
                {p.staff.name} <span class="hint">({p.staff.role.replace("_", " ")})</span>
              </span>
              {p.staff.otherClinics.length > 0 && (
                <form method="post" action="/switch">
                  <CsrfField token={p.csrfToken} />
                  <label class="skip" for="switch-clinic">
                    Switch clinic
                  </label>
                  <select id="switch-clinic" name="clinic">
                    {p.staff.otherClinics.map((o) => (
                      <option value={o.slug}>{o.name}</option>
                    ))}
                  </select>
                  <button type="submit" class="secondary">
                    Switch
                  </button>
                </form>
              )}
              <a href="/account/security">Security</a>
              <form method="post" action="/logout">
                <CsrfField token={p.csrfToken} />
                <button type="submit" class="secondary">
                  Sign out
                </button>
              </form>
            </div>
          )}
        </header>
        <main id="main">
          {p.notice && (
            <p class="alert warn" role="status">
              {p.notice}
            </p>
          )}
          {p.children}
        </main>
      </body>
    </html>
  );
}
