/**
 * The clinic's own wording of its messages (message_templates), which wins over the default in
 * the patient's language: the queries, and the choice between a clinic's text and the default.
 */
import { inArray } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { ClinicDb } from "../platform/env";
import * as clinicSchema from "../schema/clinic";
import { defaultTemplate, type Locale, type TemplateChannel, type TemplateKey, type TemplateText } from "./template-catalogue";
import { messageTemplates } from "./tables";

/** A clinic's own wording of one message (a row of message_templates). */
export interface StoredTemplate {
  template: string;
  channel: string;
  locale: string;
  subject: string | null;
  body: string;
  updatedAt: number;
  updatedBy: string | null;
}

/** The columns of message_templates that make a StoredTemplate. */
export const storedTemplateColumns = {
  template: messageTemplates.template,
  channel: messageTemplates.channel,
  locale: messageTemplates.locale,
  subject: messageTemplates.subject,
  body: messageTemplates.body,
  updatedAt: messageTemplates.updatedAt,
  updatedBy: messageTemplates.updatedBy,
};

/** The clinic's overrides, all of them or those of some messages (one query). */
export function overridesQuery(db: ClinicDb, keys?: readonly TemplateKey[]) {
  const all = db.select(storedTemplateColumns).from(messageTemplates);
  if (!keys || keys.length === 0) return all.orderBy(messageTemplates.template, messageTemplates.channel, messageTemplates.locale);
  return all.where(inArray(messageTemplates.template, [...keys]));
}

/** A drizzle client for callers that still hold the raw D1 binding. */
function clientOf(db: ClinicDb | D1Database): ClinicDb {
  return "select" in db ? db : drizzle(db, { schema: clinicSchema });
}

export async function loadOverrides(db: ClinicDb | D1Database, keys?: readonly TemplateKey[]): Promise<StoredTemplate[]> {
  return overridesQuery(clientOf(db), keys);
}

/**
 * The text of one message for one patient: the clinic's wording in the patient's language, else
 * the default in that language.
 */
export function chooseTemplate(
  overrides: readonly StoredTemplate[],
  key: TemplateKey,
  channel: TemplateChannel,
  locale: Locale,
): TemplateText & { source: "clinic" | "default" } {
  const own = overrides.find((o) => o.template === key && o.channel === channel && o.locale === locale);
  if (own) return { subject: channel === "email" ? (own.subject ?? defaultTemplate(key, channel, locale).subject) : null, body: own.body, source: "clinic" };
  return { ...defaultTemplate(key, channel, locale), source: "default" };
}

/** One message's text, read from the clinic's database (one query). */
export async function templateFor(db: ClinicDb | D1Database, key: TemplateKey, channel: TemplateChannel, locale: Locale): Promise<TemplateText> {
  const { subject, body } = chooseTemplate(await loadOverrides(db, [key]), key, channel, locale);
  return { subject, body };
}
