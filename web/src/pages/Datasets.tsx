import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { TypedCreateForm } from "../components/TypedCreateForm";
import { Dialog, Empty, ResourceTable, formatDate } from "../components/ui";
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
      <ResourceTable
        what="datasets"
        list={list}
        empty={
          <Empty title="No datasets yet">
            <p>Create a dataset, then drop files on it: the Space chunks and embeds them.</p>
          </Empty>
        }
        columns={["Name", "Type", "Summary", "Created"]}
        row={(d) => (
          <>
            <td>
              <Link to={`/datasets/${encodeURIComponent(d.name)}`}>{d.name}</Link>
            </td>
            <td>{d.dtype}</td>
            <td>{d.summary}</td>
            <td>{formatDate(d.created_at)}</td>
          </>
        )}
      />
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
