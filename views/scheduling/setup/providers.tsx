/** Providers: the add and edit form (with where they work and what they offer). */
import type { FieldErrors } from "../../../src/platform/errors";
import type { Provider } from "../../../src/scheduling/setup/repo";
import type { FormValues } from "../../../src/scheduling/setup/input";
import type { ProviderOptions } from "../../../src/scheduling/setup/service";
import { CsrfField, Field, PostButton, SelectField } from "../../components/form";
import { BackLink, CheckGroup, ErrorSummary, SavedNotice, SETUP, StatusTag, TypedField } from "./parts";

export interface ProviderFormValues {
  fields: FormValues;
  locationIds: string[];
  typeIds: string[];
}

export function providerToForm(p: Provider, locationIds: string[], typeIds: string[]): ProviderFormValues {
  return {
    fields: {
      display_name: p.displayName,
      slug: p.slug,
      credentials: p.credentials,
      npi: p.npi,
      color: p.color,
      user_id: p.userId,
    },
    locationIds,
    typeIds,
  };
}

export const NEW_PROVIDER: ProviderFormValues = { fields: { color: "#0b5cad" }, locationIds: [], typeIds: [] };

export function ProviderForm(p: {
  csrfToken: string;
  action: string;
  values: ProviderFormValues;
  errors?: FieldErrors;
  options: ProviderOptions;
  submitLabel: string;
}) {
  const v = p.values.fields;
  const e = p.errors ?? {};
  const userOptions = [{ value: "", label: "None" }, ...p.options.users.map((u) => ({ value: u.id, label: `${u.name} (${u.email})` }))];
  // A link to an account that has since lost the provider role stays selectable until changed.
  if (v.user_id && !p.options.users.some((u) => u.id === v.user_id)) userOptions.push({ value: v.user_id, label: "Current account (no longer a provider here)" });
  return (
    <form method="post" action={p.action} novalidate>
      <CsrfField token={p.csrfToken} />
      <ErrorSummary errors={p.errors} />
      <div class="grid">
        <Field name="display_name" label="Display name" value={v.display_name} error={e.display_name} required maxLength={100} hint="As patients see it, e.g. Dr. Ana Lee" />
        <Field name="slug" label="Booking link name" value={v.slug} error={e.slug} required maxLength={60} hint="Lowercase letters, digits and hyphens: /book/dr-lee" />
        <Field name="credentials" label="Credentials" value={v.credentials} error={e.credentials} hint="e.g. MD, NP, PA-C" />
        <Field name="npi" label="NPI" value={v.npi} error={e.npi} inputmode="numeric" maxLength={10} hint="10-digit National Provider Identifier" />
        <TypedField name="color" label="Calendar colour" type="color" value={v.color} error={e.color} required />
        <SelectField name="user_id" label="Staff account" value={v.user_id} error={e.user_id} options={userOptions} />
      </div>
      <CheckGroup
        name="location_ids"
        legend="Works at"
        options={p.options.locations.map((l) => ({ value: l.id, label: l.active ? l.name : `${l.name} (inactive)` }))}
        selected={p.values.locationIds}
        error={e.location_ids}
        empty={
          <>
            No locations yet: <a href={`${SETUP}/locations/new`}>add one</a>.
          </>
        }
      />
      <CheckGroup
        name="type_ids"
        legend="Offers"
        options={p.options.types.map((t) => ({ value: t.id, label: `${t.name}, ${t.durationMinutes} min${t.active ? "" : " (inactive)"}` }))}
        selected={p.values.typeIds}
        error={e.type_ids}
        empty={
          <>
            No appointment types yet: <a href={`${SETUP}/types/new`}>add one</a>.
          </>
        }
      />
      <div class="actions">
        <button type="submit">{p.submitLabel}</button>
        <a href={SETUP}>Cancel</a>
      </div>
    </form>
  );
}

export function NewProviderPage(p: { csrfToken: string; values: ProviderFormValues; errors?: FieldErrors; options: ProviderOptions }) {
  return (
    <>
      <BackLink />
      <h1>New provider</h1>
      <ProviderForm csrfToken={p.csrfToken} action={`${SETUP}/providers`} values={p.values} errors={p.errors} options={p.options} submitLabel="Add provider" />
    </>
  );
}

export function ProviderPage(p: {
  csrfToken: string;
  provider: Provider;
  values: ProviderFormValues;
  errors?: FieldErrors;
  options: ProviderOptions;
  saved?: boolean;
}) {
  const v = p.provider;
  const base = `${SETUP}/providers/${v.id}`;
  return (
    <>
      <BackLink />
      <div class="page-head">
        <h1>{v.displayName}</h1>
        <div class="actions">
          <StatusTag active={v.active} />
          <a class="button secondary" href={`${base}/availability`}>
            Hours and time off
          </a>
          <PostButton
            action={`${base}/active`}
            csrfToken={p.csrfToken}
            fields={{ active: v.active ? "0" : "1" }}
            label={v.active ? "Deactivate provider" : "Activate provider"}
          />
        </div>
      </div>
      <SavedNotice saved={p.saved} />
      <ProviderForm csrfToken={p.csrfToken} action={base} values={p.values} errors={p.errors} options={p.options} submitLabel="Save provider" />
    </>
  );
}
