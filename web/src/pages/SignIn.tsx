import { useState, type FormEvent } from "react";
import { useAuth } from "../lib/auth";
import { ErrorBox, TextField } from "../components/ui";

export function SignIn() {
  const { signIn } = useAuth();
  const [key, setKey] = useState("");
  const [tenant, setTenant] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(key, tenant || null);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="signin">
      <form onSubmit={submit} noValidate className="card" aria-labelledby="signin-title">
        <h1 id="signin-title">Sign in to Syft Space</h1>
        <p>
          Paste your owner key. The Space printed it on first start and saved it to{" "}
          <code>~/.syft-space/owner.key</code>. It is kept only for this browser session.
        </p>
        <TextField
          label="Owner key"
          type="password"
          value={key}
          onChange={setKey}
          required
          autoComplete="current-password"
        />
        <TextField
          label="Tenant (optional)"
          value={tenant}
          onChange={setTenant}
          hint="Only when this Space serves several tenants and your key belongs to one."
        />
        <ErrorBox error={error} />
        <button type="submit" disabled={busy || !key.trim()}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
