/** Worker entry: the HTTP app, the cron scan, the delivery queue consumer and the Durable Object classes. */
import { createApp } from "./app";
import { runScheduled } from "./messaging/cron";
import { handleDelivery } from "./messaging/delivery";
import type { Env, MessageJob } from "./platform/env";

export { ClinicCalendar } from "./calendar/calendar";
export { RateLimiter } from "./platform/rate-limiter";

const app = createApp();

export default {
  fetch: app.fetch,
  async scheduled(controller, env, ctx) {
    await runScheduled(env, controller.scheduledTime, ctx);
  },
  queue: handleDelivery,
} satisfies ExportedHandler<Env, MessageJob>;
