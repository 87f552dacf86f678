/**
 * Message templates, gathered for the modules that import them from one place. Each concern has
 * its own module: the catalogue and default wording (template-catalogue), the clinic's own wording
 * (template-repo), checking a template before it is saved (template-input), rendering and escaping
 * (template-render), the values that fill placeholders (template-values), dates (platform/time) and SMS
 * segment counting (sms-segments). New code imports from those.
 */
export * from "./template-catalogue";
export * from "./template-repo";
export * from "./template-input";
export * from "./template-render";
export * from "./template-values";
export { formatWhen } from "../platform/time";
export * from "./sms-segments";
