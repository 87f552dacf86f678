/**
 * Every token the platform issues is a jose-signed JWT (HS256) bound to one clinic by its
 * audience and to one purpose by its `use` claim. Verification pins the algorithm, so `alg: none`
 * and any other algorithm are refused.
 *
 * Keys rotate without signing anyone out: `SESSION_SECRETS` holds a key ring,
 * `"kid2:secret2,kid1:secret1"`, newest first. New tokens are signed with the first key and name
 * it in their `kid` header; a token is verified with the key its `kid` names, and refused when the
 * ring does not know that id. `SESSION_SECRET` alone (the single-key setup) still works: it is the
 * legacy key, which signs when the ring is empty (tokens without a `kid`) and verifies every token
 * that names no `kid`. See docs/operations.md, "Rotating secrets".
 */
import { jwtVerify, SignJWT, type JWTPayload } from "jose";
import type { Env } from "./env";
import { AppError } from "./errors";

export type TokenUse = "session" | "handoff" | "reset" | "hold" | "manage" | "invite" | "offer" | "webauthn";

/** The variables a key ring is read from. */
export type KeyEnv = Pick<Env, "SESSION_SECRET" | "SESSION_SECRETS">;

export interface SigningKey {
  /** The key id written to the token's `kid` header; null for the legacy single key. */
  kid: string | null;
  secret: string;
}

export interface KeyRing {
  /** The key new tokens are signed with. */
  current: SigningKey;
  /** Keys by id, for tokens that name one. */
  byKid: ReadonlyMap<string, SigningKey>;
  /** `SESSION_SECRET`, for tokens that name no key id. */
  legacy: SigningKey | null;
  /** Every key, current first (for MACs that carry no key id). */
  all: readonly SigningKey[];
}

const ISSUER = "clinic-platform";
const KID = /^[A-Za-z0-9_.-]{1,32}$/;

function checkedSecret(secret: string, what: string): string {
  if (secret.length < 32) throw new AppError("internal", `${what} is shorter than 32 characters.`);
  return secret;
}

const rings = new Map<string, KeyRing>();

/**
 * The key ring of this deployment. `SESSION_SECRETS` is a comma-separated list of `kid:secret`
 * entries (the secret is everything after the first colon; it cannot contain a comma), newest first.
 */
export function keyRing(env: KeyEnv): KeyRing {
  const cacheKey = `${env.SESSION_SECRETS ?? ""}\n${env.SESSION_SECRET ?? ""}`;
  const cached = rings.get(cacheKey);
  if (cached) return cached;
  const byKid = new Map<string, SigningKey>();
  const listed: SigningKey[] = [];
  for (const entry of (env.SESSION_SECRETS ?? "").split(",")) {
    const trimmed = entry.trim();
    if (!trimmed) continue;
    const colon = trimmed.indexOf(":");
    const kid = colon > 0 ? trimmed.slice(0, colon) : "";
    if (!KID.test(kid)) throw new AppError("internal", "SESSION_SECRETS entries must look like kid:secret (kid of letters, digits, _ . -).");
    if (byKid.has(kid)) throw new AppError("internal", `SESSION_SECRETS names the key id ${kid} twice.`);
    const key = { kid, secret: checkedSecret(trimmed.slice(colon + 1), `The SESSION_SECRETS key ${kid}`) };
    byKid.set(kid, key);
    listed.push(key);
  }
  const legacy = env.SESSION_SECRET ? { kid: null, secret: checkedSecret(env.SESSION_SECRET, "SESSION_SECRET") } : null;
  const current = listed[0] ?? legacy;
  if (!current) throw new AppError("internal", "SESSION_SECRET (or SESSION_SECRETS) is missing.");
  const ring: KeyRing = { current, byKid, legacy, all: legacy ? [...listed, legacy] : listed };
  rings.set(cacheKey, ring);
  return ring;
}

const encode = (k: SigningKey) => new TextEncoder().encode(k.secret);

/** The audience of every token meant for one clinic. */
export function clinicAudience(slug: string): string {
  return `clinic:${slug}`;
}

export interface SignOptions {
  use: TokenUse;
  subject: string;
  clinicSlug: string;
  /** Lifetime in seconds. */
  ttl: number;
  jti?: string;
  claims?: Record<string, string | number>;
  now?: number;
}

/** Signs with the ring's current key and names it in the `kid` header. */
export async function signToken(env: KeyEnv, o: SignOptions): Promise<string> {
  const key = keyRing(env).current;
  const iat = Math.floor((o.now ?? Date.now()) / 1000);
  const jwt = new SignJWT({ ...o.claims, use: o.use })
    .setProtectedHeader(key.kid ? { alg: "HS256", typ: "JWT", kid: key.kid } : { alg: "HS256", typ: "JWT" })
    .setIssuer(ISSUER)
    .setSubject(o.subject)
    .setAudience(clinicAudience(o.clinicSlug))
    .setIssuedAt(iat)
    .setExpirationTime(iat + o.ttl);
  if (o.jti) jwt.setJti(o.jti);
  return jwt.sign(encode(key));
}

export interface VerifiedToken extends JWTPayload {
  sub: string;
  use: TokenUse;
}

/**
 * Verifies signature (with the key its `kid` names, or the legacy key when it names none),
 * algorithm, issuer, audience (this clinic), expiry and purpose; null if any fails.
 */
export async function verifyToken(env: KeyEnv, token: string, use: TokenUse, clinicSlug: string): Promise<VerifiedToken | null> {
  const ring = keyRing(env);
  try {
    const { payload } = await jwtVerify(
      token,
      (header) => {
        const key = header.kid === undefined ? ring.legacy : ring.byKid.get(header.kid);
        if (!key) throw new Error("unknown key id");
        return encode(key);
      },
      {
        algorithms: ["HS256"],
        issuer: ISSUER,
        audience: clinicAudience(clinicSlug),
        requiredClaims: ["sub", "exp", "iat"],
      },
    );
    if (payload.use !== use || typeof payload.sub !== "string") return null;
    return payload as VerifiedToken;
  } catch {
    return null;
  }
}
