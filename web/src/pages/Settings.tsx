// Settings → Network (public URL, developer token, reachability), Marketplaces (add, edit,
// test, status, remove) and Sync.
import { useId, useState, type FormEvent } from "react";
import {
  Badge,
  ConfirmDialog,
  Dialog,
  Empty,
  ErrorBox,
  FieldHelp,
  FormActions,
  Loading,
  TextField,
  describedBy,
  formatDate,
} from "../components/ui";
import { ApiError, api, errorMessage } from "../lib/api";
import { useAction, useLoad } from "../lib/hooks";
import type { ConnectionTest, Marketplace, NetworkSettings, Page } from "../lib/types";
import { REDACTED } from "../components/SchemaForm";

export function Settings() {
  return (
    <section>
      <h1>Settings</h1>
      <Network />
      <Marketplaces />
    </section>
  );
}

function Network() {
  const network = useLoad(() => api.get<NetworkSettings>("/settings/network"), []);
  const [publicUrl, setPublicUrl] = useState<string | null>(null);
  const [token, setToken] = useState("");
  const [saved, setSaved] = useState<NetworkSettings | null>(null);
  const url = publicUrl ?? network.data?.public_url ?? "";
  const save = useAction(async () => {
    setSaved(null);
    const body: Record<string, unknown> = { public_url: url || null };
    if (token) body.developer_token = token;
    setSaved(await api.patch<NetworkSettings>("/settings/network", body));
    setToken("");
    await network.reload();
  });
  const { fields, busy, error } = save;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save.run();
  };

  return (
    <section aria-labelledby="network-title" className="card">
      <h2 id="network-title">Network</h2>
      {network.loading && !network.data ? <Loading what="network settings" /> : null}
      <ErrorBox error={network.error} />
      {network.data ? (
        <p role="status">
          {network.data.reachable ? <Badge status="healthy">Connected</Badge> : <Badge status="unhealthy">Not reachable</Badge>}{" "}
          {network.data.reason}
        </p>
      ) : null}
      <form onSubmit={submit} noValidate>
        <TextField
          label="Public URL"
          value={url}
          onChange={setPublicUrl}
          error={fields.public_url}
          hint={
            network.data?.detected_url
              ? `Where SyftHub reaches this Space; empty uses the detected ${network.data.detected_url}.`
              : "Where SyftHub reaches this Space, e.g. https://space.example.org."
          }
          placeholder={network.data?.detected_url ?? "https://space.example.org"}
        />
        <TextField
          label="Developer token"
          type="password"
          value={token}
          onChange={setToken}
          error={fields.developer_token}
          hint="Needed to publish from a laptop (no public IP). Contact OpenMined during the beta."
          placeholder={network.data?.developer_token === REDACTED ? "Stored; leave empty to keep it" : undefined}
          autoComplete="new-password"
        />
        <ErrorBox error={error} />
        {saved ? (
          <p role="status">
            Saved.{" "}
            {saved.token_check ? (
              saved.token_check.success ? (
                <span className="ok">Token accepted by SyftHub{saved.token_check.username ? ` (${saved.token_check.username})` : ""}.</span>
              ) : (
                <span className="field-error">{saved.token_check.message}</span>
              )
            ) : null}
          </p>
        ) : null}
        <button type="submit" disabled={busy}>
          {busy ? "Saving and checking…" : "Save"}
        </button>
      </form>
    </section>
  );
}

function Marketplaces() {
  const list = useLoad(() => api.get<Page<Marketplace>>("/marketplaces?limit=1000"), []);
  const [adding, setAdding] = useState(false);
  const [synced, setSynced] = useState<Record<string, string[]> | null>(null);
  const sync = useAction(async () => {
    setSynced(await api.post<Record<string, string[]>>("/marketplaces/sync"));
    await list.reload();
  });

  return (
    <section aria-labelledby="mp-title" className="card">
      <div className="page-head">
        <h2 id="mp-title">Marketplaces</h2>
        <button type="button" onClick={() => setAdding(true)}>
          Add Marketplace
        </button>
        <button type="button" className="secondary" onClick={() => void sync.run()} disabled={sync.busy}>
          {sync.busy ? "Syncing…" : "Sync published endpoints"}
        </button>
      </div>
      <ErrorBox error={list.error} />
      <ErrorBox error={sync.error} />
      {synced ? (
        <ul aria-label="Sync results">
          {Object.entries(synced).map(([name, slugs]) => (
            <li key={name}>
              {name}: {slugs.length ? slugs.join(", ") : "nothing to sync"}
            </li>
          ))}
        </ul>
      ) : null}
      {adding ? (
        <AddMarketplace
          onDone={() => {
            setAdding(false);
            void list.reload();
          }}
          onCancel={() => setAdding(false)}
        />
      ) : null}
      {list.data && list.data.items.length === 0 && !adding ? (
        <Empty title="No marketplace connected">
          <p>Add SyftHub (https://syfthub.openmined.org) with your access token to publish endpoints.</p>
        </Empty>
      ) : null}
      {list.data?.items.map((m) => <MarketplaceItem key={m.id} marketplace={m} onChanged={list.reload} />)}
    </section>
  );
}

function AddMarketplace({ onDone, onCancel }: { onDone: () => void; onCancel: () => void }) {
  const [name, setName] = useState("");
  const [url, setUrl] = useState("");
  const [username, setUsername] = useState("");
  const [token, setToken] = useState("");
  const [password, setPassword] = useState("");
  const [isDefault, setIsDefault] = useState(false);
  const add = useAction(async () => {
    const credentials = token ? { access_token: token } : { username, password };
    const created = await api.post<Marketplace>("/marketplaces", {
      name,
      url,
      hub_username: username || null,
      credentials,
      is_default: isDefault,
    });
    // Saving tests the connection, as the spec's steps say; a failure shows on its status.
    await api.post(`/marketplaces/${created.id}/test`).catch(() => undefined);
    onDone();
  });
  const { fields, busy, error } = add;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void add.run();
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Add marketplace" className="card">
      <h3>Add marketplace</h3>
      <TextField
        label="Marketplace name"
        value={name}
        onChange={setName}
        error={fields.name}
        required
        placeholder="Custom Hub"
      />
      <TextField
        label="URL"
        value={url}
        onChange={setUrl}
        error={fields.url}
        required
        type="url"
        placeholder="https://hub.example.org"
      />
      <TextField label="Hub username" value={username} onChange={setUsername} error={fields.hub_username ?? fields["credentials.username"]} />
      <TextField
        label="Access token"
        type="password"
        value={token}
        onChange={setToken}
        error={fields["credentials.access_token"] ?? fields.credentials}
        hint="A personal access token (syft_pat_…); or leave empty and give the password."
        autoComplete="new-password"
      />
      {!token ? (
        <TextField
          label="Password"
          type="password"
          value={password}
          onChange={setPassword}
          error={fields["credentials.password"]}
          autoComplete="new-password"
        />
      ) : null}
      <div className="field checkbox">
        <input id="mp-default" type="checkbox" checked={isDefault} onChange={(e) => setIsDefault(e.target.checked)} />
        <label htmlFor="mp-default">Default marketplace</label>
      </div>
      <ErrorBox error={error} />
      <FormActions onCancel={onCancel} busy={busy} label="Save" busyLabel="Saving and testing…" />
    </form>
  );
}

function MarketplaceItem({ marketplace: m, onChanged }: { marketplace: Marketplace; onChanged: () => Promise<void> }) {
  const [test, setTest] = useState<ConnectionTest | null>(null);
  const [editing, setEditing] = useState(false);
  const testing = useAction(async () => {
    setTest(await api.post<ConnectionTest>(`/marketplaces/${m.id}/test`));
    await onChanged();
  });
  const [removing, setRemoving] = useState(false);
  const [force, setForce] = useState(false);

  return (
    <article className="marketplace" aria-label={`Marketplace ${m.name}`}>
      <h3>
        {m.name} <Badge status={m.status} /> {m.is_default ? <Badge status="default">default</Badge> : null}
      </h3>
      <p className="muted">
        {m.url}
        {m.hub_username ? ` · as ${m.hub_username}` : ""} · {m.published_endpoints.length} endpoint
        {m.published_endpoints.length === 1 ? "" : "s"} published
        {m.published_endpoints.length ? ` (${m.published_endpoints.join(", ")})` : ""}
      </p>
      <p className="muted">
        Heartbeat:{" "}
        {m.heartbeat.last_ok_at ? `last accepted ${formatDate(m.heartbeat.last_ok_at)}` : "not accepted yet"}
        {m.heartbeat.failures ? `, ${m.heartbeat.failures} failures (${m.heartbeat.last_error ?? ""})` : ""}
      </p>
      {m.last_error ? (
        <p className="field-error">
          {m.last_error} ({formatDate(m.last_error_at)})
        </p>
      ) : null}
      {test ? (
        <p role="status">
          {test.success ? <Badge status="healthy">connected</Badge> : <Badge status="unhealthy">failed</Badge>} {test.message}
        </p>
      ) : null}
      <ErrorBox error={testing.error} />
      <div className="actions left">
        <button
          type="button"
          className="secondary"
          disabled={testing.busy}
          onClick={() => void testing.run()}
        >
          {testing.busy ? "Testing…" : `Test ${m.name}`}
        </button>
        <button type="button" className="secondary" onClick={() => setEditing(true)}>
          Edit {m.name}
        </button>
        <button type="button" className="danger" onClick={() => setRemoving(true)}>
          Remove {m.name}
        </button>
      </div>
      {editing ? (
        <EditMarketplace
          marketplace={m}
          onClose={() => setEditing(false)}
          onSaved={async (result) => {
            setEditing(false);
            setTest(result);
            await onChanged();
          }}
        />
      ) : null}
      {removing ? (
        <ConfirmDialog
          title={`Remove ${m.name}?`}
          message={
            force
              ? "Endpoints are still published there: removing now leaves orphaned listings. Unpublish them first if you can."
              : "Unpublish your endpoints from it first; the Space refuses while any are published."
          }
          confirmLabel={force ? "Remove anyway" : "Remove"}
          onConfirm={async () => {
            try {
              await api.delete(`/marketplaces/${m.id}${force ? "?force=true" : ""}`);
            } catch (e) {
              if (e instanceof ApiError && e.status === 409) setForce(true);
              throw e;
            }
            await onChanged();
          }}
          onClose={() => {
            setRemoving(false);
            setForce(false);
          }}
        />
      ) : null}
    </article>
  );
}

interface SecretProps {
  label: string;
  /** The Space holds a value for it (it answers "**********"). */
  stored: boolean;
  value: string;
  onChange: (value: string) => void;
  cleared: boolean;
  onClear: (cleared: boolean) => void;
  error?: string;
  hint?: string;
}

/** A stored secret on an edit: empty keeps it, typing replaces it, "Remove" clears it. */
function StoredSecret({ label, stored, value, onChange, cleared, onClear, error, hint }: SecretProps) {
  const id = useId();
  return (
    <>
      {cleared ? null : (
        <TextField
          label={label}
          type="password"
          value={value}
          onChange={onChange}
          error={error}
          hint={hint}
          placeholder={stored ? "Stored; leave empty to keep it" : "Not set"}
          autoComplete="new-password"
        />
      )}
      {stored ? (
        <div className="field checkbox">
          <input
            id={id}
            type="checkbox"
            checked={cleared}
            aria-describedby={cleared ? describedBy(id, undefined, error) : undefined}
            onChange={(e) => {
              onClear(e.target.checked);
              if (e.target.checked) onChange("");
            }}
          />
          <label htmlFor={id}>Remove the stored {label.toLowerCase()}</label>
          {cleared && error ? <FieldHelp id={id} error={error} /> : null}
        </div>
      ) : null}
    </>
  );
}

interface EditProps {
  marketplace: Marketplace;
  onClose: () => void;
  /** Called after the PATCH, with the connection test that followed it. */
  onSaved: (test: ConnectionTest) => Promise<void>;
}

/** Change a marketplace's name, address, credentials or default flag, then test it. Only what
 * changed is sent: a secret left empty is left out, so the Space keeps it. */
export function EditMarketplace({ marketplace: m, onClose, onSaved }: EditProps) {
  const stored = (key: string) => m.credentials[key] === REDACTED;
  const [name, setName] = useState(m.name);
  const [url, setUrl] = useState(m.url);
  const [username, setUsername] = useState(m.hub_username ?? "");
  const [token, setToken] = useState("");
  const [clearToken, setClearToken] = useState(false);
  const [password, setPassword] = useState("");
  const [clearPassword, setClearPassword] = useState(false);
  const [isDefault, setIsDefault] = useState(m.is_default);
  const save = useAction(async () => {
    const body: Record<string, unknown> = {};
    if (name !== m.name) body.name = name;
    if (url !== m.url) body.url = url;
    if ((username || null) !== m.hub_username) body.hub_username = username || null;
    if (isDefault !== m.is_default) body.is_default = isDefault;
    const credentials: Record<string, unknown> = {};
    if (token) credentials.access_token = token;
    else if (clearToken) credentials.access_token = null;
    if (password) credentials.password = password;
    else if (clearPassword) credentials.password = null;
    // A password logs in with the username beside it.
    const withPassword = password ? true : clearPassword ? false : stored("password");
    const loginName = (m.credentials.username as string | null | undefined) ?? null;
    const touched = password !== "" || username !== (m.hub_username ?? "");
    if (touched && withPassword && (username || null) !== loginName) credentials.username = username || null;
    if (Object.keys(credentials).length) body.credentials = credentials;
    if (Object.keys(body).length) await api.patch<Marketplace>(`/marketplaces/${m.id}`, body);
    let test: ConnectionTest;
    try {
      test = await api.post<ConnectionTest>(`/marketplaces/${m.id}/test`);
    } catch (e) {
      test = { success: false, message: errorMessage(e), username: null };
    }
    await onSaved(test);
  });
  const { fields, busy, error } = save;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void save.run();
  };

  return (
    <Dialog title={`Edit ${m.name}`} onClose={onClose}>
      <form onSubmit={submit} noValidate aria-label={`Edit marketplace ${m.name}`}>
        <TextField label="Marketplace name" value={name} onChange={setName} error={fields.name} required />
        <TextField label="URL" value={url} onChange={setUrl} error={fields.url} required type="url" />
        <TextField
          label="Hub username"
          value={username}
          onChange={setUsername}
          error={fields.hub_username ?? fields["credentials.username"]}
        />
        <StoredSecret
          label="Access token"
          stored={stored("access_token")}
          value={token}
          onChange={setToken}
          cleared={clearToken}
          onClear={setClearToken}
          error={fields["credentials.access_token"] ?? fields.credentials}
          hint="A personal access token (syft_pat_…); or give the username and password."
        />
        <StoredSecret
          label="Password"
          stored={stored("password")}
          value={password}
          onChange={setPassword}
          cleared={clearPassword}
          onClear={setClearPassword}
          error={fields["credentials.password"]}
        />
        <div className="field checkbox">
          <input
            id={`mp-default-${m.id}`}
            type="checkbox"
            checked={isDefault}
            onChange={(e) => setIsDefault(e.target.checked)}
            aria-invalid={fields.is_default ? true : undefined}
            aria-describedby={describedBy(`mp-default-${m.id}`, undefined, fields.is_default)}
          />
          <label htmlFor={`mp-default-${m.id}`}>Default marketplace</label>
          <FieldHelp id={`mp-default-${m.id}`} error={fields.is_default} />
        </div>
        <ErrorBox error={error} />
        <FormActions onCancel={onClose} busy={busy} label="Save and test" busyLabel="Saving and testing…" />
      </form>
    </Dialog>
  );
}
