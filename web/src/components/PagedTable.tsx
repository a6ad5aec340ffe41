/**
 * The body of every list screen: the loading and error states, the server's X-Total-Count, an
 * explained empty state, the table (scrolled sideways on a phone) and the pages of LIST_PAGE_SIZE.
 * The screen gives its filters above, its columns and a row renderer.
 */
import { Group, Table, type TableScrollContainerProps } from '@mantine/core';
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { LIST_PAGE_SIZE } from '../lib/useUrlState';
import { ListPagination } from './ListPagination';
import { ListTotal } from './ListTotal';
import { Empty, LoadError, Loading } from './States';

export interface PagedTableProps<T> {
  list: UseQueryResult<{ rows: T[]; total: number }>;
  /** « Chargement des clients… » */
  loadingLabel: string;
  /** The total's noun, singular (« 3 clients »). */
  noun: string;
  /** Why the list is empty (no record yet, or none for these filters). */
  empty: string;
  /** The table's accessible name. */
  label: string;
  minWidth: number;
  /** The header cells; `false` leaves a column out (one the user's role does not see). */
  columns: (ReactNode | false)[];
  /** One `<Table.Tr>` per row. */
  row: (row: T) => ReactNode;
  page: number;
  onPage: (page: number) => void;
  /** Beside the total (a « clear the filters » button). */
  aside?: ReactNode;
  scrollAreaProps?: TableScrollContainerProps['scrollAreaProps'];
}

export function PagedTable<T>({ list, loadingLabel, noun, empty, label, minWidth, columns, row, page, onPage, aside, scrollAreaProps }: PagedTableProps<T>) {
  if (list.isPending) return <Loading label={loadingLabel} />;
  if (list.isError) return <LoadError error={list.error} onRetry={() => void list.refetch()} />;
  const { rows, total } = list.data;
  return (
    <div>
      {aside ? (
        <Group justify="space-between" align="flex-start">
          <ListTotal total={total} noun={noun} />
          {aside}
        </Group>
      ) : (
        <ListTotal total={total} noun={noun} />
      )}
      {rows.length === 0 ? (
        <Empty>{empty}</Empty>
      ) : (
        <Table.ScrollContainer minWidth={minWidth} scrollAreaProps={scrollAreaProps}>
          <Table striped highlightOnHover aria-label={label}>
            <Table.Thead>
              <Table.Tr>
                {columns.map((column, index) => column !== false && <Table.Th key={index}>{column}</Table.Th>)}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>{rows.map(row)}</Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <ListPagination total={total} pageSize={LIST_PAGE_SIZE} page={page} onChange={onPage} />
    </div>
  );
}
