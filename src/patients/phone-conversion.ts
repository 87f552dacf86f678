/**
 * The conversion of stored patient phone numbers to E.164, as a pure plan: given the rows and the
 * clinic's country, which rows change and which numbers could not be read. The Worker
 * (src/patients/phones.ts, tests) and scripts/migrate.mjs (after the SQL migrations of each
 * clinic) both apply it, so it imports only the phone module, with the `.ts` extension, and uses
 * only erasable TypeScript (Node loads it with type stripping).
 *
 * Idempotent: a number already in E.164 stays as it is, so running it again changes nothing; a
 * number that cannot be read is kept as typed (staff fix it) and reported every time.
 */
import { phoneDigits, toE164 } from "../platform/phone.ts";

/** The phone columns of one patient. */
export interface StoredPhones {
  id: string;
  givenName: string;
  familyName: string;
  phone: string | null;
  emergencyPhone: string | null;
  phoneDigits: string | null;
}

/** New values for a patient whose numbers change. */
export interface PhoneChange {
  id: string;
  phone: string | null;
  emergencyPhone: string | null;
  phoneDigits: string | null;
}

/** A stored number that is not a phone number, for staff to correct. */
export interface UnparsedPhone {
  patientId: string;
  name: string;
  field: "phone" | "emergency_phone";
  value: string;
}

export interface PhonePlan {
  changes: PhoneChange[];
  unparsed: UnparsedPhone[];
}

/**
 * What converting `rows` to E.164 changes, reading numbers without a country code as numbers of
 * `country`: `(555) 201-3344` -> `+15552013344`, `+44 20 7946 0958` -> `+442079460958`; blank
 * numbers become null; `call me` stays as it is and is reported.
 */
export function planPhoneConversion(rows: StoredPhones[], country: string): PhonePlan {
  const changes: PhoneChange[] = [];
  const unparsed: UnparsedPhone[] = [];
  for (const r of rows) {
    const name = `${r.familyName}, ${r.givenName}`;
    const read = (value: string | null, field: UnparsedPhone["field"]): string | null => {
      if (value === null || value.trim() === "") return null;
      const e164 = toE164(value, country);
      if (e164 === null) unparsed.push({ patientId: r.id, name, field, value });
      return e164 ?? value;
    };
    const phone = read(r.phone, "phone");
    const emergencyPhone = read(r.emergencyPhone, "emergency_phone");
    const digits = phone === null ? null : phoneDigits(phone);
    if (phone !== r.phone || emergencyPhone !== r.emergencyPhone || digits !== r.phoneDigits) {
      changes.push({ id: r.id, phone, emergencyPhone, phoneDigits: digits });
    }
  }
  return { changes, unparsed };
}
