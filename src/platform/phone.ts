/**
 * Phone numbers: the one place that reads, stores and shows them. A number is stored in E.164
 * (`+15552013344`), read with the clinic's country (ISO 3166 alpha-2, `clinics.country`) as the
 * default for numbers typed without a country code, and shown to staff in that country's
 * national format (`(555) 201-3344`); numbers of another country are shown internationally.
 * SMS go to the stored E.164 number, and inbound replies are matched on it.
 *
 * Parsing is libphonenumber-js with its small `min` metadata. A number is accepted when its
 * length is possible for its country, not only when its range is assigned: the fictional 555
 * numbers of demos and tests, and numbers of newly opened ranges the metadata does not know yet,
 * are real to the people who type them.
 */
import { getCountryCallingCode, isSupportedCountry, parsePhoneNumberFromString, type CountryCode, type PhoneNumber } from "libphonenumber-js/min";

/** What people type: digits, spaces, dots, dashes, brackets and one leading +. No letters, no extensions. */
const TYPED = /^\+?[\d\s().\-]+$/;

/** The clinic's country as libphonenumber-js names it; a code it does not know reads as US. */
function countryOf(country: string): CountryCode {
  const c = country.toUpperCase();
  return isSupportedCountry(c) ? c : "US";
}

function parse(raw: string, country: string): PhoneNumber | null {
  const v = raw.trim();
  if (!TYPED.test(v)) return null;
  const p = parsePhoneNumberFromString(v, countryOf(country));
  return p && p.isPossible() ? p : null;
}

/**
 * The E.164 form of a number as typed, reading it as a number of `country` when it has no
 * country code; null when it cannot be a phone number.
 *   toE164("(555) 201-3344", "US") -> "+15552013344"
 *   toE164("+44 20 7946 0958", "US") -> "+442079460958"
 *   toE164("020 7946 0958", "GB") -> "+442079460958"
 *   toE164("12", "US") -> null
 */
export function toE164(raw: string, country: string): string | null {
  return parse(raw, country)?.number ?? null;
}

/**
 * A stored number for staff pages: the national format for numbers with the calling code of the
 * clinic's country, the international format for others. Anything that does not parse (a number stored before
 * conversion that staff still have to fix) is shown as it is.
 *   formatPhone("+15552013344", "US") -> "(555) 201-3344"
 *   formatPhone("+442079460958", "US") -> "+44 20 7946 0958"
 */
export function formatPhone(stored: string, country: string): string {
  const p = parse(stored, country);
  if (!p) return stored;
  // By calling code, not by country: +1 555 numbers belong to no one country of the +1 plan.
  return p.countryCallingCode === getCountryCallingCode(countryOf(country)) ? p.formatNational() : p.formatInternational();
}

/**
 * The digits stored beside a number for search (patients.phone_digits): of an E.164 number, its
 * national significant number; of anything else (a number typed before conversion), its digits.
 *   phoneDigits("+15552013344") -> "5552013344"
 *   phoneDigits("(555) 201-3344") -> "5552013344"
 */
export function phoneDigits(stored: string): string {
  const p = stored.startsWith("+") ? parse(stored, "US") : null;
  return p ? p.nationalNumber : stored.replace(/\D/g, "");
}

/**
 * Whether text reads as a phone number written any usual way (digits, spaces, brackets, dots,
 * dashes, an optional leading +) with 7 to 15 digits: for numbers the clinic only shows and never
 * texts, such as a location's own line, which may be in any country.
 */
export function isDialable(raw: string): boolean {
  const digits = raw.replace(/\D/g, "").length;
  return /^\+?[\d\s().-]+$/.test(raw) && digits >= 7 && digits <= 15;
}
