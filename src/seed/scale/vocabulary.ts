/** Word lists and weighted samplers of the scale data (weights in percent). */
import type {
  Canal,
  Criticite,
  Disponibilite,
  Frequence,
  Niveau,
  Priorite,
  StatutEquipement,
  StatutIntervention,
  TypeIntervention,
} from '../../db/schema.js';
import { weighted } from '../random.js';

export const EQUIPMENT_TYPES: readonly { type: string; label: string; brands: readonly (readonly [string, string])[] }[] = [
  { type: 'compresseur', label: 'Compresseur', brands: [['Atlas Copco', 'GA30'], ['Kaeser', 'SK 22'], ['Ingersoll Rand', 'R37']] },
  { type: 'pompe', label: 'Pompe', brands: [['Grundfos', 'CR 32'], ['KSB', 'Etanorm'], ['Wilo', 'Helix V']] },
  { type: 'generateur', label: 'Groupe électrogène', brands: [['Caterpillar', 'C9'], ['Cummins', 'C275'], ['SDMO', 'X330']] },
  { type: 'convoyeur', label: 'Convoyeur', brands: [['Interroll', 'RM 8310'], ['Dorner', '3200']] },
  { type: 'climatisation', label: 'Climatiseur', brands: [['Carrier', '30RB'], ['Daikin', 'EWAD']] },
  { type: 'chaudiere', label: 'Chaudière', brands: [['Viessmann', 'Vitoplex 200'], ['De Dietrich', 'C 330']] },
  { type: 'transformateur', label: 'Transformateur', brands: [['Schneider', 'Trihal 630'], ['ABB', 'RESIBLOC']] },
  { type: 'chariot', label: 'Chariot élévateur', brands: [['Toyota', '8FBE'], ['Linde', 'E20']] },
  { type: 'onduleur', label: 'Onduleur', brands: [['APC', 'Galaxy 5500'], ['Eaton', '93PM']] },
  { type: 'presse', label: 'Presse hydraulique', brands: [['Schuler', 'MSD 400'], ['Bosch Rexroth', 'HP 250']] },
];

export const CITIES = ['Casablanca', 'Rabat', 'Tanger', 'Fès', 'Marrakech', 'Agadir', 'Kénitra', 'Meknès', 'Oujda', 'El Jadida'] as const;
export const SECTORS = ['Agroalimentaire', 'Automobile', 'Textile', 'Chimie', 'Logistique', 'Santé', 'Énergie', 'BTP', 'Hôtellerie', 'Industrie pharmaceutique'] as const;
export const TEAMS = ['Équipe Nord', 'Équipe Sud', 'Équipe Centre', 'Atelier', 'Astreinte', 'Électricité', 'Mécanique'] as const;

export const TITLE_VERBS: Record<TypeIntervention, readonly string[]> = {
  corrective: ['Réparation', 'Dépannage', 'Remplacement de pièce', 'Fuite à traiter'],
  preventive: ['Maintenance préventive', 'Contrôle périodique', 'Révision', 'Graissage et inspection'],
  ameliorative: ['Amélioration', 'Modernisation', 'Mise en conformité'],
  diagnostic: ['Diagnostic', 'Analyse vibratoire', 'Thermographie'],
};
export const REPORTS = [
  'Travaux réalisés conformément à la gamme. Essais satisfaisants.',
  'Pièce défectueuse remplacée, remise en service validée avec l’exploitant.',
  'Réglages effectués, paramètres de fonctionnement revenus dans les tolérances.',
  'Nettoyage, resserrage des connexions et contrôle des sécurités effectués.',
] as const;
export const RECOMMENDATIONS = [
  'Surveiller les vibrations au prochain passage.',
  'Prévoir le remplacement des roulements sous 6 mois.',
  'Aucune action complémentaire.',
  'Commander un kit de joints en stock de sécurité.',
] as const;
/** Remark of the history row that reaches each status. */
export const REMARKS: Record<StatutIntervention, string> = {
  ouverte: 'Création de l’intervention',
  affectee: 'Affectation du technicien',
  en_cours: 'Début des travaux',
  en_attente: 'En attente de pièces',
  cloturee: 'Travaux terminés',
  annulee: 'Annulée : demande en double',
  archivee: 'Archivage',
};
/** Estimated durations (minutes). */
export const DURATIONS = [60, 90, 120, 180, 240, 360, 480] as const;

export const pickStatutEquipement = weighted<StatutEquipement>({ operationnel: 80, maintenance: 10, panne: 7, retire: 3 });
export const pickStatutPlanifie = weighted<StatutEquipement>({ operationnel: 85, maintenance: 9, panne: 6 });
export const pickDisponibilite = weighted<Disponibilite>({ disponible: 60, occupe: 25, conge: 5, formation: 5, indisponible: 5 });
export const pickNiveau = weighted<Niveau>({ debutant: 15, intermediaire: 40, avance: 30, expert: 15 });
export const pickCriticite = weighted<Criticite>({ critique: 10, important: 30, standard: 45, non_critique: 15 });
export const pickFrequence = weighted<Frequence>({ journalier: 2, hebdomadaire: 8, mensuel: 45, trimestriel: 25, semestriel: 10, annuel: 10 });
export const pickPlanningPriorite = weighted<Priorite>({ normale: 60, programmee: 30, haute: 10 });
export const pickType = weighted<TypeIntervention>({ corrective: 45, preventive: 35, ameliorative: 10, diagnostic: 10 });
export const pickPrioritePreventive = weighted<Priorite>({ programmee: 45, normale: 40, haute: 10, basse: 5 });
export const pickPrioriteAutre = weighted<Priorite>({ urgente: 8, haute: 25, normale: 47, basse: 20 });
export const pickCanal = weighted<Canal>({ log: 50, email: 35, push: 10, sms: 5 });
