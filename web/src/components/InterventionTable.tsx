/** A short table of interventions (an equipment's, a client's), each linking to its detail page. */
import { Anchor, Table } from '@mantine/core';
import { Link } from 'react-router-dom';
import type { Intervention } from '../api/types';
import { formatDateTime } from '../lib/format';
import { TYPE_LABELS } from '../lib/labels';
import { StatutBadge } from './StatutBadge';

export function InterventionTable({ rows, label, showEquipement = false }: { rows: Intervention[]; label: string; showEquipement?: boolean }) {
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table aria-label={label} striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Intervention</Table.Th>
            {showEquipement && <Table.Th>Équipement</Table.Th>}
            <Table.Th>Type</Table.Th>
            <Table.Th>Statut</Table.Th>
            <Table.Th>Créée le</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => (
            <Table.Tr key={row.id}>
              <Table.Td><Anchor component={Link} to={`/interventions/${row.id}`}>{row.titre}</Anchor></Table.Td>
              {showEquipement && <Table.Td>{row.equipement_nom ?? `N° ${row.equipement_id}`}</Table.Td>}
              <Table.Td>{TYPE_LABELS[row.type]}</Table.Td>
              <Table.Td><StatutBadge statut={row.statut} /></Table.Td>
              <Table.Td>{formatDateTime(row.date_creation)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
