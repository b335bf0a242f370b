import { lazy, Suspense, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { BrowserRouter, Navigate, Outlet, Route, Routes, useLocation } from 'react-router-dom';
import { Layout } from './components/Layout.tsx';
import { Loading } from './components/Loading.tsx';
import { ActivatePage } from './pages/ActivatePage.tsx';
import { AssetProviderPage } from './pages/AssetProviderPage.tsx';
import { AssetProvidersPage } from './pages/AssetProvidersPage.tsx';
import { AssociationFormPage } from './pages/AssociationFormPage.tsx';
import { AssociationPage } from './pages/AssociationPage.tsx';
import { AssociationsPage } from './pages/AssociationsPage.tsx';
import { BulkUploadPage } from './pages/BulkUploadPage.tsx';
import { BulkUploadsPage } from './pages/BulkUploadsPage.tsx';
import { CollectionPage } from './pages/CollectionPage.tsx';
import { DashboardPage } from './pages/DashboardPage.tsx';
import { DsoRequestPage } from './pages/DsoRequestPage.tsx';
import { DsoRequestsPage } from './pages/DsoRequestsPage.tsx';
import { EligibilityPage } from './pages/EligibilityPage.tsx';
import { KpiReportsPage } from './pages/KpiReportsPage.tsx';
import { LoginPage } from './pages/LoginPage.tsx';
import { MonitoringPodPage } from './pages/MonitoringPodPage.tsx';
import { NewAssetProviderPage } from './pages/NewAssetProviderPage.tsx';
import { NotFoundPage } from './pages/NotFoundPage.tsx';
import { OperationPage } from './pages/OperationPage.tsx';
import { RequestsPage } from './pages/RequestsPage.tsx';
import { TelemanagementPage } from './pages/TelemanagementPage.tsx';
import { TokensPage } from './pages/TokensPage.tsx';
import { homeOf, SessionProvider, useSession } from './session.tsx';
import type { Role } from './types.ts';

/** The monitoring page brings chart.js (≈ 200 kB): loaded when first opened, not with the rest of the portal. */
const MonitoringPage = lazy(() =>
  import('./pages/MonitoringPage.tsx').then((module) => ({ default: module.MonitoringPage })),
);

/** Pages that need a session: without one, the login page (which says why: expired, signed out). */
function RequireSession() {
  const { state } = useSession();
  const location = useLocation();
  if (state.status === 'loading')
    return (
      <main id="main" className="centered">
        <Loading />
      </main>
    );
  if (state.status === 'anonymous')
    return <Navigate to="/login" replace state={{ from: `${location.pathname}${location.search}` }} />;
  return <Layout />;
}

/** A page of another role does not exist for this user. */
function RequireRole({ roles }: { roles: readonly Role[] }) {
  const { state } = useSession();
  if (state.status !== 'authenticated') return null;
  return roles.includes(state.user.role) ? <Outlet /> : <NotFoundPage />;
}

function Home() {
  const { state } = useSession();
  return state.status === 'authenticated' ? <Navigate to={homeOf(state.user)} replace /> : null;
}

/** After a navigation, focus goes to the new page's heading region so screen readers start there. */
function FocusOnNavigate() {
  const { pathname } = useLocation();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.getElementById('main')?.focus({ preventScroll: false });
  }, [pathname]);
  return null;
}

/** The window title follows the page's heading ("Associazioni · Portale Chain 2"), for tabs, history and screen readers. */
function TitleFromHeading() {
  const { t } = useTranslation();
  const appName = t('app.title');
  useEffect(() => {
    const update = () => {
      const heading = document.querySelector('main h1')?.textContent?.trim();
      const title = heading ? `${heading} · ${appName}` : appName;
      if (document.title !== title) document.title = title;
    };
    const observer = new MutationObserver(update);
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    update();
    return () => observer.disconnect();
  }, [appName]);
  return null;
}

export function App() {
  return (
    <BrowserRouter>
      <SessionProvider>
        <FocusOnNavigate />
        <TitleFromHeading />
        <Routes>
          <Route path="/login" element={<LoginPage />} />
          <Route path="/activate" element={<ActivatePage />} />
          <Route element={<RequireSession />}>
            <Route index element={<Home />} />
            <Route element={<RequireRole roles={['asset_provider']} />}>
              <Route path="dashboard" element={<DashboardPage />} />
              <Route path="eligibility" element={<EligibilityPage />} />
              <Route path="associations" element={<AssociationsPage />} />
              <Route path="associations/new" element={<AssociationFormPage />} />
              <Route path="associations/:associationId" element={<AssociationPage />} />
              <Route path="associations/:associationId/edit" element={<AssociationFormPage />} />
              <Route path="bulk-uploads" element={<BulkUploadsPage />} />
              <Route path="bulk-uploads/:bulkUploadId" element={<BulkUploadPage />} />
              <Route path="requests" element={<RequestsPage />} />
            </Route>
            <Route element={<RequireRole roles={['dso_operator']} />}>
              <Route path="dso/requests" element={<DsoRequestsPage />} />
              <Route path="dso/requests/:requestId" element={<DsoRequestPage />} />
              <Route path="dso/telemanagement" element={<TelemanagementPage />} />
              <Route path="dso/telemanagement/collection" element={<CollectionPage />} />
              <Route path="dso/operations/new" element={<OperationPage />} />
              <Route path="dso/asset-providers" element={<AssetProvidersPage />} />
              <Route path="dso/asset-providers/new" element={<NewAssetProviderPage />} />
              <Route path="dso/asset-providers/:assetProviderId" element={<AssetProviderPage />} />
            </Route>
            <Route element={<RequireRole roles={['asset_provider', 'retailer']} />}>
              <Route path="kpi-reports" element={<KpiReportsPage />} />
            </Route>
            <Route
              path="monitoring"
              element={
                <Suspense fallback={<Loading />}>
                  <MonitoringPage />
                </Suspense>
              }
            />
            <Route path="monitoring/pods/:pod" element={<MonitoringPodPage />} />
            <Route path="tokens" element={<TokensPage />} />
            <Route path="*" element={<NotFoundPage />} />
          </Route>
        </Routes>
      </SessionProvider>
    </BrowserRouter>
  );
}
