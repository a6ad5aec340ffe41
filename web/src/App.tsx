/**
 * Routes of the application, at the root of the server (`/interventions/123`…). Each screen is its
 * own chunk (React.lazy), so the first page loads the shell and one screen only.
 */
import { Center, Loader } from '@mantine/core';
import { lazy, Suspense, useEffect, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { resumeSession } from './auth/session';
import { useMe, useSession } from './auth/useSession';
import { AppLayout } from './layout/AppLayout';

const LoginPage = lazy(() => import('./pages/LoginPage'));
const ChangePasswordPage = lazy(() => import('./pages/ChangePasswordPage'));
const DashboardPage = lazy(() => import('./pages/DashboardPage'));
const InterventionsPage = lazy(() => import('./pages/InterventionsPage'));
const InterventionDetailPage = lazy(() => import('./pages/InterventionDetailPage'));
const InterventionFormPage = lazy(() => import('./pages/InterventionFormPage'));
const MyInterventionsPage = lazy(() => import('./pages/MyInterventionsPage'));
const ProfilePage = lazy(() => import('./pages/ProfilePage'));
const NotFoundPage = lazy(() => import('./pages/NotFoundPage'));

export function PageLoader() {
  return (
    <Center h="60vh" role="status" aria-label="Chargement">
      <Loader />
    </Center>
  );
}

/** The signed-in part: waits for the session and the user, forces a pending password change. */
function Protected({ children }: { children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  if (session.status === 'unknown') return <PageLoader />;
  if (session.status === 'signed-out') return <Navigate to="/connexion" replace state={{ from: location.pathname + location.search }} />;
  if (session.mustChangePassword) return <Navigate to="/changer-mot-de-passe" replace />;
  return <AppLayout>{children}</AppLayout>;
}

/** The landing page per role: technicians start on their own list. */
function Home() {
  const me = useMe();
  if (!me.data) return <PageLoader />;
  return me.data.role === 'technicien' ? <Navigate to="/mes-interventions" replace /> : <DashboardPage />;
}

export function App() {
  useEffect(() => {
    // A reload: the HttpOnly cookie, if any, gives a new access token.
    void resumeSession();
  }, []);

  return (
    <Suspense fallback={<PageLoader />}>
      <Routes>
        <Route path="/connexion" element={<LoginPage />} />
        <Route path="/changer-mot-de-passe" element={<ChangePasswordPage />} />
        <Route path="/" element={<Protected><Home /></Protected>} />
        <Route path="/tableau-de-bord" element={<Protected><DashboardPage /></Protected>} />
        <Route path="/interventions" element={<Protected><InterventionsPage /></Protected>} />
        <Route path="/interventions/nouvelle" element={<Protected><InterventionFormPage /></Protected>} />
        <Route path="/interventions/:id" element={<Protected><InterventionDetailPage /></Protected>} />
        <Route path="/interventions/:id/modifier" element={<Protected><InterventionFormPage /></Protected>} />
        <Route path="/mes-interventions" element={<Protected><MyInterventionsPage /></Protected>} />
        <Route path="/profil" element={<Protected><ProfilePage /></Protected>} />
        <Route path="*" element={<Protected><NotFoundPage /></Protected>} />
      </Routes>
    </Suspense>
  );
}
