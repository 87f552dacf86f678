// The chart timeline (issue 5): notes, results, prescriptions, documents, questionnaire scores and
// vitals merged newest first in SQL, filtered by kind, paged by keyset (htmx fragment or plain link),
// one batch per page whatever the history's length, audited.
import { describe, expect, it } from "vitest";
import { USERS } from "../fixtures";
import { auditRows, signedIn } from "../helpers";
import { HX, newPatient, roundTrips, seedChart } from "./support";

describe("GET /patients/:id/chart/timeline", () => {
  it("merges every kind newest first, linking notes, documents and the chart lists", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    await seedChart("north", pid, 2, { tag: "tl" });
    const res = await b.get(`/patients/${pid}/chart/timeline`);
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const text of ["Note tl 0", "Lab tl 0", "Medicine tl 1", "Document tl 0", "Document tl 1", "PHQ-9 tl 0", "Vital signs"]) expect(html).toContain(text);
    // Manual medications are not prescriptions.
    expect(html).not.toContain("Medicine tl 0");
    expect(html).toMatch(/href="\/notes\/note-tl-0-/);
    // Every kind of row 0 comes before any row 1 (one minute older).
    const list = html.slice(html.indexOf('<ol class="timeline">'));
    expect(list.lastIndexOf(" tl 0")).toBeLessThan(list.indexOf(" tl 1"));
    const audit = await auditRows("north", "event = 'chart.timeline' AND patient_id = ?", pid);
    expect(audit).toHaveLength(1);
    expect(audit[0]!.detail).toBe("all");
  });

  it("filters by kind", async () => {
    const b = await signedIn("north", USERS.nurse.email);
    const pid = await newPatient(b);
    await seedChart("north", pid, 3, { tag: "kind" });
    const html = await (await b.get(`/patients/${pid}/chart/timeline?kind=results`)).text();
    expect(html.match(/Lab kind \d/g)).toHaveLength(3);
    expect(html).not.toContain("Note kind");
    expect(html).not.toContain("Document kind");
    expect(html).toMatch(/href="\/patients\/[^"]+\/chart\/timeline\?kind=results" aria-current="page"/);
    const notes = await (await b.get(`/patients/${pid}/chart/timeline?kind=notes`)).text();
    expect(notes.match(/Note kind \d/g)).toHaveLength(3);
    expect(notes).not.toContain("Lab kind");
    expect((await b.get(`/patients/${pid}/chart/timeline?kind=gossip`)).status).toBe(400);
    expect((await b.get(`/patients/${pid}/chart/timeline?before=yesterday`)).status).toBe(400);
  });

  it("pages older items by keyset: an htmx fragment appended in place, or a plain link", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    await seedChart("north", pid, 20, { tag: "page" });
    const first = await (await b.get(`/patients/${pid}/chart/timeline?kind=results`)).text();
    expect(first.match(/Lab page \d+/g)).toHaveLength(20);
    const all = await b.get(`/patients/${pid}/chart/timeline`);
    const html = await all.text();
    // 20 rows of 6 kinds, prescriptions only every other row: 110 items, 30 per page.
    expect(html.match(/<li class="tl-/g)).toHaveLength(30);
    const older = html.match(/<a href="([^"]+)" hx-get="([^"]+)" hx-target="#timeline-more" hx-swap="outerHTML">Older<\/a>/);
    expect(older).not.toBeNull();
    const next = older![1]!.replace(/&amp;/g, "&");
    expect(next).toMatch(/before=\d+_/);

    const frag = await b.get(next, HX("div#timeline-more"));
    expect(frag.status).toBe(200);
    const fragHtml = await frag.text();
    expect(fragHtml).not.toContain("<html");
    expect(fragHtml.match(/<li class="tl-/g)).toHaveLength(30);
    const plain = await (await b.get(next)).text();
    expect(plain).toContain("<html");
    expect(plain).toContain("Back to the newest");

    // Walking every page shows each item exactly once.
    const seen = new Set<string>();
    let url: string | null = `/patients/${pid}/chart/timeline`;
    let pages = 0;
    while (url) {
      const page: string = await (await b.get(url, pages ? HX("div#timeline-more") : {})).text();
      for (const m of page.matchAll(/<li class="tl-[a-z]+">(.*?)<\/li>/g)) {
        expect(seen.has(m[1]!)).toBe(false);
        seen.add(m[1]!);
      }
      const link: RegExpMatchArray | null = page.match(/<a href="([^"]+)" hx-get=/);
      url = link ? link[1]!.replace(/&amp;/g, "&") : null;
      pages++;
    }
    expect(seen.size).toBe(110);
    expect(pages).toBe(4);
    expect(roundTrips(all)).toBeLessThanOrEqual(4);
  });

  it("costs the same D1 round trips for a short and a long history", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const short = await newPatient(b);
    const long = await newPatient(b);
    await seedChart("north", short, 1, { tag: "s" });
    await seedChart("north", long, 150, { tag: "l" });
    const a = await b.get(`/patients/${short}/chart/timeline`);
    const z = await b.get(`/patients/${long}/chart/timeline`);
    expect(a.status).toBe(200);
    expect(roundTrips(z)).toBe(roundTrips(a));
    console.log(`chart timeline: ${roundTrips(z)} D1 round trips per page`);
  });

  it("is closed to front desk (403) and another clinic (404)", async () => {
    const desk = await signedIn("north", USERS.frontDesk.email);
    const pid = await newPatient(desk);
    expect((await desk.get(`/patients/${pid}/chart/timeline`)).status).toBe(403);
    const south = await signedIn("south", USERS.provider.email);
    expect((await south.get(`/patients/${pid}/chart/timeline`)).status).toBe(404);
  });
});
