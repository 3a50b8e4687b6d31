import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { TypedCreateForm } from "../components/TypedCreateForm";
import { Dialog, Empty, ErrorBox, Loading, formatDate } from "../components/ui";
import { api } from "../lib/api";
import { useLoad } from "../lib/hooks";
import type { Dataset, Page } from "../lib/types";

export function Datasets() {
  const list = useLoad(() => api.get<Page<Dataset>>("/datasets?limit=1000"), []);
  const [creating, setCreating] = useState(false);
  const navigate = useNavigate();
  return (
    <section>
      <div className="page-head">
        <h1>Datasets</h1>
        <button type="button" onClick={() => setCreating(true)}>
          New dataset
        </button>
      </div>
      <ErrorBox error={list.error} />
      {list.loading && !list.data ? <Loading what="datasets" /> : null}
      {list.data && list.data.items.length === 0 ? (
        <Empty title="No datasets yet">
          <p>Create a dataset, then drop files on it: the Space chunks and embeds them.</p>
        </Empty>
      ) : null}
      {list.data && list.data.items.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              <th scope="col">Summary</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((d) => (
              <tr key={d.id}>
                <td>
                  <Link to={`/datasets/${encodeURIComponent(d.name)}`}>{d.name}</Link>
                </td>
                <td>{d.dtype}</td>
                <td>{d.summary}</td>
                <td>{formatDate(d.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {creating ? (
        <Dialog title="New dataset" onClose={() => setCreating(false)}>
          <TypedCreateForm
            collection="datasets"
            typeField="dtype"
            onCancel={() => setCreating(false)}
            onCreated={(name) => navigate(`/datasets/${encodeURIComponent(name)}`)}
          />
        </Dialog>
      ) : null}
    </section>
  );
}
