import { Link } from "react-router";
import { Badge, Empty, ResourceTable } from "../components/ui";
import { api } from "../lib/api";
import { useLoad } from "../lib/hooks";
import type { Endpoint, Page } from "../lib/types";

export function publishedLabel(e: Endpoint): string {
  const published = (e.published_to ?? []).filter((p) => p.status === "published");
  if (published.length) return published.map((p) => p.marketplace_name).join(", ");
  return e.published ? "published" : "not published";
}

export function Endpoints() {
  const list = useLoad(() => api.get<Page<Endpoint>>("/endpoints?limit=1000"), []);
  return (
    <section>
      <div className="page-head">
        <h1>Endpoints</h1>
        <Link className="button-like" to="/endpoints/new">
          New endpoint
        </Link>
      </div>
      <ResourceTable
        what="endpoints"
        list={list}
        empty={
          <Empty title="No endpoints yet">
            <p>
              An endpoint answers questions from a dataset, a model, or both. Create a dataset
              first, then <Link to="/endpoints/new">create an endpoint</Link>.
            </p>
          </Empty>
        }
        columns={["Name", "Slug", "Response", "Dataset", "Model", "Published to"]}
        row={(e) => (
          <>
            <td>
              <Link to={`/endpoints/${e.slug}`}>{e.name}</Link>
            </td>
            <td className="mono">{e.slug}</td>
            <td>{e.response_type}</td>
            <td>{e.dataset ?? "—"}</td>
            <td>{e.model ?? "—"}</td>
            <td>
              <Badge status={e.published ? "published" : "draft"}>{publishedLabel(e)}</Badge>
            </td>
          </>
        )}
      />
    </section>
  );
}
