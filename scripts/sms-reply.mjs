// npm run sms:reply -- --clinic riverside-north --from "(555) 010-1234" --body Y [--port 8787]
//
// Simulates a patient's SMS reply against the local server: posts what a Twilio-compatible
// provider would post to /webhooks/sms/inbound, signed with SMS_AUTH_TOKEN from .dev.vars (written
// by `npm start`). Prints the status and the reply the patient would get.
import { createHmac, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { parseArgs } from "node:util";

const root = join(import.meta.dirname, "..");
const { values } = parseArgs({
  options: { clinic: { type: "string" }, from: { type: "string" }, body: { type: "string" }, port: { type: "string", default: process.env.PORT ?? "8787" } },
});
if (!values.clinic || !values.from || !values.body) {
  console.error('usage: npm run sms:reply -- --clinic <slug> --from "<patient phone>" --body <text> [--port 8787]');
  process.exit(2);
}
let token = "";
try {
  token = readFileSync(join(root, ".dev.vars"), "utf8").match(/^\s*SMS_AUTH_TOKEN\s*=\s*(\S+)/m)?.[1] ?? "";
} catch {
  // no .dev.vars
}
if (!token) {
  console.error("No SMS_AUTH_TOKEN in .dev.vars: run `npm start` once (it writes one), then try again.");
  process.exit(2);
}
const digits = values.from.replace(/\D/g, "");
const params = {
  From: digits.length === 10 ? `+1${digits}` : `+${digits}`,
  To: "+15550100000",
  Body: values.body,
  MessageSid: `SM${randomBytes(16).toString("hex")}`,
};
const host = `${values.clinic}.localhost:${values.port}`;
const url = `http://${host}/webhooks/sms/inbound`;
// The provider's signature: HMAC-SHA1 over the URL followed by each parameter name and value, in name order.
const signed = url + Object.keys(params).sort().map((k) => k + params[k]).join("");
const signature = createHmac("sha1", token).update(signed).digest("base64");
const body = new URLSearchParams(params).toString();

const req = request(
  {
    host: "127.0.0.1",
    port: Number(values.port),
    path: "/webhooks/sms/inbound",
    method: "POST",
    headers: { Host: host, "Content-Type": "application/x-www-form-urlencoded", "Content-Length": Buffer.byteLength(body), "X-Twilio-Signature": signature },
  },
  (res) => {
    let text = "";
    res.on("data", (d) => (text += d));
    res.on("end", () => {
      console.log(`${res.statusCode} ${text.trim()}`);
      process.exit(res.statusCode && res.statusCode < 300 ? 0 : 1);
    });
  },
);
req.on("error", (err) => {
  console.error(`Could not reach the local server on port ${values.port}: ${err.message}. Is \`npm start\` running?`);
  process.exit(1);
});
req.end(body);
