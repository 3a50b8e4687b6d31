// The owner key and tenant live in sessionStorage: kept while the tab lives, gone when the
// browser session ends, never written to disk by the console.
const KEY = "syft.ownerKey";
const TENANT = "syft.tenant";

export interface Session {
  key: string;
  tenant: string | null;
}

export function loadSession(): Session | null {
  const key = sessionStorage.getItem(KEY);
  return key ? { key, tenant: sessionStorage.getItem(TENANT) } : null;
}

export function saveSession(session: Session | null): void {
  if (!session) {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(TENANT);
    return;
  }
  sessionStorage.setItem(KEY, session.key);
  if (session.tenant) sessionStorage.setItem(TENANT, session.tenant);
  else sessionStorage.removeItem(TENANT);
}
