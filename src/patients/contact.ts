/**
 * Whether a patient's stored contact details are vouched for, and the name messages may use.
 * A record made by online booking holds whatever its booker typed, for an address or number
 * nobody has confirmed: messages to it must not carry that text (issue 10). A record is vouched
 * for when staff created or edited it, or the patient has been seen at the clinic (an appointment
 * arrived, in room or completed). See docs/operations.md, "Messages to unconfirmed contacts".
 */
import { sql, type SQL } from "drizzle-orm";
import { appointments } from "../scheduling/tables";
import { patients } from "./tables";

/** SQL: 1 when the patient's record is vouched for (see above), else 0. */
export function contactVouched(): SQL<number> {
  return sql<number>`(${patients.createdBy} IS NOT NULL OR ${patients.updatedBy} IS NOT NULL OR EXISTS (SELECT 1 FROM ${appointments} WHERE ${appointments.patientId} = ${patients.id} AND ${appointments.status} IN ('arrived', 'in_room', 'completed')))`;
}

/** SQL: the name a message greets the patient by (preferred, else given), or '' when the record is not vouched for. */
export function nameForMessages(): SQL<string> {
  return sql<string>`CASE WHEN ${contactVouched()} THEN coalesce(nullif(trim(${patients.preferredName}), ''), ${patients.givenName}) ELSE '' END`;
}
