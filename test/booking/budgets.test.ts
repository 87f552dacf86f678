// Page weight and request budgets of online booking (for a patient on a slow phone): the first
// load of a provider's slot list (five full days of times) at most 20 KB compressed with CSS and
// htmx; every later step (details, confirmation, a 409 with alternatives, and the htmx fragments)
// at most 6 KB compressed; a complete booking at most 5 HTTP requests after the first page.
// Measured as test/platform/budgets.test.ts does: gzip of each body, assets fetched from the Worker.
import { describe, expect, it } from "vitest";
import { Browser } from "../helpers";
import { nyInstant, seedSchedule, tomorrowNY } from "../schedule-fixtures";

const KB = 1024;
const HX = { "HX-Request": "true", "HX-Target": "#booking" };

async function gzipSize(body: ArrayBuffer | string): Promise<number> {
  const stream = new Response(body).body!.pipeThrough(new CompressionStream("gzip"));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

/** A browser that counts its HTTP requests (including any it makes on its own, like fetching a CSRF cookie). */
class CountingBrowser extends Browser {
  requests = 0;
  override async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    this.requests++;
    return super.get(path, headers);
  }
  override async post(path: string, fields: Record<string, string>, opts: { csrf?: string | null; headers?: Record<string, string> } = {}): Promise<Response> {
    // Without a CSRF cookie super.post first makes a GET of its own, which get() counts too.
    this.requests++;
    return super.post(path, fields, opts);
  }
}

async function assets(b: Browser, html: string): Promise<{ path: string; gz: number }[]> {
  const out = [];
  for (const m of html.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)) {
    const res = await b.get(m[1]!);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    out.push({ path: m[1]!, gz: await gzipSize(await res.arrayBuffer()) });
  }
  return out;
}

const details = { given_name: "Wendy", family_name: "Weight", date_of_birth: "1979-09-09", phone: "(555) 010-2020", email: "wendy@example.org" };

describe("online booking budgets", () => {
  it("first load of a full slot list stays within 20 KB compressed, each later step within 6 KB, a booking within 5 requests", async () => {
    const w = await seedSchedule("north", { providers: 2 });
    const provider = w.providers[0]!;
    const day = tomorrowNY();
    const path = `/book/${provider.slug}/checkup?from=${day}`;

    // ---- first load: HTML + CSS + htmx ----
    const first = Browser.at("north");
    const res = await first.get(path);
    expect(res.status).toBe(200);
    const html = await res.text();
    const buttons = (html.match(/name="slot"/g) ?? []).length;
    // Five full days, 8:00-17:30 starts every 15 minutes (39 a day), plus the "next available" button.
    expect(buttons).toBe(5 * 39 + 1);
    const htmlGz = await gzipSize(html);
    const files = await assets(first, html);
    const assetGz = files.reduce((s, f) => s + f.gz, 0);
    const total = htmlGz + assetGz;
    console.log(
      `booking first load (${buttons} slot buttons): html ${htmlGz} B (${new TextEncoder().encode(html).byteLength} B raw) + ` +
        files.map((f) => `${f.path.replace(/^\/assets\//, "")} ${f.gz} B`).join(" + ") +
        ` = ${total} B gzip (budget ${20 * KB} B)`,
    );
    expect(total).toBeLessThanOrEqual(20 * KB);

    // ---- a complete booking, counting requests after the first page ----
    const b = new CountingBrowser(first.origin);
    const landing = await b.get(path);
    await landing.arrayBuffer();
    expect(b.cookies.has("__Host-csrf")).toBe(true);
    b.requests = 0;
    const start = nyInstant(day, "10:00");
    const held = await b.post("/book/hold", { slot: `${provider.id}|${w.locationId}|${start}`, type: "checkup", provider: provider.slug, back: `/book/${provider.slug}/checkup` });
    expect(held.status).toBe(303);
    const detailsUrl = held.headers.get("location")!;
    const form = await b.get(detailsUrl);
    expect(form.status).toBe(200);
    const formHtml = await form.text();
    const hold = new URL(`https://x${detailsUrl}`).searchParams.get("h")!;
    const confirmed = await b.post("/book/confirm", { hold, ...details });
    expect(confirmed.status).toBe(303);
    const doneUrl = confirmed.headers.get("location")!;
    const done = await b.get(doneUrl);
    expect(done.status).toBe(200);
    const doneHtml = await done.text();
    expect(doneHtml).toContain("You're booked");
    console.log(`complete booking after the first page: ${b.requests} HTTP requests (POST hold, GET details, POST confirm, GET done; budget 5)`);
    expect(b.requests).toBeLessThanOrEqual(5);

    // ---- later steps, full pages (CSS and htmx are cached by then) ----
    const steps: [string, number][] = [
      ["details page", await gzipSize(formHtml)],
      ["confirmation page", await gzipSize(doneHtml)],
    ];
    // A second patient picks the time just taken: 409 with the nearest alternatives.
    const late = Browser.at("north");
    await (await late.get(path)).arrayBuffer();
    const taken = await late.post("/book/hold", { slot: `${provider.id}|${w.locationId}|${start}`, type: "checkup", provider: provider.slug, back: `/book/${provider.slug}/checkup` });
    expect(taken.status).toBe(409);
    const takenHtml = await taken.text();
    expect(takenHtml).toContain("Nearest open times");
    steps.push(["409 slot page with alternatives", await gzipSize(takenHtml)]);

    // ---- the same steps as htmx fragments ----
    const hxTaken = await late.post(
      "/book/hold",
      { slot: `${provider.id}|${w.locationId}|${start}`, type: "checkup", provider: provider.slug, back: `/book/${provider.slug}/checkup` },
      { headers: HX },
    );
    expect(hxTaken.status).toBe(409);
    const hxTakenHtml = await hxTaken.text();
    expect(hxTakenHtml).not.toContain("<html");
    steps.push(["409 fragment (htmx)", await gzipSize(hxTakenHtml)]);

    const other = nyInstant(day, "11:00");
    const hxHeld = await late.post("/book/hold", { slot: `${provider.id}|${w.locationId}|${other}`, type: "checkup", provider: provider.slug, back: `/book/${provider.slug}/checkup` }, { headers: HX });
    expect(hxHeld.status).toBe(204);
    const next = JSON.parse(hxHeld.headers.get("hx-location")!) as { path: string };
    const hxForm = await late.get(next.path, HX);
    expect(hxForm.status).toBe(200);
    const hxFormHtml = await hxForm.text();
    expect(hxFormHtml).not.toContain("<html");
    steps.push(["details fragment (htmx)", await gzipSize(hxFormHtml)]);
    const lateHold = new URL(`https://x${next.path}`).searchParams.get("h")!;
    const hxConfirmed = await late.post("/book/confirm", { hold: lateHold, ...details, given_name: "Walt", phone: "(555) 010-3030", email: "" }, { headers: HX });
    expect(hxConfirmed.status).toBe(204);
    const hxDone = await late.get((JSON.parse(hxConfirmed.headers.get("hx-location")!) as { path: string }).path, HX);
    const hxDoneHtml = await hxDone.text();
    expect(hxDoneHtml).toContain("You're booked");
    expect(hxDoneHtml).not.toContain("<html");
    steps.push(["confirmation fragment (htmx)", await gzipSize(hxDoneHtml)]);

    // The slot list as a fragment (paging to later dates with htmx).
    const hxList = await late.get(path, HX);
    steps.push(["slot list fragment (htmx, 5 full days)", await gzipSize(await hxList.text())]);

    for (const [name, gz] of steps) console.log(`booking ${name}: ${gz} B gzip (budget ${6 * KB} B)`);
    const over = steps.filter(([, gz]) => gz > 6 * KB);
    expect(over).toEqual([]);
  });

  it("the clinic-wide slot list (any provider, names on every time) stays within 20 KB on first load", async () => {
    const w = await seedSchedule("south", { providers: 2 });
    const b = Browser.at("south");
    const res = await b.get(`/book?type=checkup&from=${tomorrowNY()}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    const buttons = (html.match(/name="slot"/g) ?? []).length;
    expect(buttons).toBe(w.providers.length * 5 * 39 + 1);
    const htmlGz = await gzipSize(html);
    const assetGz = (await assets(b, html)).reduce((s, f) => s + f.gz, 0);
    console.log(`booking first load, any provider (${buttons} slot buttons): html ${htmlGz} B + assets ${assetGz} B = ${htmlGz + assetGz} B gzip`);
    expect(htmlGz + assetGz).toBeLessThanOrEqual(20 * KB);
  });
});
