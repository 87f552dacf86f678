/** Appointment types: the add and edit form. */
import type { FieldErrors } from "../../../src/platform/errors";
import type { AppointmentType, Resource } from "../../../src/scheduling/setup/repo";
import { centsToDollars, type FormValues } from "../../../src/scheduling/setup/input";
import { CsrfField, Field, SelectField } from "../../components/form";
import { BackLink, CheckField, ErrorSummary, SavedNotice, SETUP, TypedField } from "./parts";

export function typeToForm(t: AppointmentType): FormValues {
  return {
    name: t.name,
    slug: t.slug,
    duration_minutes: String(t.durationMinutes),
    buffer_before_minutes: String(t.bufferBeforeMinutes),
    buffer_after_minutes: String(t.bufferAfterMinutes),
    price: centsToDollars(t.priceCents),
    modality: t.modality,
    needs_room: t.needsRoom ? "1" : "",
    resource_id: t.resourceId,
    bookable_online: t.bookableOnline ? "1" : "",
    eligibility: t.eligibility,
    color: t.color,
    active: t.active ? "1" : "",
  };
}

export const NEW_TYPE: FormValues = {
  duration_minutes: "30",
  buffer_before_minutes: "0",
  buffer_after_minutes: "0",
  price: "0.00",
  modality: "in_person",
  bookable_online: "1",
  eligibility: "all",
  color: "#2f7d4f",
  active: "1",
};

const MODALITY_OPTIONS = [
  { value: "in_person", label: "In person" },
  { value: "telehealth", label: "Telehealth" },
];

const ELIGIBILITY_OPTIONS = [
  { value: "all", label: "All patients" },
  { value: "new", label: "New patients only" },
  { value: "existing", label: "Existing patients only" },
];

export function AppointmentTypePage(p: {
  csrfToken: string;
  /** Undefined for a new type. */
  type?: AppointmentType;
  values: FormValues;
  errors?: FieldErrors;
  equipment: (Resource & { locationName: string })[];
  saved?: boolean;
}) {
  const v = p.values;
  const e = p.errors ?? {};
  const action = p.type ? `${SETUP}/types/${p.type.id}` : `${SETUP}/types`;
  const equipmentOptions = [
    { value: "", label: "None" },
    ...p.equipment.map((r) => ({ value: r.id, label: `${r.name} (${r.locationName})${r.active ? "" : ", inactive"}` })),
  ];
  return (
    <>
      <BackLink />
      <h1>{p.type ? p.type.name : "New appointment type"}</h1>
      <SavedNotice saved={p.saved} />
      <form method="post" action={action} novalidate>
        <CsrfField token={p.csrfToken} />
        <ErrorSummary errors={p.errors} />
        <fieldset>
          <legend>What</legend>
          <div class="grid">
            <Field name="name" label="Name" value={v.name} error={e.name} required maxLength={100} hint="e.g. New patient visit" />
            <Field name="slug" label="Booking link name" value={v.slug} error={e.slug} required maxLength={60} hint="Lowercase letters, digits and hyphens: new-patient" />
            <SelectField name="modality" label="Modality" value={v.modality} error={e.modality} options={MODALITY_OPTIONS} required />
            <SelectField name="eligibility" label="Who may book" value={v.eligibility} error={e.eligibility} options={ELIGIBILITY_OPTIONS} required />
            <Field name="price" label="Price (dollars)" value={v.price} error={e.price} required hint="e.g. 120.00" />
            <TypedField name="color" label="Calendar colour" type="color" value={v.color} error={e.color} required />
          </div>
        </fieldset>
        <fieldset>
          <legend>Time</legend>
          <div class="grid">
            <Field name="duration_minutes" label="Duration (minutes)" type="number" value={v.duration_minutes} error={e.duration_minutes} required hint="5 to 480" />
            <Field name="buffer_before_minutes" label="Buffer before (minutes)" type="number" value={v.buffer_before_minutes} error={e.buffer_before_minutes} required hint="0 to 120" />
            <Field name="buffer_after_minutes" label="Buffer after (minutes)" type="number" value={v.buffer_after_minutes} error={e.buffer_after_minutes} required hint="0 to 120" />
          </div>
        </fieldset>
        <fieldset>
          <legend>Rooms, equipment and booking</legend>
          <CheckField name="needs_room" label="Needs a room (any free room at the location)" checked={!!v.needs_room} error={e.needs_room} />
          <SelectField name="resource_id" label="Needs this equipment" value={v.resource_id} error={e.resource_id} options={equipmentOptions} />
          <CheckField name="bookable_online" label="Patients can book it online" checked={!!v.bookable_online} error={e.bookable_online} />
          <CheckField name="active" label="Active (offered for booking)" checked={!!v.active} error={e.active} />
        </fieldset>
        <div class="actions">
          <button type="submit">{p.type ? "Save appointment type" : "Add appointment type"}</button>
          <a href={SETUP}>Cancel</a>
        </div>
      </form>
    </>
  );
}
