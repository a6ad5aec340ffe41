/** The French words of the equipment, client and contract enumerations (docs/domain.md §2). */
import type { Client, Contrat, Criticite, StatutEquipement } from '../api/types';

export const STATUT_EQUIPEMENT_LABELS: Record<StatutEquipement, string> = {
  operationnel: 'Opérationnel',
  maintenance: 'En maintenance',
  panne: 'En panne',
  retire: 'Retiré',
};

export const STATUT_EQUIPEMENT_COLORS: Record<StatutEquipement, string> = {
  operationnel: 'green',
  maintenance: 'orange',
  panne: 'red',
  retire: 'gray',
};

export const CRITICITE_LABELS: Record<Criticite, string> = {
  critique: 'Critique',
  important: 'Important',
  standard: 'Standard',
  non_critique: 'Non critique',
};

export const TYPE_CLIENT_LABELS: Record<Client['type_client'], string> = {
  entreprise: 'Entreprise',
  collectivite: 'Collectivité',
  association: 'Association',
  particulier: 'Particulier',
};

export const NIVEAU_SERVICE_LABELS: Record<Client['niveau_service'], string> = {
  premium: 'Premium',
  standard: 'Standard',
  basique: 'Basique',
};

export const TYPE_CONTRAT_LABELS: Record<Contrat['type_contrat'], string> = {
  maintenance_preventive: 'Maintenance préventive',
  maintenance_corrective: 'Maintenance corrective',
  maintenance_complete: 'Maintenance complète',
  support_technique: 'Support technique',
  contrat_cadre: 'Contrat cadre',
};

export const STATUT_CONTRAT_LABELS: Record<Contrat['statut'], string> = {
  brouillon: 'Brouillon',
  en_cours: 'En cours',
  expire: 'Expiré',
  resilie: 'Résilié',
  suspendu: 'Suspendu',
};

export const STATUT_CONTRAT_COLORS: Record<Contrat['statut'], string> = {
  brouillon: 'gray',
  en_cours: 'green',
  expire: 'orange',
  resilie: 'red',
  suspendu: 'yellow',
};

export const MODE_FACTURATION_LABELS: Record<Contrat['mode_facturation'], string> = {
  mensuel: 'Mensuel',
  trimestriel: 'Trimestriel',
  annuel: 'Annuel',
};
