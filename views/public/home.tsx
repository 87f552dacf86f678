/** The public page of the bare base domain: what this is, and a finder to reach a clinic's sign-in. */
export function HomePage(p: { q: string; clinics: { slug: string; name: string; url: string }[] }) {
  return (
    <>
      <section class="card" aria-labelledby="what">
        <h1 id="what">One system for the whole clinic</h1>
        <p>
          Scheduling and online booking, reminders, billing, and the medical record, in one place: every clinic on its own
          address, with its own database, and every access to patient data recorded.
        </p>
      </section>
      <section class="card" aria-labelledby="find">
        <h2 id="find">Find your clinic</h2>
        <form method="get" action="/" role="search" class="search">
          <div class="field">
            <label for="q">Clinic name</label>
            <input id="q" name="q" type="search" value={p.q} autocomplete="organization" />
          </div>
          <button type="submit">Find</button>
        </form>
        {p.q && p.clinics.length === 0 && <p class="muted">No clinic matches “{p.q}”.</p>}
        {p.clinics.length > 0 && (
          <ul>
            {p.clinics.map((c) => (
              <li>
                <a href={`${c.url}/login`}>{c.name}</a> <span class="hint">{c.url.replace(/^https?:\/\//, "")}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
