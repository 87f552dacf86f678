/** The development mailbox: every message a clinic would have sent, as its recipient would read it. */

export interface MailboxMessage {
  id: string;
  channel: string;
  recipient: string;
  template: string;
  subject: string | null;
  body: string;
  status: string;
  createdAt: number;
}

/** Splits text into plain runs and links, so links in a message can be followed. */
export function linkify(text: string): (string | { href: string })[] {
  const out: (string | { href: string })[] = [];
  let last = 0;
  for (const m of text.matchAll(/https?:\/\/[^\s<>"]+/g)) {
    if (m.index! > last) out.push(text.slice(last, m.index));
    out.push({ href: m[0] });
    last = m.index! + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

export function Mailbox(p: { clinicName: string; messages: MailboxMessage[] }) {
  return (
    <>
      <h1>Development mailbox</h1>
      <p class="hint">
        Messages {p.clinicName} would have sent (email, SMS, portal), newest first. This page exists only in local development.
      </p>
      {p.messages.length === 0 && <p class="muted">No messages yet.</p>}
      {p.messages.map((m) => (
        <article class="card mail" aria-label={m.subject ?? m.template}>
          <p class="hint">
            {m.channel.toUpperCase()} to <strong>{m.recipient}</strong> · {new Date(m.createdAt).toISOString().replace("T", " ").slice(0, 19)} UTC ·{" "}
            {m.template} · {m.status}
          </p>
          {m.subject && <h2>{m.subject}</h2>}
          <p class="mail-body">
            {linkify(m.body).map((part) => (typeof part === "string" ? part : <a href={part.href}>{part.href}</a>))}
          </p>
        </article>
      ))}
    </>
  );
}
