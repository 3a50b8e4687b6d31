// Who is signed in: the owner key and, when the Space serves several tenants, which one.
import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { ApiError, API, onUnauthorized } from "./api";
import { loadSession, saveSession, type Session } from "./session";

interface Auth {
  session: Session | null;
  /** Tenant names this key may switch between; empty when multi-tenancy is off. */
  tenants: string[];
  signIn: (key: string, tenant?: string | null) => Promise<void>;
  switchTenant: (tenant: string) => void;
  signOut: () => void;
}

const AuthContext = createContext<Auth | null>(null);

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error("useAuth outside AuthProvider");
  return auth;
}

const TENANT_REQUIRED = "X-Tenant-Name header is required";

async function probe(key: string, tenant: string | null): Promise<Response> {
  const headers: Record<string, string> = { Authorization: `Bearer ${key}` };
  if (tenant) headers["X-Tenant-Name"] = tenant;
  return fetch(`${API}/endpoints?limit=1`, { headers });
}

async function detail(response: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  return new ApiError(response.status, body);
}

/** Tenants a key may use: all of them for a global admin key, else none we can list. */
async function listTenants(key: string): Promise<string[]> {
  const response = await fetch(`${API}/tenants?limit=1000`, {
    headers: { Authorization: `Bearer ${key}` },
  });
  if (!response.ok) return [];
  const page = (await response.json()) as { items: { name: string }[] };
  return page.items.map((t) => t.name);
}

/** Check the key against the API; learn whether a tenant must be named. */
export async function verifyKey(
  key: string,
  tenant: string | null,
): Promise<{ tenant: string | null; tenants: string[] }> {
  let response = await probe(key, tenant);
  if (response.ok) return { tenant, tenants: tenant ? await listTenants(key) : [] };
  const error = await detail(response);
  if (response.status === 400 && error.message.includes(TENANT_REQUIRED)) {
    const tenants = await listTenants(key);
    const chosen = tenant ?? tenants[0] ?? null;
    if (!chosen) {
      throw new Error(
        "This Space serves several tenants and this key cannot list them: name your tenant.",
      );
    }
    response = await probe(key, chosen);
    if (response.ok) return { tenant: chosen, tenants };
    throw await detail(response);
  }
  throw error;
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(loadSession);
  const [tenants, setTenants] = useState<string[]>([]);

  useEffect(() => {
    if (session) {
      verifyKey(session.key, session.tenant).then(
        (r) => setTenants(r.tenants),
        () => undefined,
      );
    }
    // Only once, for a session restored from this tab's storage.
  }, []);

  useEffect(
    () =>
      onUnauthorized(() => {
        saveSession(null);
        setSession(null);
      }),
    [],
  );

  const auth: Auth = {
    session,
    tenants,
    async signIn(key, tenant = null) {
      const result = await verifyKey(key.trim(), tenant?.trim() || null);
      const next = { key: key.trim(), tenant: result.tenant };
      saveSession(next);
      setTenants(result.tenants);
      setSession(next);
    },
    switchTenant(tenant) {
      if (!session) return;
      const next = { ...session, tenant };
      saveSession(next);
      setSession(next);
    },
    signOut() {
      saveSession(null);
      setSession(null);
      setTenants([]);
    },
  };
  return <AuthContext.Provider value={auth}>{children}</AuthContext.Provider>;
}
