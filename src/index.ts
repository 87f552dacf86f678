/** Worker entry: the HTTP app and the Durable Object classes. */
import { createApp } from "./app";
import type { Env } from "./platform/env";

export { ClinicCalendar } from "./calendar/calendar";

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
