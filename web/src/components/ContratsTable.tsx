/** A client's contracts: period, status, interventions used of those included. */
import { Button, Table, VisuallyHidden } from '@mantine/core';
import type { Contrat } from '../api/types';
import { formatDate, formatMoney } from '../lib/format';
import { STATUT_CONTRAT_COLORS, STATUT_CONTRAT_LABELS, TYPE_CONTRAT_LABELS } from '../lib/parc-labels';
import { ToneBadge } from './StatutBadge';

export function ContratsTable({ rows, onEdit }: { rows: Contrat[]; onEdit?: (contrat: Contrat) => void }) {
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table striped aria-label="Contrats du client">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>N°</Table.Th>
            <Table.Th>Intitulé</Table.Th>
            <Table.Th>Type</Table.Th>
            <Table.Th>Statut</Table.Th>
            <Table.Th>Période</Table.Th>
            <Table.Th>Interventions</Table.Th>
            <Table.Th>Montant annuel</Table.Th>
            {onEdit && <Table.Th><VisuallyHidden>Actions</VisuallyHidden></Table.Th>}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => (
            <Table.Tr key={row.id}>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{row.numero_contrat}</Table.Td>
              <Table.Td>{row.nom_contrat}</Table.Td>
              <Table.Td>{TYPE_CONTRAT_LABELS[row.type_contrat]}</Table.Td>
              <Table.Td><ToneBadge color={STATUT_CONTRAT_COLORS[row.statut]}>{STATUT_CONTRAT_LABELS[row.statut]}</ToneBadge></Table.Td>
              <Table.Td>{formatDate(row.date_debut)} → {formatDate(row.date_fin)}</Table.Td>
              <Table.Td>{row.nb_interventions_utilisees}{row.nb_interventions_incluses !== null ? ` / ${row.nb_interventions_incluses}` : ''}</Table.Td>
              <Table.Td>{formatMoney(row.montant_annuel, row.devise)}</Table.Td>
              {onEdit && (
                <Table.Td>
                  <Button size="xs" variant="default" onClick={() => onEdit(row)} aria-label={`Modifier le contrat ${row.numero_contrat}`}>Modifier</Button>
                </Table.Td>
              )}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
