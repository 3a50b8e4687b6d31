import { Route, Routes } from "react-router";
import { Layout } from "./components/Layout";
import { useAuth } from "./lib/auth";
import { Dashboard } from "./pages/Dashboard";
import { DatasetDetail } from "./pages/DatasetDetail";
import { Datasets } from "./pages/Datasets";
import { EndpointDetail } from "./pages/EndpointDetail";
import { EndpointWizard } from "./pages/EndpointWizard";
import { Endpoints } from "./pages/Endpoints";
import { ModelDetail } from "./pages/ModelDetail";
import { Models } from "./pages/Models";
import { NotFound } from "./pages/NotFound";
import { Playground } from "./pages/Playground";
import { Settings } from "./pages/Settings";
import { SignIn } from "./pages/SignIn";

export function App() {
  const { session } = useAuth();
  if (!session) return <SignIn />;
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<Dashboard />} />
        <Route path="datasets" element={<Datasets />} />
        <Route path="datasets/:name" element={<DatasetDetail />} />
        <Route path="models" element={<Models />} />
        <Route path="models/:name" element={<ModelDetail />} />
        <Route path="endpoints" element={<Endpoints />} />
        <Route path="endpoints/new" element={<EndpointWizard />} />
        <Route path="endpoints/:slug" element={<EndpointDetail />} />
        <Route path="endpoints/:slug/playground" element={<Playground />} />
        <Route path="settings" element={<Settings />} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
