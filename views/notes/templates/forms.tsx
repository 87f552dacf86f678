/** The pages that make a new template: "New template" (blank or SOAP headings) and "Import JSON". */
import type { FieldErrors } from "../../../src/platform/errors";
import { Alert, CsrfField } from "../../components/form";
import { FormProblems, Input, TEMPLATES } from "./parts";

export function NewTemplatePage(p: { csrfToken: string; values: Record<string, string>; errors?: FieldErrors }) {
  const e = p.errors ?? {};
  const start = p.values.start || "soap";
  return (
    <>
      <p class="crumb">
        <a href={TEMPLATES}>← Note templates</a>
      </p>
      <h1>New template</h1>
      <form method="post" action={TEMPLATES} novalidate class="card">
        <CsrfField token={p.csrfToken} />
        <FormProblems errors={p.errors} />
        <Input prefix="new" name="name" label="Name" value={p.values.name} error={e.name} required maxLength={120} hint="As clinicians will pick it, e.g. “Knee rehab visit”." />
        <Input prefix="new" name="description" label="Description" value={p.values.description} error={e.description} maxLength={500} />
        <fieldset class="checks">
          <legend>Start with</legend>
          <div class="check">
            <input type="radio" id="new-start-soap" name="start" value="soap" checked={start === "soap"} />
            <label for="new-start-soap">Subjective, Objective, Assessment and Plan sections</label>
          </div>
          <div class="check">
            <input type="radio" id="new-start-blank" name="start" value="blank" checked={start === "blank"} />
            <label for="new-start-blank">No sections</label>
          </div>
        </fieldset>
        <p class="hint">The template is private to you until someone who manages the clinic's templates shares it.</p>
        <div class="actions">
          <button type="submit">Create template</button>
          <a href={TEMPLATES}>Cancel</a>
        </div>
      </form>
    </>
  );
}

export function ImportTemplatePage(p: { csrfToken: string; values: Record<string, string>; errors?: FieldErrors; problems?: string[] }) {
  const e = p.errors ?? {};
  return (
    <>
      <p class="crumb">
        <a href={TEMPLATES}>← Note templates</a>
      </p>
      <h1>Import a template</h1>
      <p>Paste a template exported from this or another clinic (“Export JSON”). It becomes a private template of yours.</p>
      {p.problems && p.problems.length > 0 && (
        <Alert kind="error">
          <p>The template was not imported. Its problems:</p>
          <ul>
            {p.problems.map((m) => (
              <li>{m}</li>
            ))}
          </ul>
        </Alert>
      )}
      <form method="post" action={`${TEMPLATES}/import`} novalidate class="card">
        <CsrfField token={p.csrfToken} />
        {!p.problems?.length && <FormProblems errors={p.errors} />}
        <Input prefix="import" name="json" label="Template JSON" error={e.json} required>
          <textarea id="import-json" name="json" rows={14} class="mono" aria-invalid={e.json ? "true" : undefined} aria-describedby={e.json ? "import-json-error" : undefined}>
            {p.values.json ?? ""}
          </textarea>
        </Input>
        <Input prefix="import" name="name" label="Name" value={p.values.name} error={e.name} maxLength={120} hint="Left empty, the name in the JSON is used." />
        <div class="actions">
          <button type="submit">Import template</button>
          <a href={TEMPLATES}>Cancel</a>
        </div>
      </form>
    </>
  );
}
