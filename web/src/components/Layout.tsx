import { useId } from "react";
import { NavLink, Outlet } from "react-router";
import { useAuth } from "../lib/auth";

const LINKS = [
  ["/", "Dashboard"],
  ["/datasets", "Datasets"],
  ["/models", "Models"],
  ["/endpoints", "Endpoints"],
  ["/settings", "Settings"],
] as const;

export function Layout() {
  const { session, tenants, switchTenant, signOut } = useAuth();
  const tenantId = useId();
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Syft Space</span>
        <nav aria-label="Main">
          <ul>
            {LINKS.map(([to, label]) => (
              <li key={to}>
                <NavLink to={to} end={to === "/"}>
                  {label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="topbar-right">
          {tenants.length > 0 ? (
            <span className="tenant">
              <label htmlFor={tenantId}>Tenant</label>
              <select
                id={tenantId}
                value={session?.tenant ?? ""}
                onChange={(e) => switchTenant(e.target.value)}
              >
                {tenants.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </select>
            </span>
          ) : null}
          <a href="/docs">API docs</a>
          <button type="button" className="secondary" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {/* Remount pages on a tenant switch so each loads that tenant's data. */}
        <Outlet key={session?.tenant ?? ""} />
      </main>
    </div>
  );
}
