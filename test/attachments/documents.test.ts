// Documents in the chart: streamed upload to R2, authorized and audited download, inline
// preview, soft delete, and who may see which category.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { PART_BYTES } from "../../src/attachments/storage";
import { USERS } from "../fixtures";
import { auditRows, type Browser, clinicD1, signedIn } from "../helpers";
import { exeBytes, newPatient, pdfBytes, pngBytes, sha256Hex, streamedUpload, upload } from "./support";

const MAX = 25 * 1024 * 1024;
const SLUG = "riverside-north";

const rowsOf = async (patientId: string) =>
  (await clinicD1("north").prepare("SELECT * FROM attachments WHERE patient_id = ?").bind(patientId).all<Record<string, string | number | null>>()).results;

const objectsOf = async (patientId: string, slug = SLUG) => (await env.ATTACHMENTS.list({ prefix: `clinics/${slug}/patients/${patientId}/` })).objects;

const uploadedId = (res: Response) => new URL(res.headers.get("location")!, "https://x").searchParams.get("uploaded")!;

async function uploaded(b: Browser, patientId: string, o: Parameters<typeof upload>[2] = {}): Promise<string> {
  const res = await upload(b, patientId, o);
  if (res.status !== 303) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
  return uploadedId(res);
}

async function bytesOf(res: Response): Promise<Uint8Array> {
  return new Uint8Array(await res.arrayBuffer());
}

async function expectNothingStored(patientId: string) {
  expect(await rowsOf(patientId)).toHaveLength(0);
  expect(await objectsOf(patientId)).toHaveLength(0);
}

describe("POST /patients/:id/documents (streamed upload)", () => {
  it("stores the file in R2 under the clinic and patient, with its SHA-256, and downloads it byte for byte", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    const bytes = pdfBytes(300_000);
    const res = await upload(b, pid, {
      file: { filename: "C:\\scans\\Lab résumé.pdf", type: "application/octet-stream", bytes },
      fields: { title: "CBC panel", category: "lab" },
    });
    expect(res.status).toBe(303);
    const id = uploadedId(res);
    expect(res.headers.get("location")).toBe(`/patients/${pid}/documents?uploaded=${id}`);

    const key = `clinics/${SLUG}/patients/${pid}/${id}`;
    const [row] = await rowsOf(pid);
    expect(row).toMatchObject({
      id,
      r2_key: key,
      filename: "Lab résumé.pdf",
      content_type: "application/pdf",
      size_bytes: bytes.length,
      sha256: await sha256Hex(bytes),
      category: "lab",
      title: "CBC panel",
      uploaded_by: USERS.provider.id,
      uploaded_by_name: USERS.provider.name,
      deleted_at: null,
    });
    const object = await env.ATTACHMENTS.get(key);
    expect(object!.size).toBe(bytes.length);
    expect(await sha256Hex(await bytesOf(new Response(object!.body)))).toBe(row!.sha256);

    const dl = await b.get(`/patients/${pid}/documents/${id}`);
    expect(dl.status).toBe(200);
    expect(dl.headers.get("content-type")).toBe("application/pdf");
    expect(dl.headers.get("content-disposition")).toBe(`attachment; filename="Lab r_sum_.pdf"; filename*=UTF-8''Lab%20r%C3%A9sum%C3%A9.pdf`);
    expect(dl.headers.get("content-length")).toBe(String(bytes.length));
    expect(dl.headers.get("cache-control")).toBe("private, no-store");
    expect(dl.headers.get("x-content-type-options")).toBe("nosniff");
    expect(dl.headers.get("content-security-policy")).toBe("default-src 'none'; sandbox; frame-ancestors 'none'");
    const got = await bytesOf(dl);
    expect(got.length).toBe(bytes.length);
    expect(await sha256Hex(got)).toBe(await sha256Hex(bytes));

    expect(await auditRows("north", "event = 'attachment.upload' AND patient_id = ?", pid)).toEqual([
      expect.objectContaining({ action: "create", outcome: "success", entity_type: "attachment", entity_id: id, user_id: USERS.provider.id }),
    ]);
    expect(await auditRows("north", "event = 'attachment.download' AND patient_id = ?", pid)).toEqual([
      expect.objectContaining({ action: "read", outcome: "success", entity_id: id }),
    ]);
  });

  it("sends a file larger than one R2 part as a multipart upload, whole and byte-identical", async () => {
    const b = await signedIn("north", USERS.nurse.email);
    const pid = await newPatient(b);
    const bytes = pngBytes(2 * PART_BYTES + 2 * 1024 * 1024 + 17); // 12 MiB and a bit: three parts
    const id = await uploaded(b, pid, { file: { filename: "xray.png", type: "image/png", bytes }, fields: { category: "imaging" } });
    const [row] = await rowsOf(pid);
    expect(row).toMatchObject({ content_type: "image/png", size_bytes: bytes.length, sha256: await sha256Hex(bytes) });
    const head = await env.ATTACHMENTS.head(`clinics/${SLUG}/patients/${pid}/${id}`);
    expect(head!.size).toBe(bytes.length);
    // R2 (like S3) marks the ETag of a multipart object with its number of parts.
    expect(head!.etag).toMatch(/-3$/);
    const dl = await b.get(`/patients/${pid}/documents/${id}`);
    expect(await sha256Hex(await bytesOf(dl))).toBe(await sha256Hex(bytes));
  });

  it("streams a large body without a Content-Length and keeps the one of exactly the cap", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    const res = await streamedUpload(b, pid, { signature: pngBytes(8), size: MAX });
    expect(res.status).toBe(303);
    const [row] = await rowsOf(pid);
    expect(row).toMatchObject({ size_bytes: MAX, content_type: "image/png" });
    expect(await objectsOf(pid)).toHaveLength(1);
  });

  it("links the document to the patient's visit when uploaded from it, and refuses another patient's visit", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    const other = await newPatient(b);
    const eid = crypto.randomUUID();
    await clinicD1("north")
      .prepare("INSERT INTO encounters (id, patient_id, provider_staff_id, provider_name, kind, reason, started_at) VALUES (?, ?, ?, ?, 'ad_hoc', 'Back pain', ?)")
      .bind(eid, pid, USERS.provider.id, USERS.provider.name, Date.now())
      .run();
    const form = await b.get(`/patients/${pid}/documents/new?encounter=${eid}`);
    expect(form.status).toBe(200);
    const html = await form.text();
    expect(html).toContain("For the visit of");
    expect(html).toContain(`name="encounter_id" value="${eid}"`);
    // The token comes first and the file last, so the route knows everything before the bytes arrive.
    expect(html.indexOf('name="_csrf"')).toBeLessThan(html.indexOf('name="title"'));
    expect(html.indexOf('name="category"')).toBeLessThan(html.indexOf('name="file"'));
    expect(html).toContain('enctype="multipart/form-data"');

    await uploaded(b, pid, { fields: { category: "clinical", encounter_id: eid } });
    expect((await rowsOf(pid))[0]).toMatchObject({ encounter_id: eid });
    expect(await (await b.get(`/patients/${pid}/documents`)).text()).toContain(`href="/encounters/${eid}"`);

    expect((await b.get(`/patients/${other}/documents/new?encounter=${eid}`)).status).toBe(404);
    expect((await upload(b, other, { fields: { category: "clinical", encounter_id: eid } })).status).toBe(404);
    await expectNothingStored(other);
  });

  it("refuses a declared length over the cap with 413 before reading the body, and stores nothing", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    const res = await upload(b, pid, { file: { filename: "huge.pdf", type: "application/pdf", bytes: pdfBytes(MAX + 100 * 1024) } });
    expect(res.status).toBe(413);
    expect(await res.text()).toContain("larger than the 25 MB limit");
    await expectNothingStored(pid);
    const audit = await auditRows("north", "event = 'attachment.upload' AND outcome = 'failure' AND detail LIKE 'declared length%'");
    expect(audit.at(-1)).toMatchObject({ action: "create", user_id: USERS.provider.id, detail: "declared length over the 25 MB limit" });
  });

  it("refuses a body that grows past the cap while streaming with 413, and leaves no row and no object", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    const res = await streamedUpload(b, pid, { signature: pngBytes(8), size: MAX + 1 });
    expect(res.status).toBe(413);
    const html = await res.text();
    expect(html).toContain('id="f-file-error">The file is larger than the 25 MB limit');
    await expectNothingStored(pid);
    expect(await auditRows("north", "event = 'attachment.upload' AND patient_id = ?", pid)).toEqual([
      expect.objectContaining({ outcome: "failure", detail: "over the 25 MB limit" }),
    ]);
  });

  it("refuses a type that is not allowed, judged on the bytes (an EXE named .pdf), with 415 naming the allowed types", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    const res = await upload(b, pid, { file: { filename: "report.pdf", type: "application/pdf", bytes: exeBytes(50_000) } });
    expect(res.status).toBe(415);
    expect(await res.text()).toContain("Upload a PDF, PNG, JPEG, HEIC/HEIF, DICOM or plain text (UTF-8) file.");
    await expectNothingStored(pid);
    expect(await auditRows("north", "event = 'attachment.upload' AND patient_id = ?", pid)).toEqual([
      expect.objectContaining({ action: "create", outcome: "failure", detail: "type not allowed" }),
    ]);
    // The same bytes with a text signature are fine, whatever the name says.
    const text = new TextEncoder().encode("Patient called: symptoms better.\n");
    await uploaded(b, pid, { file: { filename: "photo.jpg", type: "image/jpeg", bytes: text } });
    expect((await rowsOf(pid))[0]).toMatchObject({ content_type: "text/plain; charset=utf-8", filename: "photo.jpg" });
  });

  it("leaves no row and no object when the upload is cut off midway (connection lost, or body ended early)", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    // Past one part, so a multipart upload had begun and must be aborted.
    const lost = await streamedUpload(b, pid, { signature: pngBytes(8), size: 12 * 1024 * 1024, failAfter: PART_BYTES + 512 * 1024 });
    expect(lost.status).toBe(400);
    const ended = await streamedUpload(b, pid, { signature: pdfBytes(16), size: 3 * 1024 * 1024, endAfter: 1024 * 1024 });
    expect(ended.status).toBe(400);
    expect(await ended.text()).toContain("interrupted");
    await expectNothingStored(pid);
    const audit = await auditRows("north", "event = 'attachment.upload' AND patient_id = ?", pid);
    expect(audit.map((r) => [r.outcome, r.detail])).toEqual([
      ["failure", "interrupted"],
      ["failure", "interrupted"],
    ]);
  });

  it("checks the CSRF token (the first part, or the X-CSRF-Token header) and the Origin before storing anything", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    expect((await upload(b, pid, { csrf: null })).status).toBe(403);
    expect((await upload(b, pid, { csrf: "x".repeat(43) })).status).toBe(403);
    expect((await upload(b, pid, { headers: { origin: "https://evil.example" } })).status).toBe(403);
    await expectNothingStored(pid);
    const denied = await auditRows("north", "event = 'access.denied' AND entity_id = ?", `POST /patients/${pid}/documents`);
    expect(denied.length).toBeGreaterThanOrEqual(2);
    // A plain form post to the upload URL is not read at all.
    expect((await b.post(`/patients/${pid}/documents`, { category: "clinical" })).status).toBe(415);
    await expectNothingStored(pid);
    const viaHeader = await upload(b, pid, { csrf: null, headers: { "x-csrf-token": b.cookies.get("__Host-csrf")! } });
    expect(viaHeader.status).toBe(303);
    expect(await rowsOf(pid)).toHaveLength(1);
  });

  it("refuses bad fields with 422 next to the field and writes nothing", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    const bad = await upload(b, pid, { fields: { category: "recipes", title: "t".repeat(201) } });
    expect(bad.status).toBe(422);
    const html = await bad.text();
    expect(html).toContain('id="f-category-error">Choose a category');
    expect(html).toContain('id="f-title-error">Title must be at most 200 characters.');
    const noFile = await upload(b, pid, { file: null });
    expect(noFile.status).toBe(422);
    expect(await noFile.text()).toContain('id="f-file-error">Choose a file to upload.');
    const empty = await upload(b, pid, { file: { filename: "empty.txt", bytes: new Uint8Array() } });
    expect(empty.status).toBe(422);
    expect(await empty.text()).toContain("The file is empty.");
    await expectNothingStored(pid);
  });

  it("asks for sign-in before reading anything", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    b.cookies.delete("__Host-session");
    for (const k of [...b.cookies.keys()]) if (k !== "__Host-csrf") b.cookies.delete(k);
    expect((await upload(b, pid)).status).toBe(401);
    await expectNothingStored(pid);
  });
});

describe("GET /patients/:id/documents/:docId (download) and /view (inline preview)", () => {
  it("shows images and PDF inline under a sandboxing policy, and sends anything else as a download", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    const pdf = await uploaded(b, pid, { file: { filename: "letter.pdf", bytes: pdfBytes(5000) } });
    const png = await uploaded(b, pid, { file: { filename: "rash.png", bytes: pngBytes(5000) } });
    const txt = await uploaded(b, pid, { file: { filename: "notes.txt", bytes: new TextEncoder().encode("plain notes\n") } });
    for (const [id, type] of [[pdf, "application/pdf"], [png, "image/png"]] as const) {
      const res = await b.get(`/patients/${pid}/documents/${id}/view`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe(type);
      expect(res.headers.get("content-disposition")).toMatch(/^inline; filename="/);
      expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox; frame-ancestors 'none'");
      expect(res.headers.get("cache-control")).toBe("private, no-store");
      await res.arrayBuffer();
    }
    const text = await b.get(`/patients/${pid}/documents/${txt}/view`);
    expect(text.headers.get("content-disposition")).toMatch(/^attachment; /);
    expect(text.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await text.text()).toBe("plain notes\n");
    expect(await auditRows("north", "event = 'attachment.view' AND patient_id = ? AND outcome = 'success'", pid)).toHaveLength(3);
  });

  it("answers 404 for another patient's or another clinic's document, with a failure audit row", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    const other = await newPatient(b);
    const id = await uploaded(b, pid);
    const wrongPatient = await b.get(`/patients/${other}/documents/${id}`);
    expect(wrongPatient.status).toBe(404);
    expect(await auditRows("north", "event = 'attachment.download' AND entity_id = ? AND outcome = 'failure'", id)).toHaveLength(1);

    // The same provider, signed in at the sister clinic: its database has neither patient nor document.
    const south = await signedIn("south", USERS.provider.email);
    expect((await south.get(`/patients/${pid}/documents/${id}`)).status).toBe(404);
    expect((await south.get(`/patients/${pid}/documents/${id}/view`)).status).toBe(404);
    expect((await south.get(`/patients/${pid}/documents`)).status).toBe(404);
    expect(await auditRows("south", "event = 'attachment.download' AND entity_id = ? AND outcome = 'failure'", id)).toHaveLength(1);
  });
});

describe("GET /patients/:id/documents (the list)", () => {
  it("shows each document with its details, audits one row per document shown, and offers the upload", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    const bytes = pdfBytes(1536);
    const a = await uploaded(b, pid, { file: { filename: "referral.pdf", bytes }, fields: { title: "Referral letter", category: "correspondence" } });
    const c = await uploaded(b, pid, { file: { filename: "id-card.png", bytes: pngBytes(900) }, fields: { category: "administrative" } });
    const res = await b.get(`/patients/${pid}/documents`);
    expect(res.status).toBe(200);
    const html = await res.text();
    const sha = await sha256Hex(bytes);
    for (const text of ["Referral letter", "referral.pdf", "Correspondence", "PDF, 1.5 KB", USERS.provider.name, `title="SHA-256 ${sha}"`, `${sha.slice(0, 12)}…`]) {
      expect(html).toContain(text);
    }
    expect(html).toContain(`href="/patients/${pid}/documents/${a}/view"`);
    expect(html).toContain(`href="/patients/${pid}/documents/new"`);
    expect(html).toContain('aria-current="page">Documents');
    const audit = await auditRows("north", "event = 'attachment.list' AND patient_id = ?", pid);
    expect(audit.map((r) => r.entity_id).sort()).toEqual([a, c].sort());
  });

  it("lets front desk file and read administrative documents only; billers read them; roles without access are refused", async () => {
    const provider = await signedIn("north", USERS.provider.email);
    const desk = await signedIn("north", USERS.frontDesk.email);
    const pid = await newPatient(desk);
    const insurance = await uploaded(desk, pid, { file: { filename: "insurance.png", bytes: pngBytes(3000) }, fields: { category: "administrative", title: "Insurance card" } });
    const clinical = await uploaded(provider, pid, { fields: { category: "clinical", title: "Psychiatric evaluation" } });

    const form = await (await desk.get(`/patients/${pid}/documents/new`)).text();
    expect(form).toContain('value="administrative"');
    expect(form).not.toContain('value="clinical"');
    expect((await upload(desk, pid, { fields: { category: "clinical" } })).status).toBe(403);
    expect(await rowsOf(pid)).toHaveLength(2);

    const list = await (await desk.get(`/patients/${pid}/documents`)).text();
    expect(list).toContain("Insurance card");
    expect(list).not.toContain("Psychiatric evaluation");
    expect(list).not.toContain("Allergies:");
    expect((await desk.get(`/patients/${pid}/documents/${insurance}`)).status).toBe(200);
    // A clinical document is not found for front desk, as a record of another patient would be:
    // even its existence is clinical information.
    expect((await desk.get(`/patients/${pid}/documents/${clinical}`)).status).toBe(404);
    expect(await auditRows("north", "event = 'attachment.download' AND entity_id = ? AND outcome = 'denied'", clinical)).toHaveLength(1);
    expect((await desk.post(`/patients/${pid}/documents/${insurance}/delete`, { reason: "Wrong patient" })).status).toBe(403);

    const biller = await signedIn("north", USERS.biller.email);
    expect(await (await biller.get(`/patients/${pid}/documents`)).text()).toContain("Insurance card");
    expect((await biller.get(`/patients/${pid}/documents/${clinical}`)).status).toBe(404);
    expect((await upload(biller, pid, { fields: { category: "administrative" } })).status).toBe(403);

    const owner = await signedIn("north", USERS.owner.email);
    expect((await owner.get(`/patients/${pid}/documents`)).status).toBe(403);
    expect((await owner.get(`/patients/${pid}/documents/${insurance}`)).status).toBe(403);
  });
});

describe("POST /patients/:id/documents/:docId/delete (soft delete)", () => {
  it("needs a reason, hides the document, keeps row and object, answers 410 afterwards, and shows who deleted it and why", async () => {
    const b = await signedIn("north", USERS.provider.email);
    const pid = await newPatient(b);
    const id = await uploaded(b, pid, { fields: { category: "clinical", title: "Scanned intake form" } });
    const path = `/patients/${pid}/documents/${id}/delete`;

    expect((await b.get(path)).status).toBe(200);
    const noReason = await b.post(path, { reason: "  " });
    expect(noReason.status).toBe(422);
    expect(await noReason.text()).toContain('id="f-reason-error">Reason is required');
    expect((await rowsOf(pid))[0]!.deleted_at).toBeNull();

    const assoc = await signedIn("north", USERS.associate.email);
    expect((await assoc.post(path, { reason: "Filed to the wrong chart" })).status).toBe(403);

    const res = await b.post(path, { reason: "Filed to the wrong chart" });
    expect(res.status).toBe(303);
    const [row] = await rowsOf(pid);
    expect(row).toMatchObject({ deleted_by: USERS.provider.id, delete_reason: "Filed to the wrong chart" });
    expect(row!.deleted_at).toEqual(expect.any(Number));
    expect(await objectsOf(pid)).toHaveLength(1);
    await expect(clinicD1("north").prepare("DELETE FROM attachments WHERE id = ?").bind(id).run()).rejects.toThrow(/soft-deleted/);

    const list = await (await b.get(`/patients/${pid}/documents`)).text();
    expect(list).not.toContain("Scanned intake form");
    expect(list).toContain("Show deleted (1)");
    const shown = await (await b.get(`/patients/${pid}/documents?deleted=1`)).text();
    expect(shown).toContain("Scanned intake form");
    expect(shown).toContain("Filed to the wrong chart");
    expect(shown).toContain(USERS.provider.name);
    // Only those who may delete see deleted documents.
    expect(await (await assoc.get(`/patients/${pid}/documents?deleted=1`)).text()).not.toContain("Filed to the wrong chart");

    expect((await b.get(`/patients/${pid}/documents/${id}`)).status).toBe(410);
    expect((await b.post(path, { reason: "Again" })).status).toBe(410);
    expect(await auditRows("north", "event = 'attachment.delete' AND entity_id = ?", id)).toEqual([
      expect.objectContaining({ action: "delete", outcome: "success", patient_id: pid, detail: "soft delete, reason given" }),
      expect.objectContaining({ action: "delete", outcome: "failure", detail: "already deleted" }),
    ]);
    expect(await auditRows("north", "event = 'attachment.download' AND entity_id = ? AND detail = 'deleted'", id)).toHaveLength(1);
  });

  it("answers 404 for another patient's document", async () => {
    const b = await signedIn("north", USERS.nurse.email);
    const pid = await newPatient(b);
    const other = await newPatient(b);
    const id = await uploaded(b, pid);
    expect((await b.post(`/patients/${other}/documents/${id}/delete`, { reason: "Wrong chart" })).status).toBe(404);
    expect((await rowsOf(pid))[0]!.deleted_at).toBeNull();
  });
});
