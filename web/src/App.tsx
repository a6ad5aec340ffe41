/**
 * Routes of the application, at the root of the server (`/interventions/123`…). Each screen is its
 * own chunk (React.lazy), so the first page loads the shell and one screen only.
 */
import { Center, Loader } from '@mantine/core';
import { lazy, Suspense, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { useMe, useSession } from './auth/useSession';
import { AppLayout } from './layout/AppLayout';

const screens = {
  login: () => import('./pages/LoginPage'),
  dashboard: () => import('./pages/DashboardPage'),
  interventions: () => import('./pages/InterventionsPage'),
  detail: () => import('./pages/InterventionDetailPage'),
  form: () => import('./pages/InterventionFormPage'),
  mine: () => import('./pages/MyInterventionsPage'),
  portal: () => import('./pages/ClientPortalPage'),
  equipements: () => import('./pages/EquipementsPage'),
  equipement: () => import('./pages/EquipementDetailPage'),
  equipementForm: () => import('./pages/EquipementFormPage'),
  clients: () => import('./pages/ClientsPage'),
  client: () => import('./pages/ClientDetailPage'),
  clientForm: () => import('./pages/ClientFormPage'),
};

/**
 * The screen of the URL the page was opened at: its chunk is fetched while the session is resumed,
 * instead of after (a cold load of a list then costs one round trip less). Called by boot.ts.
 */
export function preloadScreen(pathname: string): void {
  const screen =
    pathname === '/connexion' ? screens.login
    : pathname === '/interventions' ? screens.interventions
    : /^\/interventions\/(nouvelle|\d+\/modifier)$/.test(pathname) ? screens.form
    : /^\/interventions\/\d+$/.test(pathname) ? screens.detail
    : pathname === '/mes-interventions' ? screens.mine
    : pathname === '/espace-client' ? screens.portal
    : pathname === '/equipements' ? screens.equipements
    : pathname === '/clients' ? screens.clients
    : pathname === '/' || pathname === '/tableau-de-bord' ? screens.dashboard
    : null;
  void screen?.();
}

const LoginPage = lazy(screens.login);
const ChangePasswordPage = lazy(() => import('./pages/ChangePasswordPage'));
const MfaEnrolmentPage = lazy(() => import('./pages/MfaEnrolmentPage'));
const DashboardPage = lazy(screens.dashboard);
const InterventionsPage = lazy(screens.interventions);
const InterventionDetailPage = lazy(screens.detail);
const InterventionFormPage = lazy(screens.form);
const MyInterventionsPage = lazy(screens.mine);
const ClientPortalPage = lazy(screens.portal);
const EquipementsPage = lazy(screens.equipements);
const EquipementDetailPage = lazy(screens.equipement);
const EquipementFormPage = lazy(screens.equipementForm);
const ClientsPage = lazy(screens.clients);
const ClientDetailPage = lazy(screens.client);
const ClientFormPage = lazy(screens.clientForm);
const ProfilePage = lazy(() => import('./pages/ProfilePage'));
const NotFoundPage = lazy(() => import('./pages/NotFoundPage'));
const PlanningPage = lazy(() => import('./pages/PlanningPage'));
const TechniciensPage = lazy(() => import('./pages/TechniciensPage'));
const TechnicienDetailPage = lazy(() => import('./pages/TechnicienDetailPage'));
const UsersPage = lazy(() => import('./pages/UsersPage'));
const AuditPage = lazy(() => import('./pages/AuditPage'));

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
  if (session.mustEnrolMfa) return <Navigate to="/double-authentification" replace />;
  return <AppLayout>{children}</AppLayout>;
}

/** The landing page per role: technicians start on their own list, clients on their portal. */
function Home() {
  const me = useMe();
  if (!me.data) return <PageLoader />;
  if (me.data.role === 'technicien') return <Navigate to="/mes-interventions" replace />;
  return me.data.role === 'client' ? <Navigate to="/espace-client" replace /> : <DashboardPage />;
}

export function App() {
  return (
    <Suspense fallback={<PageLoader />}>
      <Routes>
        <Route path="/connexion" element={<LoginPage />} />
        <Route path="/changer-mot-de-passe" element={<ChangePasswordPage />} />
        <Route path="/double-authentification" element={<MfaEnrolmentPage />} />
        <Route path="/" element={<Protected><Home /></Protected>} />
        <Route path="/tableau-de-bord" element={<Protected><DashboardPage /></Protected>} />
        <Route path="/interventions" element={<Protected><InterventionsPage /></Protected>} />
        <Route path="/interventions/nouvelle" element={<Protected><InterventionFormPage /></Protected>} />
        <Route path="/interventions/:id" element={<Protected><InterventionDetailPage /></Protected>} />
        <Route path="/interventions/:id/modifier" element={<Protected><InterventionFormPage /></Protected>} />
        <Route path="/mes-interventions" element={<Protected><MyInterventionsPage /></Protected>} />
        <Route path="/espace-client" element={<Protected><ClientPortalPage /></Protected>} />
        <Route path="/equipements" element={<Protected><EquipementsPage /></Protected>} />
        <Route path="/equipements/nouveau" element={<Protected><EquipementFormPage /></Protected>} />
        <Route path="/equipements/:id" element={<Protected><EquipementDetailPage /></Protected>} />
        <Route path="/equipements/:id/modifier" element={<Protected><EquipementFormPage /></Protected>} />
        <Route path="/clients" element={<Protected><ClientsPage /></Protected>} />
        <Route path="/clients/nouveau" element={<Protected><ClientFormPage /></Protected>} />
        <Route path="/clients/:id" element={<Protected><ClientDetailPage /></Protected>} />
        <Route path="/clients/:id/modifier" element={<Protected><ClientFormPage /></Protected>} />
        <Route path="/profil" element={<Protected><ProfilePage /></Protected>} />
        <Route path="/planning" element={<Protected><PlanningPage /></Protected>} />
        <Route path="/techniciens" element={<Protected><TechniciensPage /></Protected>} />
        <Route path="/techniciens/:id" element={<Protected><TechnicienDetailPage /></Protected>} />
        <Route path="/administration/utilisateurs" element={<Protected><UsersPage /></Protected>} />
        <Route path="/administration/audit" element={<Protected><AuditPage /></Protected>} />
        <Route path="*" element={<Protected><NotFoundPage /></Protected>} />
      </Routes>
    </Suspense>
  );
}
