/** The screens each role reaches from the navigation (docs/security.md §5 decides what the API allows). */
import type { Role } from '../api/types';

export interface NavItem {
  to: string;
  label: string;
}

const BY_ROLE: Record<Role, NavItem[]> = {
  admin: [
    { to: '/tableau-de-bord', label: 'Tableau de bord' },
    { to: '/interventions', label: 'Interventions' },
    { to: '/interventions/nouvelle', label: 'Nouvelle intervention' },
    { to: '/equipements', label: 'Équipements' },
    { to: '/clients', label: 'Clients & contrats' },
    { to: '/planning', label: 'Planning préventif' },
    { to: '/techniciens', label: 'Techniciens & compétences' },
    { to: '/administration/utilisateurs', label: 'Utilisateurs' },
    { to: '/administration/audit', label: 'Journal d’audit' },
  ],
  responsable: [
    { to: '/tableau-de-bord', label: 'Tableau de bord' },
    { to: '/interventions', label: 'Interventions' },
    { to: '/interventions/nouvelle', label: 'Nouvelle intervention' },
    { to: '/equipements', label: 'Équipements' },
    { to: '/clients', label: 'Clients & contrats' },
    { to: '/planning', label: 'Planning préventif' },
    { to: '/techniciens', label: 'Techniciens & compétences' },
  ],
  technicien: [
    { to: '/mes-interventions', label: 'Mes interventions' },
    { to: '/equipements', label: 'Équipements' },
  ],
  client: [
    { to: '/espace-client', label: 'Mon espace' },
    { to: '/equipements', label: 'Mes équipements' },
    { to: '/tableau-de-bord', label: 'Tableau de bord' },
    { to: '/interventions', label: 'Interventions' },
    { to: '/interventions/nouvelle', label: 'Demander une intervention' },
  ],
};

export function navigationFor(role: Role): NavItem[] {
  return BY_ROLE[role];
}
